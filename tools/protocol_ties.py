"""§6 protocol check: how the paper's labelling rule ("for each cluster i, we found the validation example x_n that
maximizes q(y_i|x_n), and assigned the label of x_n to all the points in the cluster i") behaves on a finished
clustering run, and what it costs against labelling each cluster by its commonest digit.

In float32 the softmax of a confident encoder is exactly 1.0 for many images, so "the" maximiser is a tie among all of
them; the package's `cluster_labels` takes the first in the validation split's order. This tool measures, with the
run's final weights (eval mode, as every record):

- `ties`: per cluster, how many validation images share the largest q(y_i|x) in float32;
- `saturated_share`: the share of validation images whose largest q(y|x) is exactly 1.0 in float32;
- `error_protocol`: the protocol's test error as the package computes it (ties broken by the first index);
- `error_exact`: the protocol with the exact maximiser, ranked by l_i - logsumexp_{j != i} l_j of the logits l in
  float64 (log q_i - log(1 - q_i), a monotone function of q(y_i|x) that does not saturate);
- `error_valid_majority`: each cluster labelled by the commonest digit of the validation images it holds (another
  rule that uses the validation labels; clusters with none keep the protocol's label);
- `error_test_majority`: each cluster labelled by the commonest digit of its own test images (the least error any
  rule with one label per cluster can reach; it reads the test labels, so it is a bound, not a result).

It writes `protocol.json` beside the run (a record the notebook reads); the run's own files are not changed.

    python tools/protocol_ties.py runs/more6/c30-h1000/s*

Each run's `model.pt` (written when training finished) is loaded; runs without one are skipped with a line saying so.
"""
import json, sys
from pathlib import Path

def margin(logits):
    "log q_i - log(1 - q_i) for every class i, from logits (N, K), in float64: the order of q(y_i|x) over images without float32's ties at 1.0."
    import torch
    l = logits.double(); K = l.shape[1]
    others = l.unsqueeze(1).expand(-1, K, -1).masked_fill(torch.eye(K, dtype=torch.bool), float('-inf')).logsumexp(2)
    return l - others

def _majority(assign, y, K, fallback):
    import torch
    lab = fallback.clone()
    for k in range(K):
        m = assign == k
        if m.any(): lab[k] = torch.bincount(y[m]).argmax()
    return lab

def protocol_ties(model, data) -> dict:
    "The measurements listed in the module's text, for one model on `data` (its valid and test splits)."
    import torch
    from aae_nb.metrics import encode_split, cluster_error, cluster_labels
    cv, ct = (encode_split(model, s, ['y', 'y_logits']) for s in (data.valid, data.test))
    yv, yt = data.valid.y.long().cpu(), data.test.y.long().cpu()
    pv, pt, K = cv['y'], ct['y'], cv['y'].shape[1]
    a = pt.argmax(1)
    proto = cluster_labels(pv, yv)
    err = lambda lab: 100. * (lab[a] != yt).float().mean().item()
    exact = yv[margin(cv['y_logits']).argmax(0)]
    return {'ties': [int((pv[:, k] == pv[:, k].max()).sum()) for k in range(K)],
            'saturated_share': float((pv.max(1).values == 1.0).float().mean()),
            'error_protocol': cluster_error(pv, yv, pt, yt),
            'error_exact': err(exact),
            'error_valid_majority': err(_majority(pv.argmax(1), yv, K, proto)),
            'error_test_majority': err(_majority(a, yt, K, proto)),
            'clusters_relabelled_exact': int((exact != proto).sum())}

def main(dirs):
    from bn_stats import finished_clustering_runs                       # tools/: the same walk over run folders
    for d, m, ds, ep in finished_clustering_runs(dirs):
        rec = {**protocol_ties(m, ds), 'epochs': ep, 'command': 'python tools/protocol_ties.py ' + str(d)}
        (d/'protocol.json').write_text(json.dumps(rec, indent=1))
        print(f"{d} ({ep} epochs): protocol {rec['error_protocol']:.2f}, exact {rec['error_exact']:.2f}, valid-majority {rec['error_valid_majority']:.2f}, "
              f"test-majority {rec['error_test_majority']:.2f}; most ties {max(rec['ties'])}, saturated {rec['saturated_share']:.1%}", flush=True)

if __name__ == '__main__': main(sys.argv[1:])
