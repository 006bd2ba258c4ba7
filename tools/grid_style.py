"""Which parts of a hand does a §4 model's style code keep, and does one row of its Figure 7a grid keep one hand?
Per handwriting measure of `handwriting_probe.measures` (ink, box width and height, centre, slant, spreads, stroke
width), on the final model of each run directory:

* `kept`: how much of the measure survives the code. Each test image x of digit k is decoded from its own mean code
  under its own label, D(E(x), k), and the measure of the reconstruction is correlated with the measure of x, among
  the test images of digit k; the mean over the ten digits. 1: the code keeps it (given the label); 0: it is lost.
* `row_spread`: how much the rows of the grid differ in the measure. `n_rows` codes z ~ p(z), each decoded under every
  label; for each label, the measure's std across rows over its std among the test images of that digit; the mean
  over the labels. 1: the rows differ as much as real hands do; 0: every row draws the digit alike.
* `row_consistency`: whether a row keeps its hand across the columns: the correlation, across rows, of the measure
  under one label with the measure under another, averaged over the 45 pairs of labels. 1: a row that is wide
  (or slanted, ...) under one label is as wide under every label.
* `kept_after_blur`: `kept` with the test images blurred (a Gaussian of 1 pixel) in place of the reconstructions: what
  blur alone, which every decoder of this kind adds, costs each measure. MNIST's preprocessing sizes and centres each
  digit (real digits of one class differ by about a pixel in box height and less in centre), so those three measures
  say little; blur costs the box's height most.

Written beside each run as `grid_style.json`, a record the notebook reads.

    python tools/grid_style.py runs/full4/zn0.8-ridge3-ms3k5-cyc0.3-clip10/s*
"""
import json, sys
from pathlib import Path

def corr(a, b, dim=0, rtol=1e-5):
    "Pearson correlation of a and b along `dim`; 0 where either is constant (its std at most `rtol` of its root mean square: rounding, not a spread)."
    flat = lambda v: v.var(dim, unbiased=False) <= rtol ** 2 * v.pow(2).mean(dim) + 1e-30
    ok = ~(flat(a) | flat(b))
    a, b = a - a.mean(dim, keepdim=True), b - b.mean(dim, keepdim=True)
    return (a * b).sum(dim) / (a.pow(2).sum(dim) * b.pow(2).sum(dim)).sqrt().clamp_min(1e-30) * ok

def class_corr(ma, mb, y, k:int):
    "`corr` of measures `ma` and `mb` (N, M) among the images of each class of `y`, averaged over the `k` classes: (M,)."
    import torch
    return torch.stack([corr(ma[y == c], mb[y == c]) for c in range(k)]).mean(0)

def grid_style(model, test, n_rows:int=500, seed:int=0) -> dict:
    "The three readings above for one model, on the test split `test` (images in [0, 1], labels)."
    import torch
    from handwriting_probe import measures
    from aae_nb.metrics import encode_split
    from aae_nb.supervised import decode_as
    k = model.n_classes
    x, y = test.x, test.y
    mx = measures(x)                                                                       # (N, 9) of the real test images
    z = encode_split(model, test, ['z'], y=y)['z']                                         # (N, d) mean codes
    mr = measures(torch.cat([decode_as(model, z[i:i + 1000], y[i:i + 1000]) for i in range(0, len(z), 1000)]))   # (N, 9) of D(E(x), y)
    kept = class_corr(mx, mr, y, k)                                                        # (9,)
    ref = torch.stack([mx[y == c].std(0) for c in range(k)])                               # (K, 9): real hands' spread per digit
    zp = model.prior_of('z').sample(n_rows, generator=torch.Generator().manual_seed(seed))[0]
    mg = measures(decode_as(model, zp.repeat_interleave(k, 0), torch.arange(k).repeat(n_rows))).view(n_rows, k, -1)   # (R, K, 9)
    spread = (mg.std(0) / ref.clamp_min(1e-6)).mean(0)                                    # (9,)
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    cons = torch.stack([corr(mg[:, a], mg[:, b]) for a, b in pairs]).mean(0)               # (9,)
    return {'kept': kept.tolist(), 'row_spread': spread.tolist(), 'row_consistency': cons.tolist(), 'kept_after_blur': blur_kept(x, y, mx, k).tolist()}

def blur_kept(x, y, mx, k:int, sigma:float=1.0):
    "`kept` for the test images blurred by a Gaussian of `sigma` pixels in place of a model's reconstructions: what blur alone costs each measure."
    from handwriting_probe import measures
    from aae_nb.model import gaussian_blur
    mb = measures(gaussian_blur(x[:, 0], sigma)[:, None])
    return class_corr(mx, mb, y, k)

def main(dirs):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from style_use import final_models
    from handwriting_probe import NAMES
    test = load_mnist().test
    n_rows, seed = 500, 0
    for d, m, src, ep in final_models(dirs, need_label=True):
        with torch.no_grad(): r = grid_style(m, test, n_rows, seed)
        rec = {'measures': NAMES, **r, 'n_rows': n_rows, 'seed': seed, 'n_test_images': len(test.x), 'epochs': ep, 'model_file': src,
               'command': 'python tools/grid_style.py ' + str(d)}
        (d/'grid_style.json').write_text(json.dumps(rec, indent=1))
        print(f"{d} ({ep} epochs):")
        for i, nm in enumerate(NAMES): print(f"  {nm:18s} kept {r['kept'][i]:5.2f} (blur alone: {r['kept_after_blur'][i]:4.2f})  row spread {r['row_spread'][i]:5.2f}  row consistency {r['row_consistency'][i]:5.2f}")

if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).parent))
    if len(sys.argv) < 2: sys.exit('usage: python tools/grid_style.py RUN_DIR...')
    main(sys.argv[1:])
