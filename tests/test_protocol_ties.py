"""`tools/protocol_ties.py`, the §6 protocol check: its margin orders images as q(y_i|x) does without float32's ties at 1,
its `error_protocol` is the package's own number, and the test-majority bound is never beaten."""
import importlib.util
from pathlib import Path
import torch
from aae_nb.data import DataSets, Split
from aae_nb.clustering import clustering_aae
from aae_nb.metrics import cluster_report
from aae_nb.learner import Learner

ROOT = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)

def _tool():
    spec = importlib.util.spec_from_file_location('protocol_ties', ROOT/'tools'/'protocol_ties.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

def test_margin_breaks_float32_ties_in_the_order_of_q():
    tool = _tool()
    l = torch.tensor([[30., 0., 0.], [40., 0., 0.], [35., 1., 0.], [1., 2., 0.], [0.5, 0., 3.]])
    p32 = l.softmax(1)
    assert (p32[:3, 0] == 1.0).all(), "the example needs three images tied at q = 1 in float32"
    m = tool.margin(l)
    assert m[:, 0].argmax() == 1                                        # the largest logit gap is the true maximiser
    p64 = l.double().softmax(1)
    for k in range(3):                                                  # the same order as q(y_k|x) wherever float64 can tell
        assert torch.equal(torch.argsort(m[:, k]), torch.argsort(p64[:, k]))

def _trained():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(400, 1, 28, 28, generator=g) < 0.2).float()
    x[200:, :, :14] = 0
    y = (torch.arange(400) >= 200).long()
    idx = torch.randperm(400, generator=g)
    x, y = x[idx], y[idx]
    ds = DataSets('toy', Split(x[:300], y[:300]), Split(x[300:350], y[300:350]), Split(x[350:], y[350:]), 2)
    torch.manual_seed(0)
    learn = Learner(clustering_aae(n_clusters=4, hidden=(32, 32), disc_hidden=(16, 16), init_std=0.01), ds, bs=100,
                    opt='paper-clustering', device='cpu')
    learn.fit(2)
    return learn.model.eval(), ds

def test_protocol_is_the_packages_and_the_bound_holds():
    tool = _tool()
    model, ds = _trained()
    r = tool.protocol_ties(model, ds)
    assert abs(r['error_protocol'] - cluster_report(model, ds.valid, ds.test)['error']) < 1e-6
    assert r['error_test_majority'] <= min(r['error_protocol'], r['error_exact'], r['error_valid_majority']) + 1e-9
    assert len(r['ties']) == 4 and all(t >= 1 for t in r['ties']) and 0 <= r['saturated_share'] <= 1
