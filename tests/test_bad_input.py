"""Bad input, interruptions and concurrent runs, as a hostile but realistic user meets them (issue: every failure a clear
message, no run left broken). Each refused command must exit 2 with one line `aae: error: ...` on stderr, write nothing
new and leave an existing run directory byte for byte as it was."""
import contextlib, io, json, os, signal, subprocess, sys, shutil, time
from pathlib import Path
import pytest, torch
from aae_nb.cli import main

from cli_helpers import AAE, TINY, run


def snapshot(d): return {p.name: p.read_bytes() for p in Path(d).iterdir()}

def refused(args, msg, done, new=None):
    before = snapshot(done)
    rc, out, err = run(args)
    assert rc == 2, (args, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('aae: error: ') and msg in lines[0], (args, err)
    assert snapshot(done) == before, args
    if new is not None: assert not Path(new).exists(), f"{args} wrote {new}"

CASES = [  # (args after `train`/`eval`, message); NEW stands for a fresh directory that must not be created
    (['train', 'no-such-exp', '--out', 'NEW'], "unknown experiment 'no-such-exp'"),
    (['train', '--out', 'NEW'], 'needs an experiment name'),
    (['train', 'aae-gaussian-2d', '--device', 'banana', '--out', 'NEW'], "unknown device 'banana'"),
    (['train', 'aae-gaussian-2d', '--epochs', '0', '--out', 'NEW'], '--epochs: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--epochs', '-3', '--out', 'NEW'], '--epochs: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--epochs', '2.5', '--out', 'NEW'], '--epochs: expected a whole number'),
    (['train', 'aae-gaussian-2d', '--epochs', 'ten', '--out', 'NEW'], '--epochs: expected a whole number'),
    (['train', 'aae-gaussian-2d', '--n-train', '0', '--out', 'NEW'], '--n-train: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--n-train', '-5', '--out', 'NEW'], '--n-train: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--n-train', '999999', '--out', 'NEW'], 'is more than the 50000 training images'),
    (['train', 'aae-gaussian-2d', '--eval-every', '0', '--out', 'NEW'], '--eval-every: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--ckpt-every', '0', '--out', 'NEW'], '--ckpt-every: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--batch-size', '0', '--out', 'NEW'], '--batch-size: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--batch-size', '500', '--n-train', '200', '--out', 'NEW'], 'make no full batch of 500'),
    (['train', 'aae-gaussian-2d', '--seed', '-1', '--out', 'NEW'], '--seed: expected a whole number >= 0'),
    (['train', 'aae-gaussian-2d', '--opt', 'sgd-fast', '--out', 'NEW'], "--opt: 'sgd-fast' is not one of"),
    (['train', 'aae-gaussian-2d', '--hidden', '0', '--out', 'NEW'], '--hidden: expected a positive whole number'),
    (['train', 'aae-gaussian-2d', '--encoder', 'flow', '--out', 'NEW'], "--encoder: 'flow' is not one of"),
    (['train', 'aae-gaussian-2d', '--n-labels', '5', '--out', 'NEW'], 'unrecognized arguments: --n-labels'),
    (['train', 'semi-supervised', '--labels', 'ten', '--out', 'NEW'], "--labels: expected a positive number of labels or 'all'"),
    (['train', 'semi-supervised', '--labels', '-5', '--out', 'NEW'], "--labels: expected a positive number of labels or 'all'"),
    (['train', 'semi-supervised', '--labels', '100000', '--n-train', '200', '--out', 'NEW'], 'requested among the 200 training images (fewer --labels or a larger --n-train)'),
    (['train', 'dimred-simplex', '--n-train', '5', '--out', 'NEW'], '--labels 100: class 0 has 1 examples'),
    (['train', 'dimred-simplex', '--dec-y', 'medium', '--out', 'NEW'], "--dec-y: 'medium' is not one of"),
    (['train', 'dimred-unsup', '--vat-bn', 'eval', '--out', 'NEW'], "--vat-bn: 'eval' is not one of"),
    (['train', 'dimred-unsup', '--vat', '-1', '--out', 'NEW'], "--vat: expected a number >= 0"),
    (['train', 'semi-supervised', '--noise-in', '-1', '--out', 'NEW'], '--noise-in: expected a number >= 0'),
    (['train', 'gmmn-ae', '--dropout', '1.5', '--out', 'NEW'], '--dropout: expected a number in [0, 1)'),
    (['train', 'semi-supervised-svhn', '--out', 'NEW'], 'needs --svhn-dir'),
    (['train', 'semi-supervised-svhn', '--svhn-dir', '/nonexistent', '--out', 'NEW'], 'does not exist'),
    (['train', 'aae-gaussian-2d', '--out', ''], '--out must name a run directory'),
    (['train', 'aae-gaussian-2d', '--tensorboard', 'AFILE', '--out', 'NEW'] + TINY, 'is a file, not a directory'),
    (['train', 'aae-gaussian-2d', '--out', 'AFILE'], 'is a file, not a directory'),
    (['train', 'aae-gaussian-2d', '--out', 'AFILE/sub'], 'is a file, not a directory'),
    (['eval', 'NEW'], 'is not a run directory'),
]
if not torch.cuda.is_available(): CASES.append((['train', 'aae-gaussian-2d', '--device', 'cuda:7', '--out', 'NEW'], 'CUDA is not available'))

@pytest.mark.parametrize('args,msg', CASES, ids=[' '.join(a[:4]) for a, _ in CASES])
def test_refused_before_anything_is_written(args, msg, done, tmp_path):
    (tmp_path/'afile').write_text('x')
    sub = {'NEW': str(tmp_path/'new'), 'AFILE': str(tmp_path/'afile'), 'AFILE/sub': str(tmp_path/'afile'/'sub')}
    refused([sub.get(a, a) for a in args], msg, done, new=tmp_path/'new')

def test_run_directory_cases(done):
    d = str(done)
    refused(['train', 'aae-mixture-2d', *TINY, '--out', d], "already holds a run (experiment 'aae-mixture-2d')", done)
    refused(['train', 'aae-gaussian-2d', '--resume', '--out', d], "holds a run of experiment 'aae-mixture-2d', not 'aae-gaussian-2d'", done)
    refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--hidden', '64', '--out', d], 'cannot change --hidden (the run has 16, you asked for 64)', done)
    refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--seed', '5', '--out', d], 'cannot change --seed', done)
    refused(['train', 'aae-mixture-2d', '--resume', '--out', d], 'has 1 epoch already', done)
    refused(['eval', d, '--what', 'video'], '--what takes report, curves', done)
    refused(['eval', d, '--bn-stats', 'population'], 'give --out DIR', done)
    ev = done.parent/'ev-bn'
    refused(['eval', d, '--bn-stats', 'eval', '--out', str(ev)], '--bn-stats takes running, population, population-clean', done, new=ev)
    refused(['eval', d, '--bn-stats', 'population', '--out', str(ev)], 'has no batch-norm in its encoder', done, new=ev)

def test_damaged_files_are_named_and_left_alone(done, tmp_path):
    d = tmp_path/'copy'; shutil.copytree(done, d)
    (d/'checkpoint.pt').write_bytes(b'corrupt')
    refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--out', str(d)], 'not a readable aae_nb checkpoint', d)
    assert (d/'checkpoint.pt').read_bytes() == b'corrupt'
    shutil.copy(done/'checkpoint.pt', d/'checkpoint.pt'); (d/'run.json').write_text('{oops')
    refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--out', str(d)], 'run.json is not a readable run record', d)
    refused(['train', 'aae-mixture-2d', *TINY, '--out', str(d)], 'already holds a run', d)

def test_explicit_data_location_that_does_not_exist(done, tmp_path, monkeypatch):
    monkeypatch.setenv('AAE_NB_MNIST', str(tmp_path/'nowhere.pkl.gz'))
    refused(['train', 'aae-gaussian-2d', *TINY, '--out', str(tmp_path/'new')], 'nowhere.pkl.gz does not exist', done, new=tmp_path/'new')

def test_unwritable_out_is_one_line(done):
    refused(['train', 'aae-gaussian-2d', *TINY, '--out', '/proc/aae_nb_run'], '/proc/aae_nb_run', done)

# --- processes: Ctrl-C, two runs into one directory, a kill during a checkpoint write -------------------------------

def _env(): return {**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'}

def _wait_for(path, proc, timeout=300):
    t0 = time.time()
    while not Path(path).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < timeout, f'{path} never appeared'
        time.sleep(0.2)

def test_ctrl_c_stops_cleanly_and_resumes(tmp_path):
    out = tmp_path/'run'
    # a shell without job control starts background jobs with SIGINT ignored, and Python keeps it ignored: restore the
    # default so that the run sees the Ctrl-C as a user at a terminal would, however this test suite was started
    p = subprocess.Popen([AAE, 'train', 'aae-gaussian-2d', '--epochs', '50', '--n-train', '2000', '--hidden', '32', '--device', 'cpu',
                          '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for(out/'checkpoint.pt', p)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert 'Traceback' not in err and len(err.strip().splitlines()) == 1 and f'--out {out} --resume' in err, err
    assert not (out/'.lock').exists()
    done = torch.load(out/'checkpoint.pt', weights_only=True)['epoch']
    r = subprocess.run([AAE, 'train', 'aae-gaussian-2d', '--resume', '--epochs', str(done + 1), '--device', 'cpu', '--quiet', '--out', str(out)],
                       capture_output=True, text=True, env=_env())
    assert r.returncode == 0, r.stderr
    assert json.loads((out/'metrics.json').read_text())['epochs'] == done + 1

def test_two_runs_into_one_directory(tmp_path):
    "Started together: exactly one trains, the other refuses, and every file is the winner's."
    out = tmp_path/'run'
    ps = [subprocess.Popen([AAE, 'train', 'aae-gaussian-2d', '--epochs', '2', '--n-train', '1000', '--hidden', '32', '--device', 'cpu', '--quiet',
                            '--seed', str(s), '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()) for s in (1, 2)]
    res = [(p.wait(timeout=600), p.stderr.read()) for p in ps]
    codes = sorted(rc for rc, _ in res)
    assert codes == [0, 2], res
    seed = (1, 2)[[rc for rc, _ in res].index(0)]
    loser = next(e for rc, e in res if rc == 2)
    assert ('in use by another aae process' in loser or 'already holds a run' in loser) and 'Traceback' not in loser, loser
    assert json.loads((out/'run.json').read_text())['options']['seed'] == seed
    m = json.loads((out/'metrics.json').read_text())
    assert m['options']['seed'] == seed and m['epochs'] == 2
    assert torch.load(out/'checkpoint.pt', weights_only=True)['seed'] == seed
    # and a --resume while a run is going is refused as well
    p = subprocess.Popen([AAE, 'train', 'aae-gaussian-2d', '--resume', '--epochs', '400', '--device', 'cpu', '--quiet', '--out', str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    _wait_for(out/'.lock', p)
    r = subprocess.run([AAE, 'train', 'aae-gaussian-2d', '--resume', '--epochs', '401', '--device', 'cpu', '--out', str(out)], capture_output=True, text=True, env=_env())
    p.kill(); p.wait()
    assert r.returncode == 2 and 'in use by another aae process' in r.stderr, r.stderr

KILL_DURING_WRITE = r'''
import sys, time, torch
import aae_nb.model as model
real, calls = torch.save, [0]
def slow_save(obj, f, *a, **k):
    calls[0] += 1
    if calls[0] == 2:                                   # the second checkpoint: write half a file, then hang
        g = f if hasattr(f, 'write') else open(f, 'wb')     # the temporary file, as a path or an open file
        g.write(b'half a checkpoint'); g.flush(); print('WRITING', flush=True); time.sleep(600)
    return real(obj, f, *a, **k)
model.torch.save = slow_save
from aae_nb.cli import main
sys.exit(main(['train', 'aae-gaussian-2d', '--epochs', '3', '--n-train', '300', '--hidden', '16', '--device', 'cpu', '--quiet', '--out', sys.argv[1]]))
'''

def test_kill_during_checkpoint_write(tmp_path):
    "SIGKILL while the epoch-2 checkpoint is being written: epoch 1's stays loadable, and the next run cleans up and resumes."
    out = tmp_path/'run'
    p = subprocess.Popen([sys.executable, '-c', KILL_DURING_WRITE, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    assert p.stdout.readline().strip() == 'WRITING', p.stderr.read()
    p.kill(); p.wait()
    assert torch.load(out/'checkpoint.pt', weights_only=True)['epoch'] == 1                  # the previous checkpoint is intact
    assert [f.name for f in out.glob('.checkpoint.pt.*.tmp')] and (out/'.lock').exists()    # what the killed writer left
    r = subprocess.run([AAE, 'train', 'aae-gaussian-2d', '--resume', '--epochs', '3', '--device', 'cpu', '--quiet', '--out', str(out)],
                       capture_output=True, text=True, env=_env())
    assert r.returncode == 0, r.stderr
    assert json.loads((out/'metrics.json').read_text())['epochs'] == 3
    assert not list(out.glob('.*'))                                                          # no stray temporary file or lock

def test_a_prior_given_as_a_function_checkpoints_and_resumes(tmp_path):
    from aae_nb.data import load_mnist, DataSets
    from aae_nb.model import AutoEncoder, AdversarialRegularizer, load_model
    from aae_nb.learner import Learner, CheckpointCB
    ring = lambda n: torch.nn.functional.normalize(torch.randn(n, 2), dim=1) * 2
    m = load_mnist(); ds = DataSets('m', m.train[:300], m.valid[:100], m.test[:100], 10)
    make = lambda: AutoEncoder((1, 28, 28), 2, hidden=(16,), regularizers={'z': AdversarialRegularizer('z', ring, hidden=(8,))})
    torch.manual_seed(0); full = Learner(make(), ds, bs=50, device='cpu', seed=1).fit(2)
    torch.manual_seed(0); Learner(make(), ds, bs=50, device='cpu', seed=1, cbs=[CheckpointCB(tmp_path/'ck.pt')]).fit(1)
    torch.manual_seed(0); res = Learner(make(), ds, bs=50, device='cpu', seed=1).load(tmp_path/'ck.pt').fit(2)
    for a, b in zip(full.model.state_dict().values(), res.model.state_dict().values()): assert torch.equal(a, b)
    with pytest.raises(ValueError, match=r"pass it again, e.g. load_model\(path, priors=\{'z': my_prior\}\)"): load_model(tmp_path/'ck.pt')
    assert load_model(tmp_path/'ck.pt', priors={'z': ring}).prior_of('z').dim == 2
