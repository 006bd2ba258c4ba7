"Data-parallel training under torchrun with 2 CPU processes (gloo): same math as one process with the global batch."
import os, subprocess, sys
from pathlib import Path
import pytest, torch

HERE = Path(__file__).parent

def _run(args, tmp_path, env_extra=None):
    env = {**os.environ, 'OMP_NUM_THREADS': '1', **(env_extra or {})}
    r = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

def _torchrun(out, kind, tmp_path):
    _run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', str(HERE/'ddp_train.py'), str(out), kind], tmp_path)

def test_two_processes_match_one(tmp_path):
    _run([sys.executable, str(HERE/'ddp_train.py'), str(tmp_path/'one.pt'), 'ae'], tmp_path)
    _torchrun(tmp_path/'two.pt', 'ae', tmp_path)
    one, two = torch.load(tmp_path/'one.pt', weights_only=True), torch.load(tmp_path/'two.pt', weights_only=True)
    assert one['world'] == 1 and two['world'] == 2
    for k, v in one['state'].items():
        torch.testing.assert_close(two['state'][k], v, rtol=1e-4, atol=1e-5, msg=f"parameter {k} differs")
    for a, b in zip(one['history'], two['history']):
        assert abs(a['train/recon'] - b['train/recon']) < 1e-3 * a['train/recon']

def test_aae_trains_under_torchrun(tmp_path):
    _torchrun(tmp_path/'aae.pt', 'aae', tmp_path)
    h = torch.load(tmp_path/'aae.pt', weights_only=True)['history']
    assert h[-1]['train/recon'] < h[0]['train/recon']
    assert all(k in h[0] for k in ('train/disc_z', 'train/gen'))

def test_semi_supervised_trains_under_torchrun(tmp_path):
    "The §5 model (two adversaries and the supervised phase on sharded labelled batches) under torchrun."
    _torchrun(tmp_path/'semi.pt', 'semi', tmp_path)
    h = torch.load(tmp_path/'semi.pt', weights_only=True)['history']
    assert h[-1]['train/recon'] < h[0]['train/recon'] and h[-1]['train/sup'] < h[0]['train/sup']
    assert all(k in h[0] for k in ('train/disc_y', 'train/disc_z', 'train/gen', 'train/sup'))

def test_aae_train_command_under_torchrun(tmp_path):
    "The CLI itself under torchrun: both processes check the run directory, rank 0 writes it."
    import json, shutil
    out = tmp_path/'run'
    _run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', shutil.which('aae'), 'train', 'aae-gaussian-2d',
          '--epochs', '1', '--n-train', '400', '--hidden', '32', '--device', 'cpu', '--out', str(out)], tmp_path, {'MPLBACKEND': 'Agg'})
    m = json.loads((out/'metrics.json').read_text())
    assert m['epochs'] == 1 and 'fig2a_codes.png' in m['figures']
