"""How much of the label does handwriting itself carry? Nine hand-made measures of how a digit is written (ink,
width and height of its box, centre, slant, spread, stroke width), computed from the images alone, read by the
same probes that read the label from a §4 code (`aae_nb.supervised.code_probe`: a linear one and the report's
MLP, trained on the 50,000 training images, read on the 10,000 test images): all nine, and slant and stroke width
alone. Some of the nine (the box's width, the ink) are partly what digit it is; slant and stroke width are how it is
written. A code that carries such measures as they are, not relative to its digit, carries this much of the label.

    python tools/handwriting_probe.py nbs/records/full4/handwriting.json
"""
import json, sys
from pathlib import Path

NAMES = ['ink', 'box width', 'box height', 'centre x', 'centre y', 'slant', 'horizontal spread', 'vertical spread', 'stroke width']   # measures()'s columns

def measures(x):
    "(N, 9) handwriting measures of images x (N, 1, 28, 28) in [0, 1]: ink, box width and height, centre (x, y), slant, horizontal and vertical spread, stroke width."
    import torch, torch.nn.functional as F
    from aae_nb.model import ink_moments                                                   # the moments `hand_measures` trains with
    p = x[:, 0].float()
    ink, cx, cy, vx, vy, cxy = ink_moments(p, eps=1e-6)
    on = p > 0.5
    rows, cols = on.any(2), on.any(1)
    span = lambda m: ((m.shape[1] - 1 - m.float().flip(1).argmax(1)) - m.float().argmax(1) + 1) * m.any(1)   # last - first + 1 (0: none)
    eroded = -F.max_pool2d(-on[:, None].float(), 3, 1, 1)[:, 0]                           # 1 where a pixel and all its neighbours are ink
    edge = on & (eroded < 0.5)                                                             # ink pixels with a blank neighbour
    width = on.sum((1, 2)).float() / edge.sum((1, 2)).clamp_min(1).float()                 # ink over its outline: about half a stroke's width
    return torch.stack([ink, span(cols).float(), span(rows).float(), cx, cy, cxy / vy.clamp_min(1e-6), vx.sqrt(), vy.sqrt(), width], 1)

def main(out):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from aae_nb.supervised import code_probe, chance_accuracy
    d = load_mnist()
    ftr, fte = measures(d.train.x), measures(d.test.x)
    sw = [5, 8]                                                                             # slant and stroke width: the two classic measures of a hand
    rec = {'linear': code_probe(ftr, d.train.y, fte, d.test.y, ()), 'mlp': code_probe(ftr, d.train.y, fte, d.test.y, (256, 256)),
           'slant_width_linear': code_probe(ftr[:, sw], d.train.y, fte[:, sw], d.test.y, ()),
           'slant_width_mlp': code_probe(ftr[:, sw], d.train.y, fte[:, sw], d.test.y, (256, 256)),
           'chance': chance_accuracy(d.test.y),
           'measures': NAMES,
           'n_train': len(ftr), 'n_test': len(fte), 'command': 'python tools/handwriting_probe.py ' + str(out)}
    Path(out).write_text(json.dumps(rec, indent=1))
    print(f"handwriting measures -> label: linear {100 * rec['linear']:.1f}%, MLP {100 * rec['mlp']:.1f}%; slant and stroke width only: "
          f"linear {100 * rec['slant_width_linear']:.1f}%, MLP {100 * rec['slant_width_mlp']:.1f}% (chance {100 * rec['chance']:.2f}%)")

if __name__ == '__main__':
    if len(sys.argv) != 2: sys.exit('usage: python tools/handwriting_probe.py OUT.json')
    main(sys.argv[1])
