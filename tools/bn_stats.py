"""§6 ablation arm "batch-norm statistics at test time" (A.3 leaves it open): the test error of finished clustering runs
(`clustering`, and §7's unsupervised panel `dimred-unsup`, which takes A.3's encoder)
under the paper's protocol, with the encoder's batch-norm layers normalising by

- `running`: the running averages training kept (PyTorch's eval mode; what every record of the package reports);
- `population`: the exact mean and variance over the whole training split, recomputed once after training with the
  training-time input (A.3's 20% input dropout on, or the noise arm's input noise) and the final weights;
- `population-clean`: the same without input dropout or noise (the input the test images are seen with);
- `batch`: the statistics of each mini-batch of 100 validation or test images (train-mode batch-norm, dropout off).

It writes `bn_stats.json` beside the run, a record the notebook reads; the run's own files are not changed.
The package makes a run's whole report (figures and numbers) the `population` way with
`aae eval RUN --bn-stats population --out DIR` (`aae_nb.nets.population_bn_stats`); it takes the training images in a
seeded random order where this tool takes them in order (`shuffle=False`), so the two differ a little (32.09 against this tool's 32.07% on
`abl7/c-yg0.1-h3000/s1`, one check of 2026-12-08).

    python tools/bn_stats.py runs/abl6/*/s* runs/full6/*/s*

Each run's `model.pt` (written when training finished) is loaded; runs without one are skipped with a line saying so.
"""
import copy, json, sys
from pathlib import Path

def _batch_codes(model, x, bs):
    "q(y|x) of images `x`, each batch of `bs` normalised by its own statistics (dropout off), the running averages left as they are (the package's `bn_batch_stats`, as VAT's `--vat-bn batch`)."
    import torch
    from aae_nb.semisupervised import bn_batch_stats
    with torch.no_grad(), bn_batch_stats(model.encoder) as enc: return torch.cat([enc(x[i:i + bs])['y'].float() for i in range(0, len(x), bs)])

def _recompute(model, x, bs, dropout, seed=0):
    "A copy of `model` whose encoder's batch-norm layers hold the training-split statistics (the package's `population_bn_stats`, the batches in order); `dropout`: with the training-time input (its dropout or noise)."
    from aae_nb.nets import population_bn_stats
    m = copy.deepcopy(model).eval()
    population_bn_stats(m.encoder, x, bs, train_input=dropout, seed=seed, shuffle=False)
    return m

def bn_stats(model, data, bs:int=100) -> dict:
    "Test error (§6 protocol) and best-map accuracy of `model` under each way of normalising (see the module's text)."
    from aae_nb.metrics import cluster_error, best_map_accuracy, cluster_report
    pick = lambda r: {'error': r['error'], 'best_map_accuracy': r['best_map_accuracy']}
    res = {'running': pick(cluster_report(model, data.valid, data.test)),
           'population': pick(cluster_report(_recompute(model, data.train.x, bs, True), data.valid, data.test)),
           'population-clean': pick(cluster_report(_recompute(model, data.train.x, bs, False), data.valid, data.test))}
    pv, pt = _batch_codes(model, data.valid.x, bs), _batch_codes(model, data.test.x, bs)
    res['batch'] = {'error': cluster_error(pv, data.valid.y, pt, data.test.y), 'best_map_accuracy': best_map_accuracy(pt.argmax(1), data.test.y)}
    return res

CLUSTERING = ('clustering', 'dimred-unsup')   # the experiments whose q(y|x) is scored by the §6 protocol (§6, Figure 11c)

def finished_clustering_runs(dirs):
    "Each finished clustering run among `dirs`: (folder, its model.pt in eval mode, MNIST with its training subset, its epochs); the others are skipped with a line saying why."
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from aae_nb.model import load_model
    from aae_nb.experiments import subset_train
    data = load_mnist()
    for d in map(Path, dirs):
        if not (d/'run.json').is_file(): print(f"{d}: not a run folder (no run.json), skipped"); continue
        if not (d/'model.pt').is_file(): print(f"{d}: no model.pt (unfinished run), skipped"); continue
        run = json.loads((d/'run.json').read_text())
        if run.get('experiment') not in CLUSTERING: print(f"{d}: a {run.get('experiment')!r} run, not a clustering one, skipped"); continue
        ep = json.loads((d/'metrics.json').read_text()).get('epochs') if (d/'metrics.json').is_file() else None
        yield d, load_model(d/'model.pt').eval(), subset_train(data, run.get('options', {}).get('n_train')), ep

def main(dirs):
    for d, m, ds, ep in finished_clustering_runs(dirs):
        rec = {'modes': bn_stats(m, ds), 'epochs': ep, 'n_train_images': len(ds.train.x), 'batch_size': 100,
               'command': 'python tools/bn_stats.py ' + str(d)}
        (d/'bn_stats.json').write_text(json.dumps(rec, indent=1))
        print(f"{d} ({ep} epochs): " + ', '.join(f"{k} {v['error']:.2f}" for k, v in rec['modes'].items()), flush=True)

if __name__ == '__main__': main(sys.argv[1:])
