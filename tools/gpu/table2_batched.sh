#!/bin/bash
# The nine Table 2 runs of `semi-supervised` (100 / 1000 / all labels x seeds 0, 1, 2) trained as ONE batched model
# (aae_nb.batched: stacked weights, the whole step of all nine in one CUDA graph) for as many epochs as one 10-minute
# device call allows, then each run's report (metrics.json, figures), exactly as `aae train` writes a single run.
# First, briefly, the step benchmark: one run alone, nine batched (eager), nine in the CUDA graph (tools/bench_batched.py).
# Needs the session's .whl/ folder (ignored by git: the fastcore wheel and MNIST as .whl/data/mnist.pkl.gz), carried to the
# GPU machine with the device tool (see tools/gpu/table2.sh for how to make it); paths below are as run there from the
# repository root. Every run's run.json / history.json (written after every epoch) are packed into $OUT/t2b_runs.tgz every
# minute and at the end (with metrics.json and the figures), so a call cut short still brings the histories back.
#   run(command="bash tools/gpu/table2_batched.sh", carry=[".whl"], timeout_s=600)
# Then: tar xzf t2b_runs.tgz; aae eval runs/gpu/t2b/l100-s0 works on each run; `aae train semi-supervised --seeds 0 1 2
# --labels 100 1000 all --out runs/gpu/t2b --resume --epochs N` continues them (checkpoints every CKPT epochs and at the end).
# DRY=1 DEV=cpu TRAIN_S=60 OUT=/tmp/x bash tools/gpu/table2_batched.sh   checks the script's own logic on a CPU machine
# (tiny: 2000 training images, 32 units; with the package's virtual environment active).
T0=$SECONDS
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [ -z "$DRY" ]; then                                     # the carried wheels and MNIST; no MPS: one process uses the GPU
  export AAE_NB_DATA=$PWD/.whl/data
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
  printf '#!/bin/bash\nexec python3 -c "import sys; from aae_nb.cli import main; sys.exit(main(sys.argv[1:]))" "$@"\n' > /tmp/aae; chmod +x /tmp/aae; export PATH=/tmp:$PATH
  nvidia-smi -L
fi
DEV=${DEV:-cuda}
SMALL=""; [ -n "$DRY" ] && SMALL="--n-train 2000 --hidden 32"
BENCH_SMALL=""; [ -n "$DRY" ] && BENCH_SMALL="--hidden 32 --steps 2 --rounds 1"
D=runs/gpu/t2b; CKPT=${CKPT:-25}; EVAL=${EVAL:-5}   # test error every EVAL epochs and at the last (the nine runs are evaluated one by one, not batched)
mkdir -p runs/gpu $OUT
pack() { tar czf $OUT/part.tgz $D.log $(ls $D/*/run.json $D/*/history.json $D/*/metrics.json $D/*/*.png 2>/dev/null) 2>/dev/null && mv $OUT/part.tgz $OUT/t2b_runs.tgz; }
echo "setup done at $((SECONDS-T0)) s"
timeout ${BENCH_S:-100} python3 tools/bench_batched.py --device $DEV --K 9 --models '§5 semi-supervised' $BENCH_SMALL --json $OUT/bench_batched.json 2>&1 | tee $OUT/bench.txt
echo "bench done at $((SECONDS-T0)) s"
TRAIN_S=${TRAIN_S:-$((560 - (SECONDS-T0)))}                 # what is left of the call, less the start of training and the nine reports
MIN=$(python3 -c "print(max(0.5, ($TRAIN_S - 45) / 60))")
echo "training the nine runs batched on $DEV for at most $MIN minutes"
timeout $TRAIN_S aae train semi-supervised --seeds 0 1 2 --labels 100 1000 all --epochs 5000 --minutes $MIN --device $DEV \
  --ckpt-every $CKPT --eval-every $EVAL --quiet --out $D $SMALL > $D.log 2>&1 &
PID=$!
for ((t = 60; t < TRAIN_S; t += 60)); do sleep 60; kill -0 $PID 2>/dev/null || break; pack; echo "packed at $((SECONDS-T0)) s"; done
wait $PID; echo "aae train exited with $? at $((SECONDS-T0)) s"; pack; tail -12 $D.log
[ -n "$DRY" ] || nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv >> $OUT/bench.txt
python3 - $D <<'PY'
import json, sys
from pathlib import Path
from aae_nb.semisupervised import table2
d = Path(sys.argv[1]); runs = sorted(p for p in d.iterdir() if (p/"history.json").is_file()) if d.is_dir() else []
for p in runs:
    h = json.loads((p/'history.json').read_text())
    print(p.name, len(h), 'epochs', 'test', [(r['epoch'], round(r['test/error'], 2)) for r in h if 'test/error' in r][-3:], 'wall', h[-1]['wall_s'] if h else None)
for r in table2(runs): print(f"{r['labels']:>5} labels, epoch {r['epoch']}: {r['mean']:.2f} ± {r['std']:.2f} % (n={r['n']}; paper {r['paper']})")
PY
echo "all done at $((SECONDS-T0)) s"
