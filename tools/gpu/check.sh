#!/bin/bash
# Copied from the session's .whl/ folder (ignored by git), which also held the fastcore wheel and MNIST (.whl/data/mnist.pkl.gz),
# carried to the GPU machine with the device tool; paths below are as run there from the repository root.
# GPU session, call 1: environment, `aae bench` on CUDA (fp32, bf16), step scaling with concurrent processes,
# torch.compile trial, every notebook's tests on CUDA. Each part bounded by `timeout`; logs to $OUT.
export PYTHONUNBUFFERED=1 AAE_NB_DATA=$PWD/.whl/data
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD
cat > /tmp/aae <<'X'
#!/bin/bash
exec python3 -c 'import sys; from aae_nb.cli import main; sys.exit(main(sys.argv[1:]))' "$@"
X
chmod +x /tmp/aae; export PATH=/tmp:$PATH
{ nvidia-smi -L; nproc; python3 -c "import torch, numpy, matplotlib; print(torch.__version__, numpy.__version__, matplotlib.__version__, torch.cuda.get_device_name())"; } 2>&1 | tee $OUT/env.txt
T0=$SECONDS
timeout 70 aae bench --device cuda --steps 20 --json $OUT/bench_cuda_fp32.json > $OUT/bench.txt 2>&1
timeout 60 aae bench --device cuda --steps 20 --amp --json $OUT/bench_cuda_bf16.json >> $OUT/bench.txt 2>&1
cat $OUT/bench.txt; echo "bench done at $((SECONDS-T0)) s"
for K in 1 8; do
  pids=(); for i in $(seq $K); do timeout 60 python3 tools/gpu/conc.py --seconds 12 --tag K$K >> $OUT/conc.txt 2>&1 & pids+=($!); done; wait ${pids[@]}
done
echo "conc done at $((SECONDS-T0)) s"
timeout 75 python3 tools/gpu/conc.py --seconds 12 --compile reduce-overhead --tag graphs >> $OUT/conc.txt 2>&1
grep -v "^{" $OUT/conc.txt | tail -12; grep "^{" $OUT/conc.txt
echo "compile done at $((SECONDS-T0)) s"
(cd nbs && ls [0-9]*.ipynb | xargs -P 11 -I{} timeout 90 python3 ../tools/gpu/nbrun.py {} > $OUT/nbs.txt 2>&1)
grep -E "^NB|FAIL|^   " $OUT/nbs.txt | head -100; echo "all done at $((SECONDS-T0)) s"
