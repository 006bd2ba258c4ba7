"""Issue 34: nothing from a data file or a run folder runs as code, no silent corruption, no run written over.
One test (or a few) per numbered item of the issue; each failed on the code before the fix. A refused command must
exit 2 with one line `aae: error: ...` on stderr; a Ctrl-C exits 130 with one short line, never a traceback."""
import contextlib, errno, gzip, io, json, multiprocessing, os, pickle, re, shlex, shutil, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pytest, torch
from aae_nb.cli import main

from cli_helpers import AAE, TINY, run


def one_line(err, start='aae: error: '):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start) and 'Traceback' not in err, err
    return lines[0]

def refused(args, msg):
    rc, out, err = run(args)
    assert rc == 2, (args, out, err)
    line = one_line(err)
    assert msg in line, (args, line)
    return line

def snapshot(d): return {p.name: p.read_bytes() for p in Path(d).iterdir()}

def dead_pid() -> int:
    p = subprocess.Popen(['true']); p.wait(); return p.pid

def advised(err) -> list:
    "The `aae ...` command a message advises, as argv after `aae`."
    m = re.search(r'`aae ([^`]+)`', err)
    assert m, f"no command advised: {err}"
    return shlex.split(m[1])

@pytest.fixture
def copy(done, tmp_path):
    "A copy of the finished run, free to damage."
    d = tmp_path/'copy'; shutil.copytree(done, d); return d

# --- 1. white pixels stay white; bytes 0..255 are named ----------------------------------------------------------

def _pickle(path, x):
    with gzip.open(path, 'wb') as f: pickle.dump([(x, np.arange(len(x)) % 10)] * 3, f)

def test_01_byte_255_pixels_keep_white_white(tmp_path):
    from aae_nb.data import load_mnist
    v = (np.arange(784) % 256).astype(np.float32)                            # every byte value, 255 (white) included
    _pickle(tmp_path/'m255.pkl.gz', np.stack([v] * 4) / 255)               # the usual byte/255 convention
    x = load_mnist(tmp_path/'m255.pkl.gz').train.x.flatten(1)
    assert torch.equal((x * 255).round(), torch.from_numpy(np.stack([v] * 4))) and int((x == 1).sum()) == 4 * 3
    _pickle(tmp_path/'bytes.pkl.gz', np.stack([v] * 4))                     # bytes, not numbers in [0, 1]
    with pytest.raises(ValueError, match=r'the train pixels are bytes 0\.\.255.*divide the images by 255'): load_mnist(tmp_path/'bytes.pkl.gz')

def test_01_real_mnist_loads_as_before():
    "The standard file (byte/256) gives the very bytes it did before the fix: sums and white-pixel counts of each split."
    from aae_nb.data import load_mnist
    m = load_mnist()
    got = {k: (int((s.x * 255).round().long().sum()), int((s.x == 1).sum())) for k, s in m.splits().items()}
    assert got == {'train': (1309089051, 261375), 'valid': (258209494, 52907), 'test': (264923200, 56835)}, got

def test_01_images_in_0_255_are_named_when_the_learner_is_made():
    from aae_nb.data import load_mnist, DataSets, Split
    from aae_nb.model import AutoEncoder
    from aae_nb.learner import Learner
    m = load_mnist(); ds = DataSets('m', Split(m.train.x[:200] * 255, m.train.y[:200]), None, m.test[:100], 10)
    with pytest.raises(ValueError, match='look like bytes 0..255: divide them by 255'): Learner(AutoEncoder((1, 28, 28), 2, hidden=(8,)), ds, bs=50, device='cpu')

# --- 2. no code from a data file or a run folder runs ------------------------------------------------------------

class _Payload:
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return (os.mkdir, (str(self.marker),))

def test_02_a_data_file_cannot_run_code(tmp_path, monkeypatch):
    bad = tmp_path/'mnist.pkl.gz'
    with gzip.open(bad, 'wb') as f: pickle.dump([(_Payload(tmp_path/'ran'), np.zeros(5))] * 3, f)
    monkeypatch.setenv('AAE_NB_MNIST', str(bad))
    line = refused(['train', 'aae-gaussian-2d', *TINY, '--out', str(tmp_path/'new')], f'{bad} is not a plain mnist.pkl.gz: it names')
    assert 'mkdir' in line and not (tmp_path/'ran').exists() and not (tmp_path/'new').exists()

EVIL = '''
from pathlib import Path
Path(__file__).with_name('imported').write_text('the module ran')
def sampler(n):
    import torch
    Path(__file__).with_name('called').write_text('the function ran')
    return torch.zeros(n, 2)
'''

def test_02_loading_never_imports_or_calls_what_a_file_names(copy, tmp_path, monkeypatch):
    from aae_nb.model import load_model
    (tmp_path/'evil_aae34.py').write_text(EVIL); monkeypatch.syspath_prepend(str(tmp_path))   # a .py file beside the run folder
    ck = torch.load(copy/'model.pt', weights_only=True); reg = ck['config']['regularizers']['z']
    def save(**change): torch.save({**ck, 'config': {**ck['config'], 'regularizers': {'z': {**reg, **change}}}}, copy/'model.pt')
    save(type='EvilRegularizer', module='evil_aae34')
    with pytest.raises(ValueError, match="unknown regularizer type 'EvilRegularizer'"): load_model(copy/'model.pt')
    save(prior={'kind': 'SamplerPrior', 'dim': 2, 'n_classes': 0, 'fn': 'evil_aae34:sampler'})
    with pytest.raises(ValueError, match=r"prior given as a function \(evil_aae34:sampler\).*pass it again"): load_model(copy/'model.pt')
    ck2 = torch.load(copy/'checkpoint.pt', weights_only=True)                # `aae eval` reads the checkpoint
    ck2['config']['regularizers']['z']['prior'] = {'kind': 'SamplerPrior', 'dim': 2, 'n_classes': 0, 'fn': 'evil_aae34:sampler'}
    torch.save(ck2, copy/'checkpoint.pt')
    refused(['eval', str(copy), '--device', 'cpu'], "is not this run's checkpoint")
    assert not (tmp_path/'imported').exists() and not (tmp_path/'called').exists()

# --- 3, 4, 6: one owner per run directory ------------------------------------------------------------------------

def test_03_eval_is_refused_while_the_run_is_in_use(copy):
    from aae_nb.experiments import RunLock
    with RunLock(copy):                                                     # what a training process holds (here: another open file of this one)
        before = snapshot(copy)
        refused(['eval', str(copy), '--device', 'cpu'], 'is in use by another aae process')
        refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--device', 'cpu', '--quiet', '--out', str(copy)], 'is in use by another aae process')
        assert snapshot(copy) == before
    assert not (copy/'.lock').exists()

def test_04_eval_never_writes_into_another_run(done, copy, tmp_path):
    before = snapshot(copy)
    refused(['eval', str(done), '--device', 'cpu', '--out', str(copy)], f'--out {copy} holds another run')
    assert snapshot(copy) == before
    mine = snapshot(done)
    rc, _, err = run(['eval', str(done), '--device', 'cpu', '--what', 'curves', '--out', str(tmp_path/'ev')])   # a folder of no run is fine
    assert rc == 0, err
    assert sorted(p.name for p in (tmp_path/'ev').iterdir()) == ['curves.png', 'eval.json'] and snapshot(done) == mine

def test_06_the_lock_removes_only_its_own_dead_temporaries(copy):
    pid = dead_pid()
    mine = ['.notes.tmp', f'.data.csv.{pid}.tmp', '.checkpoint.pt.x.tmp', f'.{pid}.tmp']
    ours = [f'.checkpoint.pt.{pid}.tmp', f'.fig2b_codes.png.{pid}.tmp', f'.metrics.json.{pid}.tmp']
    for f in mine + ours: (copy/f).write_text('x')
    assert run(['eval', str(copy), '--device', 'cpu', '--what', 'curves'])[0] == 0
    assert sorted(p.name for p in copy.iterdir() if p.name.startswith('.')) == sorted(mine)

# --- 5. figures are written atomically ------------------------------------------------------------------------------

def test_05_a_figure_is_never_left_half_written(tmp_path):
    from aae_nb.plots import save_figure, pyplot
    p = tmp_path/'fig.png'
    fig, ax = pyplot().subplots(); ax.plot([0, 1]); save_figure(fig, p); good = p.read_bytes()
    def killed(f, **kw):                                                    # the writer dies half-way through the PNG
        (f if hasattr(f, 'write') else open(f, 'wb')).write(good[:100]); raise OSError('killed')
    fig, ax = pyplot().subplots(); fig.savefig = killed
    with pytest.raises(OSError): save_figure(fig, p)
    assert p.read_bytes() == good and [q.name for q in tmp_path.iterdir()] == ['fig.png']

# --- 7, 9. an interrupted run leaves a folder the advised command continues -----------------------------------------

def test_07_ctrl_c_during_the_report_then_the_advised_command_makes_it(tmp_path, monkeypatch):
    from aae_nb.experiments import get_experiment
    out = tmp_path/'run'
    def ctrl_c(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(get_experiment('aae-gaussian-2d'), 'report', ctrl_c)
    rc, _, err = run(['train', 'aae-gaussian-2d', *TINY, '--out', str(out)])
    assert rc == 130 and not (out/'metrics.json').exists(), err
    one_line(err, 'aae: interrupted')
    monkeypatch.undo()
    rc, _, err2 = run(advised(err))
    assert rc == 0, err2
    assert json.loads((out/'metrics.json').read_text())['epochs'] == 1 and (out/'fig2a_codes.png').is_file()

def test_09_a_run_that_never_finished_an_epoch_can_be_started(tmp_path, monkeypatch):
    from aae_nb.learner import Learner
    def ctrl_c(self): raise KeyboardInterrupt                              # Ctrl-C during epoch 1: run.json, no checkpoint
    out, other = tmp_path/'advised', tmp_path/'plain'
    with monkeypatch.context() as mp:
        mp.setattr(Learner, 'one_epoch', ctrl_c)
        rc, _, err = run(['train', 'aae-gaussian-2d', *TINY, '--out', str(out)])
    assert rc == 130 and (out/'run.json').is_file() and not (out/'checkpoint.pt').exists(), err
    one_line(err, 'aae: interrupted')
    shutil.copytree(out, other)
    for d, args in ((out, advised(err)), (other, ['train', 'aae-gaussian-2d', *TINY, '--out', str(other)])):   # --resume, or the plain command again
        rc, _, err2 = run(args)
        assert rc == 0, (args, err2)
        assert json.loads((d/'metrics.json').read_text())['epochs'] == 1

def test_09b_ctrl_c_in_a_batched_run_is_one_line_with_the_resume_command(tmp_path, monkeypatch):
    "The batched trainer leaves its words on the interrupt and the CLI answers it (no import of the CLI from below)."
    import aae_nb.batched as B
    def ctrl_c(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(B, 'run_batched', ctrl_c)
    out = tmp_path/'runs'
    rc, _, err = run(['train', 'aae-gaussian-2d', '--seeds', '0', '1', *TINY, '--out', str(out)])
    assert rc == 130, err
    line = one_line(err, 'aae: interrupted; ')
    assert "holds its last finished epoch" in line and advised(err) == ['train', 'aae-gaussian-2d', '--seeds', '0', '1', '--out', str(out), '--resume'], line

# --- 8. a full disk -------------------------------------------------------------------------------------------------

def test_08_disk_full_while_writing_a_checkpoint(tmp_path, monkeypatch):
    out, real, calls = tmp_path/'run', torch.save, [0]
    def full_disk(obj, f, *a, **k):                                         # the second checkpoint meets a full disk
        calls[0] += 1
        if calls[0] < 2: return real(obj, f, *a, **k)
        if not os.path.exists('/dev/full'): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if isinstance(f, (str, os.PathLike)): return real(obj, '/dev/full', *a, **k)   # as torch writes a path
        with open('/dev/full', 'wb') as g: return real(obj, g, *a, **k)               # as it writes an open file
    monkeypatch.setattr(torch, 'save', full_disk)
    rc, _, err = run(['train', 'aae-gaussian-2d', *TINY, '--epochs', '2', '--out', str(out)])
    monkeypatch.undo()
    assert rc == 2, err
    line = one_line(err)
    assert 'no space left on the disk' in line and str(out/'checkpoint.pt') in line, line
    assert torch.load(out/'checkpoint.pt', weights_only=True)['epoch'] == 1         # the previous checkpoint, whole
    assert not list(out.glob('.*.tmp')) and not (out/'.lock').exists()
    rc, _, err = run(['train', 'aae-gaussian-2d', '--resume', '--epochs', '2', '--device', 'cpu', '--quiet', '--out', str(out)])
    assert rc == 0 and json.loads((out/'metrics.json').read_text())['epochs'] == 2, err

# --- 10. the lock cannot be held twice ------------------------------------------------------------------------------

def _contend(d, start, q):
    from aae_nb.experiments import RunLock
    while time.time() < start: pass
    try: lock = RunLock(d).acquire()
    except ValueError: q.put(None); return
    t0 = time.time(); time.sleep(0.03); t1 = time.time()
    lock.release(); q.put((t0, t1))

def test_10_a_held_lock_is_never_taken_for_stale(tmp_path):
    "A live owner holds the lock however its file looks: here empty, as the old lock's file was between its creation and its pid."
    import fcntl
    from aae_nb.experiments import RunLock
    (tmp_path/'.lock').touch()
    with open(tmp_path/'.lock') as f:
        fcntl.flock(f, fcntl.LOCK_EX)                                       # the owner (another open file of this process)
        with pytest.raises(ValueError, match='in use by another aae process'): RunLock(tmp_path).acquire()
    RunLock(tmp_path).acquire().release()                                  # the owner has gone: free at once
    assert not list(tmp_path.iterdir())

def test_10_six_processes_racing_for_a_stale_lock_one_at_a_time(tmp_path):
    ctx = multiprocessing.get_context('fork')
    for trial in range(12):
        d = tmp_path/f't{trial}'; d.mkdir()
        if trial % 3: (d/'.lock').write_text(str(dead_pid()))              # most trials start from a dead owner's lock
        q, start = ctx.Queue(), time.time() + 0.2
        ps = [ctx.Process(target=_contend, args=(d, start, q)) for _ in range(6)]
        for p in ps: p.start()
        got = sorted(r for r in (q.get(timeout=60) for _ in ps) if r is not None)
        for p in ps: p.join()
        assert got, f'trial {trial}: nobody took the lock'
        for (a0, a1), (b0, b1) in zip(got, got[1:]): assert b0 >= a1, f'trial {trial}: two owners at once {got}'
        assert not (d/'.lock').exists() and not list(d.iterdir()), list(d.iterdir())

# --- 11. a checkpoint of another experiment or other options --------------------------------------------------------

def test_11_eval_refuses_another_runs_checkpoint(copy):
    rec = json.loads((copy/'run.json').read_text())
    (copy/'run.json').write_text(json.dumps({**rec, 'experiment': 'aae-gaussian-2d'}))   # the checkpoint is aae-mixture-2d's
    before = snapshot(copy)
    refused(['eval', str(copy), '--device', 'cpu'], "checkpoint.pt is not this run's checkpoint")
    (copy/'run.json').write_text(json.dumps({**rec, 'options': {**rec['options'], 'hidden': 32}}))
    refused(['eval', str(copy), '--device', 'cpu'], 'they differ in hidden')
    assert {k: v for k, v in snapshot(copy).items() if k != 'run.json'} == {k: v for k, v in before.items() if k != 'run.json'}

# --- 12. a broken FID feature-net cache -----------------------------------------------------------------------------

def test_12_a_broken_feature_net_cache_is_named_and_rebuilt(tmp_path, capsys):
    import hashlib
    from aae_nb.data import load_mnist, DataSets
    from aae_nb.likelihood import feature_net, FeatureNet
    m = load_mnist(); tiny = DataSets('m', m.train[:300], None, m.test[:100], 10)
    recipe = {'hidden': (8,), 'epochs': 1, 'bs': 100, 'lr': 1e-3, 'seed': 0}
    key = hashlib.sha256(json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in recipe.items()}, sort_keys=True).encode()).hexdigest()[:10]
    p = tmp_path/'fid.pt'
    for broken in (lambda: p.write_bytes(b'not a torch file'),                                      # not a torch file at all
                   lambda: torch.save({'recipe_key': key, 'n_in': 784, 'n_classes': 10, 'state_dict': {'w': torch.zeros(1)}}, p)):  # the right key, nonsense inside
        broken()
        assert isinstance(feature_net(p, data=tiny, recipe=recipe), FeatureNet)
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(p) in err[0] and 'training it again' in err[0], err
        assert isinstance(feature_net(p, data=tiny, recipe=recipe), FeatureNet) and capsys.readouterr().err == ''   # rebuilt: it loads now

# --- 13, 14. tracebacks and late or wrong messages become one line, early -------------------------------------------

CASES = [
    (['train', 'aae-gaussian-2d', '--device', 'meta'], "unknown device 'meta'"),
    (['train', 'aae-gaussian-2d', '--hidden', '1000000000000'], '--hidden: expected a positive whole number of at most 100000 units'),
    (['train', 'aae-gaussian-2d', '--seed', '1718000000123456789'], '--seed: expected a whole number >= 0 and <= 4294967295'),
    (['train', 'aae-gaussian-2d', '--seed', '1e17'], '--seed: expected a whole number >= 0 and <= 4294967295'),
    (['train', 'semi-supervised', '--noise-in', 'inf'], "--noise-in: expected a number >= 0, got 'inf' (it must be finite)"),
    (['train', 'wae-gan', '--weight', 'inf'], "--weight: expected a positive number, got 'inf' (it must be finite)"),
]

@pytest.mark.parametrize('args,msg', CASES, ids=[' '.join(a[2:4]) for a, _ in CASES])
def test_13_14_refused_at_once(args, msg, tmp_path):
    refused([*args, '--n-train', '200', '--epochs', '1', '--out', str(tmp_path/'new')], msg)
    assert not (tmp_path/'new').exists()

def test_13_14_damaged_run_folders_are_named(copy):
    rec = json.loads((copy/'run.json').read_text()); ck = torch.load(copy/'checkpoint.pt', weights_only=True)
    (copy/'run.json').write_text(json.dumps({**rec, 'options': {**rec['options'], 'hidden': 'sixteen'}}))   # a string in run.json
    for args in (['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--device', 'cpu', '--out', str(copy)], ['eval', str(copy), '--device', 'cpu']):
        refused(args, "run.json records a value the run cannot have (--hidden: expected a whole number, got 'sixteen')")
    (copy/'run.json').write_text('{oops')                                   # a corrupt run.json, named by eval as by train
    refused(['eval', str(copy), '--device', 'cpu'], 'run.json is not a readable run record')
    (copy/'run.json').write_text(json.dumps(rec))
    torch.save({k: v for k, v in ck.items() if k != 'opts'}, copy/'checkpoint.pt')   # a checkpoint missing a key
    refused(['train', 'aae-mixture-2d', '--resume', '--epochs', '2', '--device', 'cpu', '--out', str(copy)], "checkpoint.pt lacks 'opts'")
    torch.save({k: v for k, v in ck.items() if k != 'config'}, copy/'checkpoint.pt')
    refused(['eval', str(copy), '--device', 'cpu'], 'checkpoint.pt is not an aae_nb checkpoint')

def test_14_bench_options_are_checked_before_the_benchmark(tmp_path, monkeypatch):
    import aae_nb.bench
    def ran(*a, **k): raise AssertionError('the benchmark ran')
    monkeypatch.setattr(aae_nb.bench, 'bench', ran)
    refused(['bench', '--device', 'cpu', '--models', ''], '--models names no model')
    refused(['bench', '--device', 'cpu', '--models', ' , '], '--models names no model')
    refused(['bench', '--device', 'cpu', '--models', 'GAN'], "--models: unknown model(s) ['GAN']")
    refused(['bench', '--device', 'cpu', '--json', ''], '--json must name a file')
    refused(['bench', '--device', 'cpu', '--json', str(tmp_path/'no'/'b.json')], 'does not exist')

def test_14_load_model_names_a_bad_map_location(done):
    from aae_nb.model import load_model
    with pytest.raises(ValueError, match="map_location: unknown device 'banana'"): load_model(done/'model.pt', map_location='banana')
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='map_location: .*CUDA is not available'): load_model(done/'model.pt', map_location='cuda')

# --- 15. the library refuses nonsense -------------------------------------------------------------------------------

def test_15_library_nonsense_is_refused():
    from aae_nb.priors import GaussianPrior, CategoricalPrior
    from aae_nb.model import AutoEncoder
    from aae_nb.semisupervised import semi_aae
    from aae_nb.learner import Learner
    from aae_nb.data import load_mnist, DataSets, Split
    with pytest.raises(ValueError, match='hidden must be'): AutoEncoder((1, 28, 28), 2, hidden=(0, 0))
    with pytest.raises(ValueError, match='std must be a finite number > 0'): GaussianPrior(2, std=float('nan'))
    for probs in ([0.] + [1.] * 9, [-1.] + [1.] * 9):
        with pytest.raises(ValueError, match='probs must be 10 finite numbers > 0'): CategoricalPrior(10, probs=probs)
    m = load_mnist(); y = m.train.y[:200].clone(); y[3] = 12
    ds = DataSets('m', Split(m.train.x[:200], y), None, m.test[:100], 10)
    with pytest.raises(ValueError, match=r"1 training labels are outside 0\.\.9 \(e\.g\. \[12\]\), the classes of the model's supervised head 'y'"):
        Learner(semi_aae(hidden=(16, 16), disc_hidden=(8, 8)), ds, bs=50, device='cpu')

# --- 13. Ctrl-C at any moment: in the first second, during eval, during bench ---------------------------------------

def _env(): return {**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'}

def _start(args):
    # a shell without job control starts background jobs with SIGINT ignored: restore the default, as at a terminal
    return subprocess.Popen([AAE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

def _loading_torch(p) -> bool:
    try: return 'libtorch' in Path(f'/proc/{p.pid}/maps').read_text()
    except OSError: return False

def _interrupt_when(p, ready, timeout=60):
    t0 = time.time()
    while not ready() and p.poll() is None and time.time() - t0 < timeout: time.sleep(0.01)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    return one_line(err, 'aae: interrupted')

_IN_A_CALLBACK = """
import signal, sys, time, weakref
import aae_nb.cli as cli
class Thing: pass
def command(argv):
    def cb(r): signal.raise_signal(signal.SIGINT); time.sleep(0.01)   # the Ctrl-C lands inside a weakref callback,
    t = Thing(); ref = weakref.ref(t, cb); del t
    for _ in range(1000): time.sleep(0.01)                 # where Python can only print it ("Exception ignored in"): seen in CI
    return 0                                               # inside importlib's module-lock callback while `aae train` imported torch
cli._command = command
sys.exit(cli.main(['list']))
"""

def test_13_ctrl_c_just_as_the_lock_is_taken_leaves_no_lock(copy, monkeypatch):
    "The windows a signal can fall in: inside `acquire` once the lock file is ours, and just after `acquire` returns."
    import aae_nb.experiments as E
    def boom(name): raise KeyboardInterrupt                                  # the Ctrl-C lands in acquire's clean-up of dead temp files
    with monkeypatch.context() as m:
        m.setattr(E, '_dead_temp', boom)
        with pytest.raises(KeyboardInterrupt): E.RunLock(copy).acquire()
    assert not (copy/'.lock').exists() and not list(copy.glob('.*.tmp'))
    take = E.RunLock.acquire
    def then_ctrl_c(self): take(self); raise KeyboardInterrupt               # ... or on the line after acquire returned
    monkeypatch.setattr(E.RunLock, 'acquire', then_ctrl_c)
    with pytest.raises(KeyboardInterrupt): E.evaluate_run(copy, device='cpu')
    assert not (copy/'.lock').exists()
    with pytest.raises(KeyboardInterrupt): E.run_experiment('aae-mixture-2d', copy/'new', epochs=1, n_train=200, hidden=16, device='cpu', quiet=True)
    assert not (copy/'new'/'.lock').exists()

def test_13_ctrl_c_inside_a_callback_is_one_line():
    p = subprocess.run([sys.executable, '-c', _IN_A_CALLBACK], capture_output=True, text=True, timeout=60,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as `_start`: a runner started in the background ignores SIGINT
    assert p.returncode == 130, p.stderr
    one_line(p.stderr, 'aae: interrupted')

@pytest.mark.skipif(not Path('/proc/self/maps').exists(), reason='needs /proc to see the process start')
def test_13_ctrl_c_in_the_first_second_during_eval_and_during_bench(done, tmp_path):
    out = tmp_path/'run'
    p = _start(['train', 'aae-gaussian-2d', '--epochs', '50', '--n-train', '2000', '--hidden', '32', '--device', 'cpu', '--out', str(out)])
    _interrupt_when(p, lambda: _loading_torch(p))                            # while it imports torch, the first second of the command
    d = tmp_path/'ev'; shutil.copytree(done, d)
    p = _start(['eval', str(d), '--device', 'cpu'])
    _interrupt_when(p, lambda: (d/'.lock').exists())                         # eval holds the run's lock from its start to its end
    assert not (d/'.lock').exists() and not list(d.glob('.*.tmp'))
    if (d/'eval.json').exists(): json.loads((d/'eval.json').read_text())   # whole, if it was written at all
    p = _start(['bench', '--device', 'cpu', '--steps', '100000', '--models', '§2 AAE', '--json', str(tmp_path/'b.json')])
    t = []
    _interrupt_when(p, lambda: _loading_torch(p) and (t.append(time.time()) or time.time() - t[0] > 2))
    assert not (tmp_path/'b.json').exists()
