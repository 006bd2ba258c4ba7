"""`tools/head_render.py`: on a tiny §7 run, the record names the run's most frequent error, its groups count the right
test images, and re-fitting z never draws an image worse than its encoded z did."""
import json
import aae_nb.dimreduction  # registers the §7 experiments
from cli_helpers import run, load_tool

TINY = ['--epochs', '1', '--n-train', '300', '--hidden', '32', '--device', 'cpu', '--quiet']

def test_record_of_a_tiny_run(tmp_path):
    d = tmp_path/'d'
    assert run(['train', 'dimred-simplex', *TINY, '--out', str(d)])[0] == 0
    assert load_tool('head_render').main([str(d)]) == 0
    rec = json.loads((d/'head_render.json').read_text()); hist = json.loads((d/'history.json').read_text())
    assert rec['experiment'] == 'dimred-simplex' and rec['epochs'] == 1 and rec['a'] != rec['b']
    assert abs(rec['test_error'] - hist[-1]['test/error']) < 1e-3
    load_tool('confusion').main([str(d)]); c = json.loads((d/'confusion.json').read_text())
    off = max(c['matrix'][i][j] for i in range(10) for j in range(10) if i != j)
    assert rec['pair_errors'] == off == c['matrix'][rec['a']][rec['b']]                 # the most frequent error, true a read as b
    g = rec['groups']
    assert g['misread']['n_test'] == rec['pair_errors'] and g['a_right']['n_test'] == c['matrix'][rec['a']][rec['a']]
    for grp in g.values():
        assert grp['n_used'] == min(100, grp['n_test'])
        if grp['n_used']:
            for h in 'ab': assert grp[f'under_{h}_refit'] <= grp[f'under_{h}_encoded'] + 1e-4   # the encoded z is the fit's first point

def test_not_a_run_is_skipped(tmp_path, capsys):
    assert load_tool('head_render').main([str(tmp_path)]) == 0
    assert 'not a run directory' in capsys.readouterr().out and not list(tmp_path.iterdir())
