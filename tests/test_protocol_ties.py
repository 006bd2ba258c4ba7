"""`tools/protocol_ties.py`, the §6 protocol check: its margin orders images as q(y_i|x) does without float32's ties at 1,
its `error_protocol` is the package's own number, and the test-majority bound is never beaten."""
import torch
from aae_nb.metrics import cluster_report
from toy_clustering import load_tool, trained_toy_clustering

torch.set_num_threads(1)

def test_margin_breaks_float32_ties_in_the_order_of_q():
    tool = load_tool('protocol_ties')
    l = torch.tensor([[30., 0., 0.], [40., 0., 0.], [35., 1., 0.], [1., 2., 0.], [0.5, 0., 3.]])
    p32 = l.softmax(1)
    assert (p32[:3, 0] == 1.0).all(), "the example needs three images tied at q = 1 in float32"
    m = tool.margin(l)
    assert m[:, 0].argmax() == 1                                        # the largest logit gap is the true maximiser
    p64 = l.double().softmax(1)
    for k in range(3):                                                  # the same order as q(y_k|x) wherever float64 can tell
        assert torch.equal(torch.argsort(m[:, k]), torch.argsort(p64[:, k]))

def test_protocol_is_the_packages_and_the_bound_holds():
    tool = load_tool('protocol_ties')
    model, ds = trained_toy_clustering()
    r = tool.protocol_ties(model, ds)
    assert abs(r['error_protocol'] - cluster_report(model, ds.valid, ds.test)['error']) < 1e-6
    assert r['error_test_majority'] <= min(r['error_protocol'], r['error_exact'], r['error_valid_majority']) + 1e-9
    assert len(r['ties']) == 4 and all(t >= 1 for t in r['ties']) and 0 <= r['saturated_share'] <= 1
