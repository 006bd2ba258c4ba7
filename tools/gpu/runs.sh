# Sourced by table2.sh, dimred.sh and fidelity.sh: helpers for training runs in runs/gpu/ that are stopped at the end of a call.
# pack: every run's log, run.json and history.json (and metrics.json where a run finished, eval.json and the figures where
# `aae eval` reported it) into $OUT/gpu_runs.tgz,
# written whole or not at all, so a call cut short still brings back the last complete pack.
pack() { tar czf $OUT/part.tgz runs/gpu/*.log $(ls runs/gpu/*/run.json runs/gpu/*/history.json runs/gpu/*/metrics.json runs/gpu/*/eval.json runs/gpu/*/*.png 2>/dev/null) 2>/dev/null && mv $OUT/part.tgz $OUT/gpu_runs.tgz; }
# report: one line per run, the epochs it reached, its last epoch's errors (and §4's read-back and probes) and its wall time
report() { for d in runs/gpu/*/; do python3 -c "import json; h=json.load(open('$d/history.json')); l=h[-1]; print('$d', len(h), 'epochs', {k: round(v, 2) for k, v in l.items() if isinstance(v, (int, float)) and any(w in k for w in ('error', 'read', 'probe'))}, 'wall', l['wall_s'])" 2>/dev/null || echo "$d no history"; done; }
# pack_every TRAIN_S: pack once a minute while the runs train
pack_every() { for ((t = 60; t < $1; t += 60)); do sleep 60; pack; echo "packed at $((SECONDS-T0)) s"; done; }
