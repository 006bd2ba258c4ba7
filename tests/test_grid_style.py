"""tools/grid_style.py: the per-measure readings of a §4 grid move the way their definitions say, on tiny models whose
decoder is made to ignore z (every row alike) or to ignore the label (every column alike)."""
import sys
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tools'))
from grid_style import grid_style, corr
from aae_nb.data import Split
from aae_nb.supervised import supervised_aae

torch.set_num_threads(1)

def _split(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    return Split((torch.rand(n, 1, 28, 28, generator=g) < 0.3).float(), torch.arange(n) % 10)

def _model(seed=0):
    torch.manual_seed(seed)
    return supervised_aae(hidden=(32,), disc_hidden=(8,), z_dim=2).eval()

def _zero_inputs(m, part):
    "Zero the decoder's first-layer weights on one part of its input ('z' or 'label')."
    dims = {'z': 2, 'label': 10}; start = 0
    for k in m.dec_input.parts:
        if k == part: break
        start += dims[k]
    with torch.no_grad(): m.decoder.net[0].weight[:, start:start + dims[part]] = 0.

def test_corr():
    a = torch.randn(50, 3)
    torch.testing.assert_close(corr(a, 2 * a + 1), torch.ones(3))
    torch.testing.assert_close(corr(a, -a), -torch.ones(3))
    torch.testing.assert_close(corr(a, torch.ones(50, 3)), torch.zeros(3))   # a constant: 0, not nan

def test_rows_alike_when_the_decoder_ignores_z():
    m = _model(); test = _split()
    with torch.no_grad(): live = grid_style(m, test, n_rows=50)
    _zero_inputs(m, 'z')
    with torch.no_grad(): dead = grid_style(m, test, n_rows=50)
    assert max(live['row_spread']) > 1e-3                                  # z moves the drawing somewhere
    assert max(dead['row_spread']) < 1e-6 and max(map(abs, dead['row_consistency'])) < 1e-6 and max(map(abs, dead['kept'])) < 1e-6

def test_columns_alike_when_the_decoder_ignores_the_label():
    m = _model(1); test = _split()
    _zero_inputs(m, 'label')
    with torch.no_grad(): r = grid_style(m, test, n_rows=50)
    varied = [c for c, s in zip(r['row_consistency'], r['row_spread']) if s > 1e-3]
    assert varied and min(varied) > 0.999                                  # each row draws the same image under every label

def test_roughness_sees_a_speckle_and_not_a_wider_stroke(tmp_path):
    "tools/roughness.py: a pixel-scale speckle reads rougher than any clean bar; a grid's roughest rows come first."
    from roughness import roughness, grid_roughness, draw_rows
    bar = lambda t: torch.zeros(1, 28, 28).index_fill_(2, torch.arange(14 - t // 2, 14 - t // 2 + t), 1.) * ((torch.arange(28) >= 8) & (torch.arange(28) < 20))[None, :, None]
    cb = 1 - 0.5 * ((torch.arange(28)[:, None] + torch.arange(28)[None]) % 2).float()
    clean, rough = roughness(torch.stack([bar(t) for t in (2, 3, 4)])), roughness(torch.stack([bar(t) * cb for t in (2, 3, 4)]))
    assert clean.max() < 1.6 and rough.min() > 2.0, (clean, rough)
    r = grid_roughness(_model(), _split(), n_rows=20)
    assert r['roughest_rows_mean'] == sorted(r['roughest_rows_mean'], reverse=True) and len(set(r['roughest_rows'])) == 5
    assert r['grid_mean'] <= r['roughest_rows_mean'][0] and r['test_mean'] > 1.0
    assert len(r['median_rows']) == 2 and not set(r['median_rows']) & set(r['roughest_rows'][:1])
    draw_rows(_model(), r['roughest_rows'][:4] + r['median_rows'], 20, 0, tmp_path/'r.png', 'rows')
    assert (tmp_path/'r.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

def test_probe_noise_reads_a_label_the_codes_carry_and_not_one_they_do_not():
    "tools/probe_noise.py: the probe's five seeds and its longer run read the label from codes of images that show it, and read about chance from codes of images that do not."
    from probe_noise import probe_noise, SEEDS
    from aae_nb.data import DataSets
    def data(shown, n=600, seed=0):
        g = torch.Generator().manual_seed(seed); y = torch.arange(n) % 10
        x = torch.rand(n, 1, 28, 28, generator=g) * 0.2
        if shown: x[torch.arange(n), 0, 2 * y + 4, 4:24] = 1.                      # the label as a bar at its own row
        h = n // 2
        return DataSets('toy', Split(x[:h], y[:h]), None, Split(x[h:], y[h:]), 10)
    m = _model()
    on, off = probe_noise(m, data(True)), probe_noise(m, data(False))
    assert len(on['seeds']) == len(SEEDS) == 5 and 'long' in on
    assert min(on['seeds']) > 0.6 and on['long'] > 0.6                     # the codes of a random encoder still separate ten bars
    assert max(off['seeds']) < 0.25 and off['long'] < 0.25                   # chance is 0.10
