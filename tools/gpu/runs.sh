# Sourced by table2.sh and dimred.sh: helpers for training runs in runs/gpu/ that are stopped by `timeout`.
# pack: every run's log, run.json and history.json (and metrics.json where a run finished) into $OUT/gpu_runs.tgz,
# written whole or not at all, so a call cut short still brings back the last complete pack.
pack() { tar czf $OUT/part.tgz runs/gpu/*.log $(ls runs/gpu/*/run.json runs/gpu/*/history.json runs/gpu/*/metrics.json 2>/dev/null) 2>/dev/null && mv $OUT/part.tgz $OUT/gpu_runs.tgz; }
# report: one line per run, the epochs it reached, its last three test errors and its wall time
report() { for d in runs/gpu/*/; do python3 -c "import json,sys; h=json.load(open('$d/history.json')); print('$d', len(h), 'epochs', 'test', [round(r.get('test/error',-1),2) for r in h][-3:], 'wall', h[-1]['wall_s'])" 2>/dev/null || echo "$d no history"; done; }
# pack_every TRAIN_S: pack once a minute while the runs train
pack_every() { for ((t = 60; t < $1; t += 60)); do sleep 60; pack; echo "packed at $((SECONDS-T0)) s"; done; }
