"""`tools/kmeans_baseline.py`: k-means finds well-separated blobs, the §6 protocol scores them as the package's
`cluster_error` would, and bad arguments give one line before anything is written."""
import json, pytest, torch
from aae_nb.data import Split
from aae_nb.metrics import cluster_error
from cli_helpers import load_tool

km = load_tool('kmeans_baseline')

def blobs(n, centres, seed, spread=0.05):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % len(centres)
    x = centres[y] + spread * torch.randn(n, centres.shape[1], generator=g)
    return Split(x.view(n, 1, 1, -1), y)

C = torch.eye(4) * 3                                          # four blobs, far apart

def test_separable_blobs_are_found_and_scored_right():
    tr, va, te = blobs(400, C, 0), blobs(100, C, 1), blobs(100, C, 2)
    c, it, inertia = km.kmeans(tr.flat(), 4, seed=0)
    assert it < km.MAX_ITER and inertia < 0.05
    r = km.score(c, va, te)
    assert r['error'] == 0 and r['best_map_accuracy'] == 100 and abs(r['nmi'] - 1) < 1e-6 and r['clusters_used'] == 4

def test_protocol_matches_cluster_error():
    "With each cluster's 'claim' on an image as minus its distance, the package's §6 protocol gives the same error."
    tr, va, te = blobs(300, C, 0, spread=1.5), blobs(200, C, 1, spread=1.5), blobs(200, C, 2, spread=1.5)   # overlapping: errors
    c, _, _ = km.kmeans(tr.flat(), 6, seed=3)
    r = km.score(c, va, te)
    ref = cluster_error(-km.sqdist(va.flat(), c), va.y, -km.sqdist(te.flat(), c), te.y)
    assert r['error'] > 0 and abs(r['error'] - ref) < 1e-9

def test_seeded():
    x = blobs(300, C, 0, spread=1.5).flat()
    assert torch.equal(km.kmeans(x, 5, seed=7)[0], km.kmeans(x, 5, seed=7)[0])
    with pytest.raises(ValueError, match='k must be'): km.kmeans(x, 301, seed=0)

@pytest.mark.parametrize('args,msg', [(['--k', '1'], 'at least 2'), (['--seeds', '-1'], 'non-negative'),
                                      (['--n-train', '5'], 'fewer images than clusters')])
def test_bad_arguments(tmp_path, capsys, args, msg):
    with pytest.raises(SystemExit) as e: km.main([str(tmp_path/'o'), *args])
    assert e.value.code == 2 and msg in capsys.readouterr().err and not list(tmp_path.iterdir())

def test_bad_output_path(tmp_path, capsys):
    (tmp_path/'f').write_text('x')
    for out, msg in [(tmp_path/'f', 'not a directory'), (tmp_path/'no'/'o', 'no such directory')]:
        with pytest.raises(SystemExit): km.main([str(out)])
        assert msg in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ['f'] and (tmp_path/'f').read_text() == 'x'

def test_writes_one_record_per_run_and_skips_it_after(tmp_path, capsys):
    out = tmp_path/'o'
    assert km.main([str(out), '--k', '3', '--seeds', '0', '--n-train', '300']) == 0
    r = json.loads((out/'k3'/'s0.json').read_text())
    assert (r['k'], r['seed'], r['n_train']) == (3, 0, 300) and 0 <= r['error'] <= 100 and r['clusters_used'] <= 3
    before = (out/'k3'/'s0.json').read_text(); capsys.readouterr()
    assert km.main([str(out), '--k', '3', '--seeds', '0', '--n-train', '300']) == 0
    assert 'exists, skipped' in capsys.readouterr().out and (out/'k3'/'s0.json').read_text() == before
