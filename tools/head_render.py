"""Why a misread class stays misread: can the decoder draw those images from their own class's head at all?

    python tools/head_render.py runs/full7/d-e100/s1 [RUN ...]

For a run of the §7 semi-supervised experiments (`dimred-semi`, `dimred-simplex`) or of §5 (`semi-supervised`), it
takes the most frequent error of q(y|x) on the MNIST test images (true class a read as b) and, for up to 100 images of
each group (`misread`: a read as b; `a_right`; `b_right`), measures the decoder's half squared error

* with the encoder's own codes (y as q(y|x) gives it, z as encoded);
* with y set to the one-hot of a, then of b, and z as encoded;
* with y set to the one-hot of a, then of b, and z re-fitted to the image under that y (Adam, 200 steps, rate 0.05,
  from the encoded z; each image's lowest error on the way): about the best the decoder can draw the image from that
  class at all, whatever z it takes.

If the misread images are drawn far better from b than from a even with z re-fitted, the decoder has learned to draw
them from b's head: the reconstruction holds them there, and only the labelled images pull the other way. The numbers go
to `head_render.json` beside the run (per group: `own_codes`, `under_a_encoded`, `under_b_encoded`, `under_a_refit`,
`under_b_refit`, and the mean norms `znorm_encoded`, `znorm_a_refit`, `znorm_b_refit`) (no other file is written); the norm of each re-fitted z says how far from the
style prior N(0, I) the fit had to go. The run's newest checkpoint (or model.pt) is read with `load_run`.
"""
import json, sys
from pathlib import Path
if str(Path(__file__).resolve().parent) not in sys.path: sys.path.insert(0, str(Path(__file__).resolve().parent))   # a sibling script, also when loaded by path
from confusion import confusion                                              # the same matrix as confusion.json's

STEPS, LR, N = 200, 0.05, 100

def main(dirs):
    if not dirs: print(__doc__); return 2
    import torch, torch.nn.functional as F
    torch.set_num_threads(1)
    from aae_nb.experiments import load_run
    from aae_nb.metrics import encode_split
    for d in map(Path, dirs):
        if not (d/'run.json').is_file(): print(f"{d}: not a run directory (no run.json), skipped"); continue
        r = load_run(d, device='cpu'); m, t = r.model, r.data.test
        if m.sup_head is None: print(f"{d}: no classifier head (q(y|x) is not a classifier here), skipped"); continue
        c = encode_split(m, t, ['y', 'z']); q, z, y = c['y'], c['z'], t.y
        pred = q.argmax(1); k = q.shape[1]
        c_ = confusion(pred, y, k)                                           # rows: true class; the diagonal is not an error
        a, b = max(((i, j) for i in range(k) for j in range(k) if i != j), key=lambda ij: c_[ij[0]][ij[1]])
        for p in m.parameters(): p.requires_grad_(False)
        def err(yv, zv, xv):
            with torch.no_grad(): return (0.5 * ((m.decode_codes({'y': yv, 'z': zv}) - xv) ** 2).flatten(1).sum(1)).mean().item()
        def refit(yv, z0, xv):
            "Each image's lowest error over the Adam steps (the encoded z included), and the mean norm of the z that gave it."
            zz = z0.clone().requires_grad_(True); opt = torch.optim.Adam([zz], lr=LR)
            best, zbest = None, z0.clone()
            for _ in range(STEPS + 1):
                per = 0.5 * ((m.decode_codes({'y': yv, 'z': zz}) - xv) ** 2).flatten(1).sum(1)
                with torch.no_grad():
                    better = per < best if best is not None else torch.ones_like(per, dtype=torch.bool)
                    best = per.detach().clone() if best is None else torch.where(better, per.detach(), best); zbest[better] = zz.detach()[better]
                opt.zero_grad(); per.sum().backward(); opt.step()
            return best.mean().item(), zbest.norm(dim=1).mean().item()
        torch.manual_seed(0); groups = {}
        for name, mask in (('misread', (y == a) & (pred == b)), ('a_right', (y == a) & (pred == a)), ('b_right', (y == b) & (pred == b))):
            idx = mask.nonzero().flatten()[:N]; xv, zv = t.x[idx], z[idx]
            oa, ob = (F.one_hot(torch.full((len(idx),), cls, dtype=torch.long), k).float() for cls in (a, b))
            ra, na = refit(oa, zv, xv); rb, nb = refit(ob, zv, xv)
            g = groups[name] = {'n_test': int(mask.sum()), 'n_used': len(idx), 'own_codes': err(q[idx], zv, xv),
                                'under_a_encoded': err(oa, zv, xv), 'under_b_encoded': err(ob, zv, xv), 'under_a_refit': ra, 'under_b_refit': rb,
                                'znorm_encoded': zv.norm(dim=1).mean().item(), 'znorm_a_refit': na, 'znorm_b_refit': nb}
            print(f"{d}: {name:12s} n={g['n_test']:4d}  own {g['own_codes']:.2f}  y={a}: {g['under_a_encoded']:.2f} -> {ra:.2f} (|z| {na:.2f})"
                  f"  y={b}: {g['under_b_encoded']:.2f} -> {rb:.2f} (|z| {nb:.2f})")
        rec = {'experiment': r.experiment.name, 'epochs': r.epoch, 'a': a, 'b': b, 'pair_errors': c_[a][b],
               'test_error': 100. * float((pred != y).float().mean()), 'refit': {'steps': STEPS, 'lr': LR, 'images': N}, 'groups': groups,
               'command': f'python tools/head_render.py {d}'}
        (d/'head_render.json').write_text(json.dumps(rec, indent=1))
        print(f"wrote {d/'head_render.json'}")
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
