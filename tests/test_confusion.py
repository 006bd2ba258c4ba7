"""`tools/confusion.py`: the matrix counts (true, predicted) pairs, the summary's numbers follow from it, and on a tiny
§7 run the record it writes agrees with the run's own test error."""
import json
from pathlib import Path
import aae_nb.dimreduction  # registers the §7 experiments
from cli_helpers import run, load_tool

TINY = ['--epochs', '1', '--n-train', '300', '--hidden', '32', '--device', 'cpu', '--quiet']

def _tool(): return load_tool('confusion')

def test_matrix_rows_are_true_classes_and_the_summary_follows():
    t = _tool()
    c = t.confusion([0, 1, 1, 0, 2, 2, 1], [0, 1, 0, 1, 2, 1, 1], 3)
    assert c == [[1, 1, 0], [1, 2, 1], [0, 0, 1]]
    s = t.summary(c)
    assert s['errors'] == 3 and abs(s['test_error'] - 300 / 7) < 1e-9
    assert s['class_error'] == [50.0, 50.0, 0.0]
    assert s['top_pair'] == [0, 1] and s['top_pair_errors'] == 2 and abs(s['top_pair_share'] - 200 / 3) < 1e-9
    assert s['confused'][0][2] == 1 and sorted(map(tuple, s['confused'])) == [(0, 1, 1), (1, 0, 1), (1, 2, 1)]

def test_record_of_a_tiny_run_matches_its_test_error(tmp_path):
    d = tmp_path/'b'
    assert run(['train', 'dimred-semi', '--labels', '100', *TINY, '--out', str(d)])[0] == 0
    assert _tool().main([str(d)]) == 0
    rec = json.loads((d/'confusion.json').read_text())
    hist = json.loads((d/'history.json').read_text())
    assert rec['epoch'] == 1 and rec['experiment'] == 'dimred-semi'
    assert sum(map(sum, rec['matrix'])) == 10000                             # every MNIST test image, once
    assert abs(rec['test_error'] - hist[-1]['test/error']) < 1e-3, (rec['test_error'], hist[-1]['test/error'])
