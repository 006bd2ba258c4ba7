"""A baseline for §6 and §7's clustering numbers: k-means on the raw pixels, scored by the same protocol.

    python tools/kmeans_baseline.py OUT_DIR [--k 16 20 30] [--seeds 0 1 2] [--n-train N]

§6 (Table 3) and Figure 11c score a clustering by the paper's protocol (`aae_nb.metrics.cluster_error`): each cluster
takes the label of the one validation image it claims most strongly, and each test image takes its cluster's label.
For k-means "most strongly" reads as nearest: cluster i takes the label of the validation image nearest its centre,
each test image goes to its nearest centre. The JSON also holds the best-map accuracy and NMI of the test
assignments (`aae_nb.metrics.best_map_accuracy`, `nmi`), as `cluster_report` gives them for the models.

k-means here is Lloyd's algorithm from a k-means++ start (a `torch.Generator` seeded with the seed), on the training
images (the first `--n-train`, default all 50,000), until no image changes cluster or 300 iterations. No label is
seen while clustering. Nothing is trained with gradients; the numbers are a reference, not a model of the paper.
Each run is written as it ends, to `OUT_DIR/kK/sSEED.json` (a temporary file, then renamed); a run whose file exists is
skipped, so an interrupted call can be started again.
"""
import argparse, json, os, sys, time
from pathlib import Path

MAX_ITER = 300

def sqdist(x, c):
    "(N, K) squared Euclidean distances between the rows of x and of c."
    return (x.pow(2).sum(1, keepdim=True) - 2 * x @ c.T + c.pow(2).sum(1)).clamp_min_(0)

def kmeans(x, k:int, seed:int, max_iter:int=MAX_ITER):
    "Lloyd's k-means from a k-means++ start; returns (centres (K, D), iterations, inertia per image)."
    import torch
    if not 1 <= k <= len(x): raise ValueError(f"k must be between 1 and the number of images ({len(x)}), got {k}")
    g = torch.Generator().manual_seed(seed)
    c = x[torch.randint(len(x), (1,), generator=g)]
    d = sqdist(x, c).squeeze(1)
    for _ in range(k - 1):                                   # k-means++: the next centre drawn in proportion to d^2
        i = torch.multinomial(d / d.sum(), 1, generator=g) if d.sum() > 0 else torch.randint(len(x), (1,), generator=g)
        c = torch.cat([c, x[i]]); d = torch.minimum(d, sqdist(x, x[i]).squeeze(1))
    a = None
    for it in range(1, max_iter + 1):
        new = sqdist(x, c).argmin(1)
        if a is not None and torch.equal(new, a): break
        a = new
        for j in range(k):                                   # an emptied cluster keeps its centre
            m = a == j
            if m.any(): c[j] = x[m].mean(0)
    return c, it, float(sqdist(x, c).min(1).values.mean())

def score(c, valid, test):
    "The §6 protocol's test error (%) for centres `c`, with the best-map accuracy and NMI of the test assignments."
    from aae_nb.metrics import best_map_accuracy, nmi
    labels = valid.y[sqdist(valid.flat(), c).argmin(0)]      # cluster i: the label of the validation image nearest its centre
    a = sqdist(test.flat(), c).argmin(1)
    return {'error': 100. * float((labels[a] != test.y).float().mean()), 'best_map_accuracy': best_map_accuracy(a, test.y),
            'nmi': nmi(a, test.y), 'clusters_used': int(a.unique().numel())}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', type=Path, help='directory to write kK/sSEED.json into (created)')
    p.add_argument('--k', type=int, nargs='+', default=[16, 20, 30], help='cluster counts (Table 3: 16, 30; Figure 11c: 20)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--n-train', type=int, default=None, help='cluster only the first N training images')
    a = p.parse_args(argv)
    if any(k < 2 for k in a.k): p.error(f"--k: each cluster count must be at least 2, got {a.k}")
    if any(s < 0 for s in a.seeds): p.error(f"--seeds: seeds must be non-negative, got {a.seeds}")
    if a.n_train is not None and a.n_train < max(a.k): p.error(f"--n-train {a.n_train}: fewer images than clusters ({max(a.k)})")
    if a.out.exists() and not a.out.is_dir(): p.error(f"{a.out}: not a directory")
    if not a.out.parent.is_dir(): p.error(f"{a.out.parent}: no such directory")
    import torch
    from aae_nb.data import load_mnist
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', 1)))
    d = load_mnist()
    x = d.train.flat()[:a.n_train]
    command = 'python tools/kmeans_baseline.py ' + ' '.join(sys.argv[1:] if argv is None else argv)
    for k in a.k:
        for s in a.seeds:
            f = a.out/f'k{k}'/f's{s}.json'
            if f.exists(): print(f"{f}: exists, skipped"); continue
            t0 = time.time(); c, it, inertia = kmeans(x, k, s)
            r = {'what': 'k-means on raw MNIST pixels (Lloyd, k-means++ start), scored by the §6 protocol', 'k': k, 'seed': s,
                 'n_train': len(x), 'iterations': it, 'converged': it < MAX_ITER, 'inertia': inertia, **score(c, d.valid, d.test),
                 'wall_s': round(time.time() - t0, 1), 'command': command, 'device': 'cpu', 'threads': torch.get_num_threads(),
                 'torch': torch.__version__}
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix('.json.tmp'); tmp.write_text(json.dumps(r, indent=1) + '\n'); tmp.replace(f)
            print(json.dumps({k_: r[k_] for k_ in ('k', 'seed', 'iterations', 'error', 'best_map_accuracy', 'nmi', 'wall_s')}), flush=True)
    return 0

if __name__ == '__main__': sys.exit(main())
