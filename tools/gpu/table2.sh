#!/bin/bash
# Needs the session's .whl/ folder (ignored by git: the fastcore wheel and MNIST as .whl/data/mnist.pkl.gz), carried to the
# GPU machine with the device tool; paths below are as run there from the repository root.
# To make .whl/ on a fresh checkout: pip download --no-deps "fastcore>=1.12.3,<1.13" -d .whl; mkdir -p .whl/data; and copy the
# MNIST file the package uses (aae_nb.data finds it; ~/.cache/aae_nb/mnist.pkl.gz here) to .whl/data/.
# Prepared for the next GPU session (not yet run): Table 2 with both recipes, 15 concurrent §5 runs under CUDA MPS
# for as long as one call allows (about 9 minutes: some 70-80 epochs each at the 14-run pace of the ablation; the VAT
# runs' step is about a third longer): the faithful default with 1000 / all labels (its three 100-label seeds are
# recorded to epoch 50-59 already), the best recipe (ours: + --labelled-share 0.1) with 100 / 1000 labels (with all
# labels there is no unlabelled image to share the batch with), and the best recipe + --vat 0.3 (ours) with 100 labels,
# seeds 0-2 each.
# Histories are written every epoch; everything is packed into $OUT at the end. Run from the repository root:
#   run(command="bash tools/gpu/table2.sh", carry=[".whl"], timeout_s=600)
source tools/gpu/setup.sh || exit 1
echo "setup done at $((SECONDS-T0)) s"
TRAIN_S=$((560 - (SECONDS-T0)))
mkdir -p runs/gpu
go() { name=$1; shift; timeout $TRAIN_S aae train semi-supervised --device cuda --epochs 5000 --ckpt-every 100000 --quiet --out runs/gpu/$name "$@" > runs/gpu/$name.log 2>&1 & }
for s in 0 1 2; do
  for L in 1000 all; do go faith-$L-s$s --labels $L --seed $s; done
  for L in 100 1000; do go best-$L-s$s --labels $L --seed $s --labelled-share 0.1; done
  go vat03-100-s$s --labels 100 --seed $s --labelled-share 0.1 --vat 0.3
done
echo "launched 15 runs for $TRAIN_S s (MPS=$MPS)"
sleep $((TRAIN_S - 20)); nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv > $OUT/smi.txt
wait; sleep 2
echo "training done at $((SECONDS-T0)) s"
for d in runs/gpu/*/; do python3 -c "import json,sys; h=json.load(open('$d/history.json')); print('$d', len(h), 'epochs', 'test', [round(r.get('test/error',-1),2) for r in h][-3:], 'wall', h[-1]['wall_s'])" 2>/dev/null || echo "$d no history"; done
tar czf $OUT/gpu_runs.tgz runs/gpu/*.log runs/gpu/*/run.json runs/gpu/*/history.json $(ls runs/gpu/*/metrics.json 2>/dev/null)
echo "all done at $((SECONDS-T0)) s"
