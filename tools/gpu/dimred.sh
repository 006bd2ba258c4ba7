#!/bin/bash
# §7 (Figure 11b and 11c) on the rest of a GPU lease, 8 concurrent runs under CUDA MPS (setup as in table2.sh, same .whl/):
# 11c (dimred-unsup, its defaults) and 11b (dimred-semi --labels 100) with seeds 0-2, and 11b with --style-std 0.5 (ours: the
# heads 8 style stds apart, to test whether the 2-D style bridging the heads holds 11b back) with seeds 0-1.
#   run(command="bash tools/gpu/dimred.sh", carry=[".whl"], timeout_s=230, kind="nvidia-h200")
T0=$SECONDS
source tools/gpu/setup.sh || exit 1
source tools/gpu/runs.sh
echo "setup done at $((SECONDS-T0)) s"
TRAIN_S=${TRAIN_S:-$((190 - (SECONDS-T0)))}
mkdir -p runs/gpu
go() { name=$1; exp=$2; shift 2; timeout $TRAIN_S aae train $exp --device cuda --epochs 5000 --ckpt-every 100000 --quiet --out runs/gpu/$name "$@" > runs/gpu/$name.log 2>&1 & }
for s in 0 1 2; do go 11c-s$s dimred-unsup --seed $s; go 11b-s$s dimred-semi --labels 100 --seed $s; done
for s in 0 1; do go 11b-style05-s$s dimred-semi --labels 100 --seed $s --style-std 0.5; done
echo "launched 8 runs for $TRAIN_S s (MPS=$MPS)"
pack_every $TRAIN_S
wait; sleep 1; pack
report
echo "all done at $((SECONDS-T0)) s"
