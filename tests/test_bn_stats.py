"""`tools/bn_stats.py`, the §6 ablation's batch-norm arm: its `running` mode is the package's own evaluation, the other
modes differ from it, and evaluating never changes the model it is given."""
import copy
import torch
from aae_nb.metrics import cluster_report
from toy_clustering import load_tool, trained_toy_clustering

torch.set_num_threads(1)

def test_running_mode_is_the_packages_evaluation_and_the_model_is_left_as_it_was():
    tool = load_tool('bn_stats')
    model, ds = trained_toy_clustering()
    before = copy.deepcopy(model.state_dict())
    res = tool.bn_stats(model, ds)
    assert set(res) == {'running', 'population', 'population-clean', 'batch'}
    assert abs(res['running']['error'] - cluster_report(model, ds.valid, ds.test)['error']) < 1e-6
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "bn_stats changed the model's weights or running statistics"
    assert not model.training

def test_recomputed_statistics_are_the_training_splits():
    tool = load_tool('bn_stats')
    model, ds = trained_toy_clustering()
    m = tool._recompute(model, ds.train.x, 100, dropout=False)
    bn = next(b for b in m.encoder.modules() if isinstance(b, torch.nn.BatchNorm1d))
    lin = next(l for l in m.encoder.modules() if isinstance(l, torch.nn.Linear))
    with torch.no_grad(): h = lin(ds.train.x.flatten(1))                 # the first batch-norm's input: the first layer's output
    assert torch.allclose(bn.running_mean, h.mean(0), atol=1e-5)
    assert torch.allclose(bn.running_var, h.var(0), rtol=0.05, atol=1e-6)   # the mean of the batches' variances, not quite the split's
    old = next(b for b in model.encoder.modules() if isinstance(b, torch.nn.BatchNorm1d))
    assert not torch.allclose(old.running_mean, bn.running_mean), "the recomputed statistics equal the running ones: nothing was recomputed"

def test_main_reads_11c_runs_and_skips_the_others(tmp_path, capsys):
    "§7's unsupervised panel (`dimred-unsup`, A.3's encoder) is scored by the §6 protocol, so the tool takes its runs; a semi-supervised run is skipped with a line."
    import json
    import aae_nb.dimreduction  # registers the §7 experiments
    from cli_helpers import run, TINY
    u, s = tmp_path/'u', tmp_path/'s'
    assert run(['train', 'dimred-unsup', *TINY, '--out', str(u)])[0] == 0
    assert run(['train', 'dimred-semi', *TINY, '--out', str(s)])[0] == 0
    before = sorted(p.name for p in s.iterdir()); capsys.readouterr()
    load_tool('bn_stats').main([str(u), str(s)])
    rec = json.loads((u/'bn_stats.json').read_text())
    assert abs(rec['modes']['running']['error'] - json.loads((u/'history.json').read_text())[-1]['test/error']) < 1e-3
    assert "not a clustering one, skipped" in capsys.readouterr().out and sorted(p.name for p in s.iterdir()) == before
