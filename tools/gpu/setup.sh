# Sourced by the GPU session scripts (ablation.sh, table2.sh) from the repository root on the device machine: installs the
# carried wheels (.whl/*.whl) into /tmp/site, puts an `aae` command on PATH, points aae_nb at the carried MNIST
# (.whl/data), and starts CUDA MPS (MPS=1), or falls back to time-slicing (MPS=0). T0 is the start time in seconds.
T0=$SECONDS
export PYTHONUNBUFFERED=1 AAE_NB_DATA=$PWD/.whl/data OMP_NUM_THREADS=1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || return 1
export PYTHONPATH=/tmp/site:$PWD
printf '#!/bin/bash\nexec python3 -c "import sys; from aae_nb.cli import main; sys.exit(main(sys.argv[1:]))" "$@"\n' > /tmp/aae; chmod +x /tmp/aae; export PATH=/tmp:$PATH
nvidia-smi -L
# CUDA MPS lets the 14 processes' small kernels share the GPU; fall back to time-slicing if it does not come up
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps CUDA_MPS_LOG_DIRECTORY=/tmp/mpslog; mkdir -p /tmp/mps /tmp/mpslog
if nvidia-cuda-mps-control -d && timeout 25 python3 -c "import torch; print('MPS probe', (torch.ones(1, device='cuda') + 1).item())"; then echo "MPS on"; MPS=1
else echo quit | nvidia-cuda-mps-control 2>/dev/null; unset CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY; echo "MPS off"; MPS=0; fi
