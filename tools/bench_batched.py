"""K runs trained as one batched model against the same K runs one after another, per run (a benchmark, not a test).

    python tools/bench_batched.py [--device cpu|cuda] [--K 9] [--models '§5 semi-supervised' '§2 AAE'] [--hidden 1000 100] [--steps 5] [--rounds 3] [--json FILE]

For each model family and hidden size: ms per step of one run alone (what K runs one after another take per run) and of
the K runs batched (`aae_nb.batched`, per-run noise as in training), and on CUDA of the batched step in a CUDA graph;
each also as GFLOP/s and as a share of the float32 matrix-product peak measured in the same rounds. Single and batched
steps alternate `--rounds` times, so a machine whose load changes affects both alike. Same as `aae bench --batched K`.
"""
import argparse, json, sys
import torch
from aae_nb.batched import bench_batched, batched_table
from aae_nb.data import load_mnist

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='auto'); p.add_argument('--K', type=int, default=9)
    p.add_argument('--models', nargs='+', default=['§5 semi-supervised'], help="model families of aae_nb.bench.bench_models")
    p.add_argument('--hidden', nargs='+', type=int, default=[0], help='hidden sizes (0: the paper\'s)')
    p.add_argument('--steps', type=int, default=5); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--amp', action='store_true'); p.add_argument('--json', help='also write the results here')
    a = p.parse_args()
    data, out = load_mnist(), []
    for m in a.models:
        for h in a.hidden:
            r = bench_batched(a.K, m, hidden=h or None, device=a.device, steps=a.steps, rounds=a.rounds, amp=a.amp, data=data)
            print(batched_table(r), '\n', flush=True); out.append(r)
    if a.json: open(a.json, 'w').write(json.dumps(out, indent=1))

if __name__ == '__main__': sys.exit(main())
