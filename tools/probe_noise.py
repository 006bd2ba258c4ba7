"""How much of a §4 run's report probe (`metrics.json`: `z_probe_mlp`, an MLP trained once, seeded with the run's seed, 20 epochs, on the
50,000 training codes' means) is the probe's own noise, and whether a longer-trained probe reads more: the same probe
retrained with seeds 0-4, and with three times the epochs (seed 0), on the same final model's codes. Written beside the
run as `probe_noise.json`, a record the notebook reads.

    python tools/probe_noise.py runs/full4/zn0.8-ridge3-ms3k5-cyc0.3-clip10-sc3/s*

The report's probe is seeded with the run's own seed (`disentanglement(..., seed=opts.seed)`); where that seed is one of
0-4, the tool checks that its reading is the report's, and says so in the record (`report_reproduced`). A run stopped
before its last epoch is read from its `checkpoint.pt` (the record says which file and epoch).
"""
import json, sys
from pathlib import Path

SEEDS, EPOCHS, LONG = (0, 1, 2, 3, 4), 20, 60

def probe_noise(m, data):
    "{'seeds': [acc per seed at EPOCHS], 'long': acc of seed 0 at LONG epochs} for the MLP probe on `m`'s mean codes."
    from aae_nb.supervised import encode_split, code_probe
    tr, te = data.train, data.test
    z_tr, z_te = encode_split(m, tr, ['z'])['z'], encode_split(m, te, ['z'])['z']
    p = lambda seed, ep: code_probe(z_tr, tr.y, z_te, te.y, (256, 256), data.n_classes, epochs=ep, seed=seed)
    return {'seeds': [p(s, EPOCHS) for s in SEEDS], 'long': p(0, LONG)}

def main(dirs):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from style_use import final_models
    data = load_mnist()
    for d, m, src, ep in final_models(dirs):
        r = probe_noise(m, data)
        seed, rep, same = json.loads((d/'run.json').read_text())['options']['seed'], None, None
        if (d/'metrics.json').is_file() and seed in SEEDS:
            rep = json.loads((d/'metrics.json').read_text())['final']['z_probe_mlp']
            same = abs(rep - r['seeds'][SEEDS.index(seed)]) < 1e-6
            if not same: print(f"{d}: warning: the probe with the run's seed {seed} reads {r['seeds'][SEEDS.index(seed)]:.4f}, metrics.json {rep:.4f}")
        t = torch.tensor(r['seeds'])
        rec = {**r, 'mean': t.mean().item(), 'std': t.std().item(), 'probe_seeds': list(SEEDS), 'probe_epochs': EPOCHS, 'long_epochs': LONG,
               'run_seed': seed, 'report': rep, 'report_reproduced': same,
               'epochs': ep, 'model_file': src, 'command': 'python tools/probe_noise.py ' + str(d)}
        (d/'probe_noise.json').write_text(json.dumps(rec, indent=1))
        print(f"{d} ({ep} epochs): probe seeds {' / '.join(f'{100 * v:.1f}' for v in r['seeds'])}% (mean {100 * rec['mean']:.1f} ± {100 * rec['std']:.1f}); {LONG} epochs {100 * r['long']:.1f}%")

if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).parent))
    if len(sys.argv) < 2: sys.exit('usage: python tools/probe_noise.py RUN_DIR...')
    main(sys.argv[1:])
