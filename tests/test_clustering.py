"""§6 clustering through the command line (`aae train clustering`): a tiny train, resume and `aae eval`, its records, and bad
input refused before anything is written. Imports `aae_nb.clustering` itself, so it also runs before the module is listed in
`experiments.SECTIONS`."""
import contextlib, io, json
from pathlib import Path
import pytest, torch
import aae_nb.clustering                       # registers 'clustering' and the 'paper-clustering' optimiser setting
from aae_nb.cli import main
from aae_nb.learner import OPTIMISERS

TINY = ['--hidden', '16', '--n-train', '200', '--device', 'cpu', '--quiet']

import cli_helpers
def run(*args): return cli_helpers.run(args)

def test_train_resume_eval(tmp_path):
    d = tmp_path/'run'
    rc, _, err = run('train', 'clustering', '--clusters', '30', '--epochs', '1', *TINY, '--out', str(d))
    assert rc == 0, err
    m = json.loads((d/'metrics.json').read_text())
    assert m['options']['opt'] == 'paper-clustering' and m['options']['clusters'] == 30 and m['paper_epochs'] == 1500
    f = m['final']
    assert len(f['cluster_sizes']) == 30 and sum(f['cluster_sizes']) == 10000 and len(f['cluster_labels']) == 30
    assert abs(f['cluster_error'] - f['test/cluster_error']) < 1e-9
    assert f['paper_error'] == [4.10, 1.13]
    for name in m['figures']: assert (d/name).read_bytes()[:4] == b'\x89PNG'
    cfg = m['model']
    assert cfg['sup_head'] is None and cfg['enc_kw'] == {'dropout_in': 0.2, 'bn': True, 'head_bn': True, 'init_std': 0.01} and cfg['dec_kw'] == {'bn': False, 'init_std': 0.01}
    rc, _, err = run('train', 'clustering', '--epochs', '2', '--resume', '--device', 'cpu', '--quiet', '--out', str(d))
    assert rc == 0, err
    h = json.loads((d/'history.json').read_text())
    assert [r['epoch'] for r in h] == [1, 2] and all('test/cluster_error' in r for r in h)
    rc, _, err = run('eval', str(d), '--device', 'cpu')
    assert rc == 0, err
    assert json.loads((d/'eval.json').read_text())['report']['cluster_error'] == pytest.approx(h[-1]['test/cluster_error'])
    # the same weights with the training split's batch-norm statistics (ours): its own folder, the run's files untouched
    before = {q.name: q.read_bytes() for q in d.iterdir()}
    rc, out, err = run('eval', str(d), '--device', 'cpu', '--bn-stats', 'population', '--out', str(tmp_path/'pop'))
    assert rc == 0, err
    assert '(batch-norm: population)' in out
    ev = json.loads((tmp_path/'pop'/'eval.json').read_text())
    assert ev['bn_stats'] == 'population' and 0 <= ev['report']['cluster_error'] <= 100 and sum(ev['report']['cluster_sizes']) == 10000
    assert {q.name: q.read_bytes() for q in d.iterdir()} == before

@pytest.mark.parametrize('args,msg', [(['--clusters', '1'], '--clusters: expected at least 2 clusters'),
                                      (['--clusters', 'many'], '--clusters'),
                                      (['--style-dim', '0'], '--style-dim'),
                                      (['--hidden', '0'], '--hidden'),
                                      (['--labels', '100'], '--labels')])
def test_bad_input(tmp_path, args, msg):
    d = tmp_path/'run'
    rc, _, err = run('train', 'clustering', '--epochs', '1', *TINY, *args, '--out', str(d))
    assert rc == 2 and err.strip().startswith('aae: error:') and msg in err and len(err.strip().splitlines()) == 1, err
    assert not d.exists()

def test_optimiser_is_a3():
    P = OPTIMISERS['paper-clustering']
    assert [(P[k].momentum, P[k].lr_at(49), P[k].lr_at(50), P[k].lr_at(1499)) for k in ('recon', 'disc', 'gen')] == \
           [(0.9, 0.01, 1e-3, 1e-3), (0.1, 0.1, 1e-2, 1e-2), (0.1, 0.1, 1e-2, 1e-2)]
