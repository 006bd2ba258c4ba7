"""`tools/bn_stats.py`, the §6 ablation's batch-norm arm: its `running` mode is the package's own evaluation, the other
modes differ from it, and evaluating never changes the model it is given."""
import copy, importlib.util
from pathlib import Path
import torch
from aae_nb.data import DataSets, Split
from aae_nb.clustering import clustering_aae
from aae_nb.metrics import cluster_report
from aae_nb.learner import Learner

ROOT = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)

def _tool():
    spec = importlib.util.spec_from_file_location('bn_stats', ROOT/'tools'/'bn_stats.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

def _trained():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(400, 1, 28, 28, generator=g) < 0.2).float()
    x[200:, :, :14] = 0                                                # two kinds of image, so the clusters mean something
    y = (torch.arange(400) >= 200).long()
    idx = torch.randperm(400, generator=g)
    x, y = x[idx], y[idx]
    ds = DataSets('toy', Split(x[:300], y[:300]), Split(x[300:350], y[300:350]), Split(x[350:], y[350:]), 2)
    torch.manual_seed(0)
    learn = Learner(clustering_aae(n_clusters=4, hidden=(32, 32), disc_hidden=(16, 16), init_std=0.01), ds, bs=100,
                    opt='paper-clustering', device='cpu')
    learn.fit(2)
    return learn.model.eval(), ds

def test_running_mode_is_the_packages_evaluation_and_the_model_is_left_as_it_was():
    tool = _tool()
    model, ds = _trained()
    before = copy.deepcopy(model.state_dict())
    res = tool.bn_stats(model, ds)
    assert set(res) == {'running', 'population', 'population-clean', 'batch'}
    assert abs(res['running']['error'] - cluster_report(model, ds.valid, ds.test)['error']) < 1e-6
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "bn_stats changed the model's weights or running statistics"
    assert not model.training

def test_recomputed_statistics_are_the_training_splits():
    tool = _tool()
    model, ds = _trained()
    m = tool._recompute(model, ds.train.x, 100, dropout=False)
    bn = next(b for b in m.encoder.modules() if isinstance(b, torch.nn.BatchNorm1d))
    lin = next(l for l in m.encoder.modules() if isinstance(l, torch.nn.Linear))
    with torch.no_grad(): h = lin(ds.train.x.flatten(1))                 # the first batch-norm's input: the first layer's output
    assert torch.allclose(bn.running_mean, h.mean(0), atol=1e-5)
    assert torch.allclose(bn.running_var, h.var(0), rtol=0.05, atol=1e-6)   # the mean of the batches' variances, not quite the split's
    old = next(b for b in model.encoder.modules() if isinstance(b, torch.nn.BatchNorm1d))
    assert not torch.allclose(old.running_mean, bn.running_mean), "the recomputed statistics equal the running ones: nothing was recomputed"
