"Runs trained as one batched model (`aae_nb.batched`) from the command line, and on CUDA the CUDA-graph step (skipped without a GPU)."
import json, os, shutil, subprocess
from pathlib import Path
import pytest, torch

AAE = shutil.which('aae') or pytest.fail('the aae console script is not installed (pip install -e .)')
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')

def aae(*args):
    return subprocess.run([AAE, *args], capture_output=True, text=True, timeout=600, env={**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'})

def test_seeds_train_into_run_dirs(tmp_path):
    "`--seeds 0 1`: a run directory per seed, each a complete run; a second start into them is refused (resume and `aae eval`: the batched notebook)."
    out = tmp_path/'b'
    r = aae('train', 'aae-gaussian-2d', '--seeds', '0', '1', '--n-train', '300', '--hidden', '16', '--epochs', '1', '--device', 'cpu', '--quiet', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ['s0', 's1']
    for s in ('s0', 's1'):
        m = json.loads((out/s/'metrics.json').read_text())
        assert m['epochs'] == 1 and m['options']['seed'] == int(s[1:]) and m['batched']['runs'] == ['s0', 's1'] and m['batched']['noise'] == 'per-run'
        assert {'fig2a_codes.png', 'fig2e_manifold.png'} <= set(m['figures']) and (out/s/'checkpoint.pt').is_file()
    r = aae('train', 'aae-gaussian-2d', '--seeds', '0', '1', '--epochs', '1', '--device', 'cpu', '--out', str(out))
    assert r.returncode == 2 and 'use --resume' in r.stderr          # (the resume itself: run_batched in the batched notebook)

def test_bad_batched_input_is_one_line(tmp_path):
    for args, msg in ((['train', 'aae-gaussian-2d', '--seeds', '0', '--seed', '1', '--out', str(tmp_path/'x')], 'not both'),
                      (['bench', '--batched', '0', '--json', str(tmp_path/'b.json')], '--batched must be a positive')):
        r = aae(*args)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, (args, r.stderr)
    assert not (tmp_path/'x').exists()

# --- CUDA: the device-side step and its graph (these run only where a GPU is)

def _runs(dev, seeds=(0, 1, 2), labels=(100, 100, 'all'), opt='paper', n=1000, hidden=64, amp=False, cls=None):
    from aae_nb.data import load_mnist, DataSets, labelled_subset
    from aae_nb.semisupervised import semi_aae
    from aae_nb.batched import RunLearner
    m = load_mnist()
    data = DataSets('mnist', m.train[:n].to(dev), m.valid[:200], m.test[:500], 10)
    out = []
    for s, l in zip(seeds, labels):
        torch.manual_seed(s)
        out.append((cls or RunLearner)(semi_aae(hidden=(hidden, hidden), disc_hidden=(hidden, hidden)), data, bs=100, device=dev, seed=s, opt=opt,
                                       amp=amp, labelled=labelled_subset(data.train.y, l, s, 10)))
    return out

@cuda
def test_cuda_per_run_noise_is_the_single_run():
    "On CUDA too, a batched run with per-run noise computes the run alone (its own CUDA generator seeded as `fit` seeds the default one)."
    from aae_nb.learner import Learner
    from aae_nb.batched import BatchedLearner
    bl = BatchedLearner(_runs('cuda')).fit(2)
    for k, L in enumerate(_runs('cuda', cls=Learner)):
        L.fit(2)
        for a, b in zip(L.history, bl.runs[k].history):
            for key in ('train/recon', 'train/sup', 'train/disc_y', 'train/gen'):
                assert abs(a[key] - b[key]) <= 1e-3 * max(1, abs(a[key])), (k, key, a[key], b[key])

@cuda
def test_cuda_graph_step():
    "The CUDA-graph step: captured once while the rates stay, again when one changes; it trains, and agrees with the same step run eagerly within seed noise."
    from aae_nb.batched import BatchedLearner, GraphStep
    from aae_nb.learner import OptSpec
    bl = BatchedLearner(_runs('cuda', opt='adam'), noise='shared', graph=True).fit(3)
    assert (bl.step_kind, bl.graph.captures) == ('cuda-graph', 1)
    ref = BatchedLearner(_runs('cuda', opt='adam'), noise='shared'); ref.graph = GraphStep(ref, capture=False); ref.fit(3)
    for a, b in zip(bl.runs, ref.runs):
        assert a.history[-1]['train/recon'] < a.history[0]['train/recon']
        assert abs(a.history[-1]['train/recon'] - b.history[-1]['train/recon']) < 0.1 * b.history[-1]['train/recon']
    bl2 = BatchedLearner(_runs('cuda', opt={'recon': OptSpec('sgd', 0.01, 0.9, milestones=((2, 1e-3),))}), noise='shared', graph=True).fit(3)
    assert bl2.graph.captures == 2                                          # the rate changed at epoch 3
    bl3 = BatchedLearner(_runs('cuda', amp=True), noise='shared', graph=True).fit(1)   # bf16 autocast inside the graph
    assert all(torch.isfinite(torch.tensor(L.history[-1]['train/recon'])) for L in bl3.runs)

@cuda
def test_cuda_graph_runs_write_records(tmp_path):
    "`run_batched` on CUDA uses the graph, writes every run's records, and resumes."
    from aae_nb.batched import run_batched
    kw = dict(n_train=1000, hidden=32, device='cuda', tail=0, quiet=True)
    res = run_batched('semi-supervised', tmp_path/'g', seeds=[0, 1], labels=[100, 'all'], epochs=1, **kw)
    assert [r['batched']['step'] for r in res] == ['cuda-graph'] * 4 and all(r['final']['test_error'] < 95 for r in res)
    res = run_batched('semi-supervised', tmp_path/'g', seeds=[0, 1], labels=[100, 'all'], epochs=2, resume=True, device='cuda', quiet=True)
    assert [r['epochs'] for r in res] == [2] * 4
