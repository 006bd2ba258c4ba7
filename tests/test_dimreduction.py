"""§7 (nbs/70_dimreduction): the command line refuses bad options with one line and writes nothing; a trained §7 run
reloads with its heads; learned heads move under training and fixed ones stay 10 I; `aae eval` re-makes Figure 11."""
import contextlib, io, json
from pathlib import Path
import pytest, torch
import aae_nb.dimreduction  # registers the §7 experiments (until `dimreduction` is in experiments.SECTIONS)
from aae_nb.cli import main
from aae_nb.model import load_model

TINY = ['--epochs', '1', '--n-train', '300', '--hidden', '32', '--device', 'cpu', '--quiet']

from cli_helpers import run

@pytest.mark.parametrize('args,msg', [
    (['train', 'dimred-semi', '--eta', '0'], '--eta: expected a positive number'),
    (['train', 'dimred-semi', '--eta', 'big'], '--eta'),
    (['train', 'dimred-semi', '--hinge-weight', '-1'], '--hinge-weight: expected a number >= 0'),
    (['train', 'dimred-semi', '--labels', '15'], 'cannot be balanced over 10 classes'),
    (['train', 'dimred-unsup', '--clusters', '1'], '--clusters: expected at least 2 clusters'),
    (['train', 'dimred-simplex', '--head-scale', '-10'], '--head-scale: expected a positive number'),
    (['train', 'dimred-simplex', '--eta', '3'], 'unrecognized arguments: --eta'),
])
def test_refused(args, msg, tmp_path):
    new = tmp_path/'run'
    rc, out, err = run([*args, *TINY, '--out', str(new)])
    assert rc == 2, (out, err)
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith(('aae: error: ', 'aae train')) and msg in err, err
    assert not new.exists()

def test_heads_learned_and_fixed(tmp_path):
    assert run(['train', 'dimred-semi', *TINY, '--out', str(tmp_path/'semi')])[0] == 0
    m = load_model(tmp_path/'semi'/'model.pt')
    start = torch.randn(10, 2, generator=torch.Generator().manual_seed(0))     # ClusterHeads' N(0, 1) start, seed 0
    assert not torch.allclose(m.dec_input.W, start) and m.dec_input.W.requires_grad
    f = json.loads((tmp_path/'semi'/'metrics.json').read_text())['final']
    assert f['panel'] == 'b' and f['paper_test_error'] == 6.08
    assert run(['train', 'dimred-simplex', *TINY, '--out', str(tmp_path/'simplex')])[0] == 0
    s = load_model(tmp_path/'simplex'/'model.pt')
    assert torch.equal(s.dec_input.W, 10 * torch.eye(10)) and not s.dec_input.W.requires_grad
    rc, out, err = run(['eval', str(tmp_path/'simplex'), '--device', 'cpu'])
    assert rc == 0, err
    assert (tmp_path/'simplex'/'figure11.png').read_bytes()[:4] == b'\x89PNG'
