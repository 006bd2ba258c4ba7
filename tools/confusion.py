"""Where a classifier's test errors sit: the confusion matrix of q(y|x)'s argmax on the 10,000 MNIST test images for
run directories of the semi-supervised experiments (§5 `semi-supervised`, §7 `dimred-semi` / `dimred-simplex`), written
beside each run as `confusion.json`, a record the notebooks read.

    python tools/confusion.py runs/full7/b-yg0.1-e200/s*

The run's newest checkpoint (or model.pt) is loaded with `load_run`, so a run still training is read at its last
finished epoch (the record says which). The record holds the matrix (rows: true class, columns: predicted), the test
error, each class's error, the confused pairs by count (true, predicted, count) and the share of all errors that the
two directions of the most confused pair of classes make.
"""
import json, sys
from pathlib import Path

def confusion(pred, y, k:int=10):
    "The k x k confusion matrix (rows: true class, columns: predicted) as a list of lists of ints."
    import torch
    c = torch.zeros(k, k, dtype=torch.long)
    c.index_put_((torch.as_tensor(y).long(), torch.as_tensor(pred).long()), torch.ones(len(y), dtype=torch.long), accumulate=True)
    return c.tolist()

def summary(c) -> dict:
    "Test error, per-class error, confused pairs and the most confused pair's share of the errors, from a confusion matrix."
    k = len(c); n = sum(map(sum, c)); wrong = n - sum(c[i][i] for i in range(k))
    pairs = sorted(((c[i][j], i, j) for i in range(k) for j in range(k) if i != j and c[i][j]), reverse=True)
    both = {(min(i, j), max(i, j)): c[i][j] + c[j][i] for i in range(k) for j in range(k) if i < j}
    (a, b), top = max(both.items(), key=lambda kv: kv[1])
    return {'test_error': 100. * wrong / n, 'errors': wrong, 'class_error': [100. * (sum(r) - r[i]) / max(sum(r), 1) for i, r in enumerate(c)],
            'confused': [[i, j, m] for m, i, j in pairs], 'top_pair': [a, b], 'top_pair_errors': top,
            'top_pair_share': 100. * top / max(wrong, 1)}

def main(dirs):
    if not dirs: print(__doc__); return 2
    import torch
    torch.set_num_threads(1)
    from aae_nb.experiments import load_run
    from aae_nb.metrics import classify
    for d in map(Path, dirs):
        r = load_run(d, device='cpu'); t = r.data.test
        if r.model.sup_head is None: print(f"{d}: no classifier head (q(y|x) is not a classifier here), skipped"); continue
        c = confusion(classify(r.model, t.x).cpu(), t.y.cpu(), r.model.n_classes)
        rec = {'epoch': r.epoch, 'experiment': r.experiment.name, 'matrix': c, **summary(c), 'command': 'python tools/confusion.py ' + str(d)}
        (d/'confusion.json').write_text(json.dumps(rec, indent=1) + '\n')
        a, b = rec['top_pair']
        print(f"{d}: epoch {rec['epoch']}, test error {rec['test_error']:.2f}%, {a}<->{b} {rec['top_pair_errors']} of {rec['errors']} errors ({rec['top_pair_share']:.0f}%)")
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
