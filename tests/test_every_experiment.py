"Every experiment that `aae list` shows trains one tiny epoch with its default options and writes its report (DESIGN: Tests)."
import contextlib, io, json
from pathlib import Path
import numpy as np, pytest
from scipy.io import savemat
from aae_nb.cli import main
from aae_nb.experiments import EXPERIMENTS, load_all

load_all()
NAMES = sorted(n for n in EXPERIMENTS if not n.startswith('_'))

def _svhn_files(root, n=(1100, 100, 100), seed=0):
    "Small files in SVHN's .mat format (X: 32x32x3xN uint8, y: Nx1 in 1..10, 10 = digit 0)."
    rng = np.random.default_rng(seed)
    for nm, k in zip(('train', 'test', 'extra'), n):
        savemat(str(Path(root)/f'{nm}_32x32.mat'), {'X': rng.integers(0, 256, (32, 32, 3, k), dtype=np.uint8),
                                                    'y': (np.arange(k) % 10 + 1).astype(np.uint8)[:, None]})

def _tfd_file(path, n=400, seed=0):
    "A small file in TFD_48x48.mat's format (images N x 48 x 48 uint8; folds N x 5: 0 unlabelled, 1 train, 2 valid, 3 test; labs_ex 1..7, 0 unknown)."
    rng = np.random.default_rng(seed)
    folds = np.tile((np.arange(n) % 4)[:, None], (1, 5)).astype(np.uint8)
    savemat(str(path), {'images': rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), 'folds': folds,
                        'labs_ex': np.where(folds[:, :1] == 0, 0, np.arange(n)[:, None] % 7 + 1).astype(np.uint8)})

def test_the_list_is_complete():
    out = io.StringIO()
    with contextlib.redirect_stdout(out): assert main(['list']) == 0
    assert [l.split()[0] for l in out.getvalue().splitlines()[1:]] == NAMES

@pytest.mark.parametrize('name', NAMES)
def test_trains_with_defaults(name, tmp_path):
    args = ['train', name, '--epochs', '1', '--n-train', '200', '--device', 'cpu', '--quiet', '--out', str(tmp_path/'run')]
    if 'svhn' in name:   # its default 1000 labels need 100 images of each class: small SVHN-format files, all of them
        _svhn_files(tmp_path); args = [a for a in args if a not in ('--n-train', '200')] + ['--svhn-dir', str(tmp_path)]
    if 'tfd' in name:    # TFD cannot be obtained here: a small file in its format
        _tfd_file(tmp_path/'tfd.mat'); args += ['--tfd', str(tmp_path/'tfd.mat')]
    if name == 'gmmn-ae':   # its second stage runs a number of steps, not epochs: 3000 steps of 500-point MMDs took 100 s of CI's
        args += ['--gmmn-steps', '100']   # 1225 s; fewer steps, as --epochs 1 shortens the first stage (the same code at any step count)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err): rc = main(args)
    assert rc == 0, err.getvalue()
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())
    assert m['epochs'] == 1 and m['options']['opt'] == EXPERIMENTS[name].opt
    assert all(np.isfinite(v) for k, v in m['final'].items() if isinstance(v, float)), m['final']
    for f in m['figures']: assert (tmp_path/'run'/f).read_bytes()[:4] == b'\x89PNG'
