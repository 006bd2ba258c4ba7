"""How a clustering run uses its clusters: for run directories of §6 (`clustering`) and §7's unsupervised panel
(`dimred-unsup`), the softmax head q(y|x) on the 10,000 MNIST test images, written beside each run as
`cluster_use.json`, a record the notebooks read.

    python tools/cluster_use.py runs/abl7/c-*/s*

The record holds how confident q(y|x) is (the mean of its largest entry, the share of images where it is above 0.9),
how evenly the clusters are used (the entropy of the mean q(y|x) in nats beside log K, the uniform Categorical prior's;
the clusters that take more than 1% of the images by argmax; the largest cluster's share), the cluster sizes, and the
§6 protocol's test error of the same model. A collapse shows as confident assignments spread over few clusters: a
per-image Categorical adversary then tells the codes from the prior by how often each one-hot comes up.
"""
import json, math, sys
from pathlib import Path

def use_of(p) -> dict:
    "The readings of a (N, K) matrix of cluster probabilities q(y|x)."
    import torch
    p = torch.as_tensor(p, dtype=torch.float64); n, k = p.shape
    conf = p.max(1).values
    mean = p.mean(0).clamp_min(1e-300)
    sizes = torch.bincount(p.argmax(1), minlength=k)
    return {'clusters': k, 'mean_max_q': float(conf.mean()), 'share_max_q_above_0.9': float((conf > 0.9).double().mean()),
            'entropy_mean_q': float(-(mean * mean.log()).sum()), 'entropy_uniform': math.log(k),
            'clusters_over_1pct': int((sizes > 0.01 * n).sum()), 'largest_share': float(sizes.max()) / n, 'cluster_sizes': sizes.tolist()}

def main(dirs):
    if not dirs: print(__doc__); return 2
    import torch
    torch.set_num_threads(1)
    from aae_nb.experiments import load_run
    from aae_nb.metrics import encode_split, cluster_error
    for d in map(Path, dirs):
        r = load_run(d, device='cpu'); m = r.model.eval()
        if 'y' not in m.encoder.code_dims or m.sup_head is not None: print(f"{d}: not an unsupervised clustering run (no softmax y without labels), skipped"); continue
        pv, pt = (encode_split(m, s, ['y'])['y'] for s in (r.data.valid, r.data.test))
        rec = {'epoch': r.epoch, 'experiment': r.experiment.name, **use_of(pt), 'test_error': cluster_error(pv, r.data.valid.y, pt, r.data.test.y),
               'command': 'python tools/cluster_use.py ' + str(d)}
        (d/'cluster_use.json').write_text(json.dumps(rec, indent=1) + '\n')
        print(f"{d}: epoch {rec['epoch']}, error {rec['test_error']:.2f}%, mean max q {rec['mean_max_q']:.3f}, entropy {rec['entropy_mean_q']:.2f} of {rec['entropy_uniform']:.2f}, "
              f"{rec['clusters_over_1pct']} of {rec['clusters']} clusters over 1%, largest {100 * rec['largest_share']:.1f}%")
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
