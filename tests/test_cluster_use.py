"""`tools/cluster_use.py`: its readings of q(y|x) on hand-made probabilities, and on a tiny §7 unsupervised run a record
whose §6-protocol error equals the run's own."""
import json, math
from pathlib import Path
import torch
import aae_nb.dimreduction  # registers the §7 experiments
from cli_helpers import run, load_tool

TINY = ['--epochs', '1', '--n-train', '300', '--hidden', '32', '--device', 'cpu', '--quiet']

def _tool(): return load_tool('cluster_use')

def test_even_and_collapsed_use():
    t = _tool()
    even = t.use_of(torch.eye(4).repeat(25, 1))                       # 100 confident images, 25 per cluster
    assert even['clusters_over_1pct'] == 4 and abs(even['entropy_mean_q'] - math.log(4)) < 1e-9 and even['largest_share'] == 0.25
    assert even['mean_max_q'] == 1.0 and even['share_max_q_above_0.9'] == 1.0 and even['cluster_sizes'] == [25] * 4
    p = torch.zeros(100, 4); p[:90, 0] = 1; p[90:, 1] = 0.6; p[90:, 2] = 0.4   # confident, nearly all in cluster 0
    c = t.use_of(p)
    assert c['clusters_over_1pct'] == 2 and c['largest_share'] == 0.9 and c['cluster_sizes'] == [90, 10, 0, 0]
    assert abs(c['mean_max_q'] - 0.96) < 1e-6 and abs(c['share_max_q_above_0.9'] - 0.9) < 1e-9
    assert c['entropy_mean_q'] < even['entropy_mean_q']

def test_record_of_a_tiny_run_matches_its_error(tmp_path):
    d = tmp_path/'c'
    assert run(['train', 'dimred-unsup', *TINY, '--out', str(d)])[0] == 0
    assert _tool().main([str(d)]) == 0
    rec = json.loads((d/'cluster_use.json').read_text())
    assert rec['epoch'] == 1 and rec['clusters'] == 20 and sum(rec['cluster_sizes']) == 10000
    assert abs(rec['test_error'] - json.loads((d/'history.json').read_text())[-1]['test/error']) < 1e-6
