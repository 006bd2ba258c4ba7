"""Speckle in a §4 model's Figure 7a grid. Each image's roughness is its outline (the sum of |grad p| over its pixels)
over the outline of its 1-pixel Gaussian blur. The blur leaves a clean edge's outline about as it is (a step's rise
does not change) and takes most of a pixel-scale speckle's away, so a smooth drawing reads near 1 and a speckled one
more. MNIST's own digits read about 1.5: their edges are sharp, a rise within one pixel that the blur spreads out.
The package's decoders draw smoother edges than that, so roughness compares decoders with each other, not with the
data. It is measured on `n_rows` codes z ~ p(z), each decoded under every label (the grid that `grid_style.py` reads),
and on the test images for reference. Written beside each run as `roughness.json`, with `roughness.png`: the grid's
four roughest rows above its two median ones.

    python tools/roughness.py runs/full4/zn0.8-ridge3-ms3k5-cyc0.3-clip10-sc3/s*
"""
import json, sys
from pathlib import Path

def roughness(x, sigma:float=1.0):
    "(N,) outline of images x (N, C, H, W) over the outline of their Gaussian blur of `sigma` pixels."
    from aae_nb.model import gaussian_blur, outline_length
    p = x.float().mean(1)
    return outline_length(p, eps=0.) / outline_length(gaussian_blur(p, sigma), eps=0.).clamp_min(1e-6)

def grid_roughness(model, test, n_rows:int=500, seed:int=0) -> dict:
    "Roughness of the grid of `n_rows` codes z ~ p(z) under every label, and of the test images `test.x`."
    import torch
    from aae_nb.supervised import decode_as
    k = model.n_classes
    zp = model.prior_of('z').sample(n_rows, generator=torch.Generator().manual_seed(seed))[0]
    g = roughness(decode_as(model, zp.repeat_interleave(k, 0), torch.arange(k).repeat(n_rows))).view(n_rows, k)
    rows, real = g.mean(1), roughness(test.x)
    top = rows.topk(min(5, n_rows))
    mid = rows.argsort()[(n_rows - 1) // 2:(n_rows - 1) // 2 + 2]
    return {'median_rows': mid.tolist(), 'grid_mean': float(g.mean()), 'grid_p95': float(g.flatten().quantile(0.95)), 'roughest_rows': top.indices.tolist(),
            'roughest_rows_mean': [float(v) for v in top.values], 'test_mean': float(real.mean()), 'test_p95': float(real.quantile(0.95))}

def draw_rows(model, rows, n_rows, seed, out, title):
    "Rows `rows` of the grid of `n_rows` codes z ~ p(z) (seed `seed`), each under every label, as a PNG."
    import torch, matplotlib
    matplotlib.use('Agg'); import matplotlib.pyplot as plt
    from aae_nb.supervised import decode_as
    k = model.n_classes
    zp = model.prior_of('z').sample(n_rows, generator=torch.Generator().manual_seed(seed))[0][rows]
    with torch.no_grad(): g = decode_as(model, zp.repeat_interleave(k, 0), torch.arange(k).repeat(len(rows))).float().mean(1)
    h, w = g.shape[-2:]
    im = g.view(len(rows), k, h, w).permute(0, 2, 1, 3).reshape(len(rows) * h, k * w)
    fig = plt.figure(figsize=(k, len(rows) + 0.4)); plt.imshow(im.numpy(), cmap='gray', vmin=0, vmax=1); plt.axis('off'); plt.title(title, fontsize=9)
    fig.savefig(out, dpi=60, bbox_inches='tight'); plt.close(fig)

def main(dirs):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from style_use import final_models
    test = load_mnist().test
    n_rows, seed = 500, 0
    for d, m, src, ep in final_models(dirs, need_label=True):
        with torch.no_grad(): r = grid_roughness(m, test, n_rows, seed)
        rec = {**r, 'sigma': 1.0, 'n_rows': n_rows, 'seed': seed, 'n_test_images': len(test.x), 'epochs': ep, 'model_file': src,
               'command': 'python tools/roughness.py ' + str(d)}
        (d/'roughness.json').write_text(json.dumps(rec, indent=1))
        draw_rows(m, r['roughest_rows'][:4] + r['median_rows'], n_rows, seed, d/'roughness.png', f"{d.name}, {ep} epochs: the four roughest rows, then two median ones")
        print(f"{d} ({ep} epochs): grid roughness {r['grid_mean']:.3f} (95th percentile {r['grid_p95']:.3f}; roughest rows "
              f"{', '.join(f'{i} {v:.2f}' for i, v in zip(r['roughest_rows'], r['roughest_rows_mean']))}); test images {r['test_mean']:.3f}")

if __name__ == '__main__':
    sys.path.insert(0, str(Path(__file__).parent))
    if len(sys.argv) < 2: sys.exit('usage: python tools/roughness.py RUN_DIR...')
    main(sys.argv[1:])
