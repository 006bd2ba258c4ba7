#!/bin/bash
# Needs the session's .whl/ folder (ignored by git: the fastcore wheel and MNIST as .whl/data/mnist.pkl.gz), carried to the
# GPU machine with the device tool; paths below are as run there from the repository root.
# To make .whl/ on a fresh checkout: pip download --no-deps "fastcore>=1.12.3,<1.13" -d .whl; mkdir -p .whl/data; and copy the
# MNIST file the package uses (aae_nb.data finds it; ~/.cache/aae_nb/mnist.pkl.gz here) to .whl/data/.
# Table 2 past the first learning-rate drop (epoch 50), 15 concurrent §5 runs under CUDA MPS for as long as one call allows:
# the faithful default with 100 / 1000 / all labels, and the faithful default + --vat 0.3 (ours) with 100 / 1000 labels,
# seeds 0-2 each. (The labelled share, the earlier "best recipe", did not hold over three seeds at epoch 50.)
# Histories are written every epoch and packed into $OUT every minute, so a call cut short still brings them back.
#   run(command="bash tools/gpu/table2.sh", carry=[".whl"], timeout_s=600, kind="nvidia-h200")
# DRY=1 DEV=cpu TRAIN_S=40 OUT=/tmp/x bash tools/gpu/table2.sh   checks the script's own logic on a CPU machine.
T0=$SECONDS
if [ -z "$DRY" ]; then source tools/gpu/setup.sh || exit 1; fi
DEV=${DEV:-cuda}
source tools/gpu/runs.sh
echo "setup done at $((SECONDS-T0)) s"
TRAIN_S=${TRAIN_S:-$((555 - (SECONDS-T0)))}
mkdir -p runs/gpu
go() { name=$1; shift; timeout $TRAIN_S aae train semi-supervised --device $DEV --epochs 5000 --ckpt-every 100000 --quiet --out runs/gpu/$name "$@" > runs/gpu/$name.log 2>&1 & }
for s in 0 1 2; do
  for L in 100 1000 all; do go faith-$L-s$s --labels $L --seed $s; done
  for L in 100 1000; do go vat03-$L-s$s --labels $L --seed $s --vat 0.3; done
done
echo "launched 15 runs on $DEV for $TRAIN_S s (MPS=$MPS)"
pack_every $TRAIN_S
[ -n "$DRY" ] || nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv > $OUT/smi.txt
wait; sleep 1; pack
echo "training done at $((SECONDS-T0)) s"
report
echo "all done at $((SECONDS-T0)) s"
