"The `aae` console script as a user runs it: help, list, a tiny train + resume, and bad input that must overwrite nothing."
import json, os, subprocess, sys, shutil
from pathlib import Path
import pytest, torch

AAE = shutil.which('aae') or pytest.fail('the aae console script is not installed (pip install -e .)')

def aae(*args, cwd=None):
    return subprocess.run([AAE, *args], capture_output=True, text=True, cwd=cwd, timeout=900, env={**os.environ, 'MPLBACKEND': 'Agg'})

def test_help_everywhere():
    for args in ([], ['--help'], ['list'], ['train', '--help'], ['train', 'aae-gaussian-2d', '--help'], ['fetch-mnist', '--help']):
        r = aae(*args)
        assert r.returncode == 0, (args, r.stderr)
    assert '--encoder' in aae('train', 'aae-gaussian-2d', '--help').stdout

def test_list_names_paper_figures():
    out = aae('list').stdout
    for name, fig in [('aae-gaussian-2d', 'Figure 2a'), ('aae-mixture-2d', 'Figure 2b'), ('aae-gaussian-8d', '§3')]:
        line = next(l for l in out.splitlines() if l.startswith(name))
        assert fig in line

def test_train_resume_and_outputs(tmp_path):
    out = tmp_path/'run'
    r = aae('train', 'aae-gaussian-2d', '--epochs', '1', '--n-train', '500', '--hidden', '64', '--device', 'cpu', '--out', str(out))
    assert r.returncode == 0, r.stderr
    m = json.loads((out/'metrics.json').read_text())
    assert m['epochs'] == 1 and m['device'].startswith('cpu') and m['wall_s'] > 0
    assert {'fig2a_codes.png', 'fig2e_manifold.png'} <= set(m['figures'])
    for f in m['figures']: assert (out/f).read_bytes()[:4] == b'\x89PNG'
    ck = torch.load(out/'model.pt', weights_only=True)
    assert ck['config']['regularizers']['z']['type'] == 'AdversarialRegularizer'
    r = aae('train', 'aae-gaussian-2d', '--epochs', '2', '--resume', '--device', 'cpu', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads((out/'metrics.json').read_text())['epochs'] == 2

def test_bad_input_is_refused_and_overwrites_nothing(tmp_path):
    out = tmp_path/'run'
    assert aae('train', 'aae-mixture-2d', '--epochs', '1', '--n-train', '200', '--hidden', '32', '--device', 'cpu', '--out', str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    cases = [
        (['train', 'no-such-exp', '--out', str(tmp_path/'x')], 'unknown experiment'),
        (['train', 'aae-gaussian-2d', '--resume', '--out', str(out)], "holds a run of experiment 'aae-mixture-2d'"),
        (['train', 'aae-mixture-2d', '--out', str(out)], 'already holds a run'),
        (['train', 'aae-gaussian-2d', '--encoder', 'flow', '--n-train', '200', '--out', str(tmp_path/'y')], "--encoder: 'flow' is not one of deterministic"),
        (['train', 'aae-gaussian-2d', '--device', 'cuda:7', '--n-train', '200', '--out', str(tmp_path/'z')] if not torch.cuda.is_available() else None, 'CUDA is not available'),
    ]
    for args, msg in cases:
        if args is None: continue
        r = aae(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    (out/'checkpoint.pt').write_bytes(b'corrupt')
    r = aae('train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--out', str(out))
    assert r.returncode == 2 and 'not a readable aae_nb checkpoint' in r.stderr
    assert (out/'checkpoint.pt').read_bytes() == b'corrupt'   # left for the user to inspect, not replaced

def test_wrong_image_size_is_named():
    from aae_nb.aae import aae as make
    m = make(hidden=(16,), disc_hidden=(16,))
    with pytest.raises(ValueError, match=r'takes images of shape \(1, 28, 28\)'):
        m.encoder(torch.rand(2, 3, 32, 32))
