#!/bin/bash
# Copied from the session's .whl/ folder (ignored by git), which also held the fastcore wheel and MNIST (.whl/data/mnist.pkl.gz),
# carried to the GPU machine with the device tool; paths below are as run there from the repository root.
# The setup lines it ran are now tools/gpu/setup.sh (shared with table2.sh), unchanged.
# GPU session, call 2: `aae bench` on CUDA in float32 and bf16 (after the autocast fix), then 14 concurrent §5 runs
# (A.2.1, 100 labels: the ablation arms, paired by seed) for as long as the lease allows, with every notebook's tests on
# CUDA alongside at low priority. Histories are written every epoch; everything is packed into $OUT at the end.
source tools/gpu/setup.sh || exit 1
echo "setup done at $((SECONDS-T0)) s"
timeout 45 aae bench --device cuda --steps 20 --json $OUT/bench_cuda_fp32.json > $OUT/bench.txt 2>&1
timeout 45 aae bench --device cuda --steps 20 --amp --json $OUT/bench_cuda_bf16.json >> $OUT/bench.txt 2>&1
cat $OUT/bench.txt | grep -v "^wrote"; echo "bench done at $((SECONDS-T0)) s"
TRAIN_S=$((395 - (SECONDS-T0)))
mkdir -p runs/gpu
arm() { name=$1; shift; timeout $TRAIN_S aae train semi-supervised --labels 100 --device cuda --epochs 500 --ckpt-every 100000 --quiet --out runs/gpu/$name "$@" > runs/gpu/$name.log 2>&1 & }
for s in 0 1 2; do arm base-s$s --seed $s; done
for s in 0 1; do
  arm init01-s$s --seed $s --init-std 0.01
  arm hardy-s$s --seed $s --dec-y hard
  arm minimax-s$s --seed $s --gen-loss minimax
  arm adamfast-s$s --seed $s --opt adam-fast
done
arm share10-s0 --seed 0 --labelled-share 0.1
arm mse-s0 --seed 0 --recon mse
arm sup20-s0 --seed 0 --sup-bs 20
echo "launched 14 runs for $TRAIN_S s (MPS=$MPS)"
sleep 20
(cd nbs && ls [0-9]*.ipynb | nice -n 15 xargs -P 2 -I{} timeout 200 python3 ../tools/gpu/nbrun.py {} > $OUT/nbs.txt 2>&1) &
NB=$!
sleep $((TRAIN_S - 25)); nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv > $OUT/smi.txt
wait $(jobs -p | grep -v "^$NB$") 2>/dev/null; sleep 2
kill -- $NB 2>/dev/null; pkill -f nbrun.py
echo "training done at $((SECONDS-T0)) s"
for d in runs/gpu/*/; do python3 -c "import json,sys; h=json.load(open('$d/history.json')); print('$d', len(h), 'epochs', 'test', [round(r.get('test/error',-1),2) for r in h][-3:], 'wall', h[-1]['wall_s'])" 2>/dev/null || echo "$d no history"; done
tar czf $OUT/gpu_runs.tgz runs/gpu/*.log runs/gpu/*/run.json runs/gpu/*/history.json $(ls runs/gpu/*/metrics.json 2>/dev/null)
grep -E "^NB|^FAIL" $OUT/nbs.txt | head -60
echo "all done at $((SECONDS-T0)) s"
