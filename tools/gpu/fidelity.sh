#!/bin/bash
# The three fidelity issues' runs on one GPU call (setup and .whl/ as in table2.sh): 15 concurrent runs under CUDA MPS, one
# CPU thread each, trained until TRAIN_END s into the call, then stopped with SIGTERM (a Ctrl-C is ignored by background jobs; each run keeps its last checkpoint,
# written every epoch or two) and reported by `aae eval RUN --what report` (eval.json and the figures beside the run).
#   §4 (issue 31): `supervised` at full size with --z-noise 0.8 (ours) and the label adversary (ours): λ = 3, λ = 10, and
#                  λ = 1 with the label-aware adversary; seeds 0 and 1.
#   §6 (issue 33): `clustering` at A.3's size (3000 units), 16 and 30 clusters, seeds 0 and 1.
#   §7 (issue 32): 11a (`dimred-semi --labels 1000`) and 11d (`dimred-simplex`) with --y-grad 0.1 (ours), seeds 0 and 1;
#                  11c (`dimred-unsup`) with --y-grad 0.1, seed 0.
# Histories are written every epoch and packed into $OUT/gpu_runs.tgz every minute (runs.sh), so a call cut short still brings them back.
#   run(command="bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=600)
#   run(command="SET=2 TRAIN_END=200 EVAL_S=35 bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=270)   the second call
#   run(command="SET=3 bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=600)   after 2026-12-04's two calls: new seeds of §6 at A.3's width
#        (how often does a seed fall as seed 0's 30-cluster run did?) and of §7 11c, with the two best 11c arms combined
#   run(command="SET=4 bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=600)   11b with --vat 0.3 (ours) and without, seeds 0-4
#   run(command="SET=5 bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=600)   11b with --cat-adv-weight 3 (ours) and without, seeds 0-4
#   run(command="SET=6 bash tools/gpu/fidelity.sh", carry=[".whl"], timeout_s=600)   11b with --cat-adv-weight 3 --vat 0.3 (both ours) and without, seeds 0-4
#        SET=5 and SET=6: not worth GPU time any more. On 2026-12-08 --cat-adv-weight 3 at full size on the CPU (seeds 0-1, 60 epochs)
#        read 16.19 / 21.24% against 9.81 / 12.42% without it (records/full7/b-yg0.1-cadv3, notebook 70): the ablation's lead turned over.
# DRY=1 DEV=cpu TRAIN_END=60 EVAL_S=60 OUT=/tmp/x bash tools/gpu/fidelity.sh   checks the script's logic on a CPU machine (tiny nets).
T0=$SECONDS
if [ -z "$DRY" ]; then source tools/gpu/setup.sh || exit 1; fi
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
DEV=${DEV:-cuda}
SMALL=""; [ -n "$DRY" ] && SMALL="--n-train 2000 --hidden 32"
TRAIN_END=${TRAIN_END:-440}; EVAL_S=${EVAL_S:-95}
source tools/gpu/runs.sh
D=runs/gpu; mkdir -p $D $OUT
echo "setup done at $((SECONDS-T0)) s"
go() { name=$1; shift; aae train "$@" --device $DEV --quiet --out $D/$name $SMALL > $D/$name.log 2>&1 & }
if [ "${SET:-1}" = 1 ]; then
  for s in 0 1; do
    go 4-zn0.8-ladv3-s$s   supervised --epochs 100 --curve-every 5 --ckpt-every 1 --seed $s --z-noise 0.8 --label-adv 3
    go 4-zn0.8-ladv10-s$s  supervised --epochs 100 --curve-every 5 --ckpt-every 1 --seed $s --z-noise 0.8 --label-adv 10
    go 4-zn0.8-cond-ladv1-s$s supervised --epochs 100 --curve-every 5 --ckpt-every 1 --seed $s --z-noise 0.8 --cond-adv 1 --label-adv 1
    go 6-c16-h3000-s$s clustering --clusters 16 --epochs 1500 --ckpt-every 2 --seed $s
    go 6-c30-h3000-s$s clustering --clusters 30 --epochs 1500 --ckpt-every 2 --seed $s
    go 7-a-yg0.1-s$s dimred-semi --labels 1000 --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s
    go 7-d-yg0.1-s$s dimred-simplex --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s
  done
  go 7-c-yg0.1-s0 dimred-unsup --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed 0
elif [ "${SET:-1}" = 3 ]; then                       # SET=3: more seeds of §6 at A.3's width (does the seed-0 regime of 7.55% recur?)
  for s in 3 4 5 6 7; do go 6-c30-h3000-s$s clustering --clusters 30 --epochs 1500 --ckpt-every 2 --seed $s; done
  for s in 3 4 5 6 7; do go 6-c16-h3000-s$s clustering --clusters 16 --epochs 1500 --ckpt-every 2 --seed $s; done
  for s in 3 4; do go 7-c-yg0.1-s$s dimred-unsup --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s; done
  for s in 3 4; do go 7-c-yg0.1-hlr0.1-s$s dimred-unsup --y-grad 0.1 --head-lr 0.1 --epochs 200 --ckpt-every 1 --seed $s; done
elif [ "${SET:-1}" = 4 ]; then                       # SET=4 (2026-12-07): 11b with VAT (ours), the lead of the CPU ablation, beside its reference, five seeds
  for s in 0 1 2 3 4; do go 7-b-yg0.1-vat0.3-s$s dimred-semi --labels 100 --y-grad 0.1 --vat 0.3 --epochs 200 --ckpt-every 1 --seed $s; done
  for s in 0 1 2 3 4; do go 7-b-yg0.1-s$s dimred-semi --labels 100 --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s; done
elif [ "${SET:-1}" = 5 ]; then                       # SET=5 (2026-12-08): 11b with the class adversary x3 (ours), the lead of the CPU round, beside its reference, five seeds
  for s in 0 1 2 3 4; do go 7-b-yg0.1-cadv3-s$s dimred-semi --labels 100 --y-grad 0.1 --cat-adv-weight 3 --epochs 200 --ckpt-every 1 --seed $s; done
  for s in 0 1 2 3 4; do go 7-b-yg0.1-s$s dimred-semi --labels 100 --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s; done
elif [ "${SET:-1}" = 6 ]; then                       # SET=6 (2026-12-08): 11b with the class adversary x3 and VAT together (ours), the lead of the next CPU round, beside its reference, five seeds
  for s in 0 1 2 3 4; do go 7-b-yg0.1-cadv3-vat0.3-s$s dimred-semi --labels 100 --y-grad 0.1 --cat-adv-weight 3 --vat 0.3 --epochs 200 --ckpt-every 1 --seed $s; done
  for s in 0 1 2 3 4; do go 7-b-yg0.1-s$s dimred-semi --labels 100 --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed $s; done
else                                                 # SET=2: third seeds and paired defaults (a call of about 4 minutes)
  go 7-c-yg0.1-s1 dimred-unsup --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed 1
  go 7-c-yg0.1-s2 dimred-unsup --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed 2
  go 7-a-yg0.1-s2 dimred-semi --labels 1000 --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed 2
  go 7-d-yg0.1-s2 dimred-simplex --y-grad 0.1 --epochs 200 --ckpt-every 1 --seed 2
  go 7-a-base-s1 dimred-semi --labels 1000 --epochs 200 --ckpt-every 1 --seed 1
  go 7-d-base-s1 dimred-simplex --epochs 200 --ckpt-every 1 --seed 1
  go 6-c16-h3000-s2 clustering --clusters 16 --epochs 1500 --ckpt-every 2 --seed 2
  go 6-c30-h3000-s2 clustering --clusters 30 --epochs 1500 --ckpt-every 2 --seed 2
fi
echo "launched $(jobs -p | wc -l) runs on $DEV until $TRAIN_END s (MPS=$MPS)"
pack_every $(( TRAIN_END - (SECONDS - T0) ))
sleep $(( TRAIN_END - (SECONDS - T0) > 0 ? TRAIN_END - (SECONDS - T0) : 0 ))
[ -n "$DRY" ] || nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv > $OUT/smi.txt
pkill -TERM -f -- "--quiet --out $D/"; sleep 1
for ((i = 0; i < 20; i++)); do [ -z "$(jobs -pr)" ] && break; sleep 1; done
echo "training stopped at $((SECONDS-T0)) s"; pack
for d in $D/*/; do [ -f $d/checkpoint.pt ] && timeout $EVAL_S aae eval $d --what report --device $DEV > ${d%/}.eval.log 2>&1 & done
wait; pack
report
grep -h -A3 "wrote\|error" $D/*.eval.log | grep -v "^--" | head -60
echo "all done at $((SECONDS-T0)) s"
