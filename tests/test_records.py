"""Numbers in the README's "Paper vs ours" table can be checked against what is committed.

A row that names run records (`nbs/records/...`, each a folder with `run.json`, `history.json`, `metrics.json`)
must show only numbers found in them: every decimal number in its "ours" cell must equal a value of those records
as shown (rounded to the digits shown; fractions may be shown as percentages, seconds as minutes), or the mean or sample
std over the runs (seeds) a row cites of a number they all record. A row without a
record must say so ("no committed record"), so a reader knows which numbers cannot be re-checked yet.
"""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _table():
    text = (ROOT/'README.md').read_text(encoding='utf-8')
    sec = text.split('## Paper vs ours', 1)[1].split('\n## ', 1)[0]
    rows = [l for l in sec.splitlines() if l.startswith('|') and not re.match(r'^\|[\s|:-]+\|$', l)]
    head = [c.strip() for c in rows[0].strip('|').split(' | ')]
    return head, [[c.strip() for c in re.split(r'(?<!\\)\|', r.strip().strip('|'))] for r in rows[1:]]

def _flat(obj, pre=''):
    "A JSON record as {path: number}."
    if isinstance(obj, bool): return {}
    if isinstance(obj, (int, float)): return {pre: float(obj)}
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    return {k: v for kk, vv in items for k, v in _flat(vv, f'{pre}/{kk}').items()}

def _record_values(folder: Path) -> list:
    "Every number in a record: a run folder's JSON files, or one JSON file."
    vals = []
    for f in ([folder] if folder.is_file() else sorted(folder.rglob('*.json'))): vals += list(_flat(json.loads(f.read_text(encoding='utf-8'))).values())
    return vals

def _run_numbers(f: Path) -> dict:
    "The numbers of one run folder's metrics.json and history.json (every epoch), keyed by file and path."
    return {f'{name}{k}': v for name in ('metrics.json', 'history.json') if (f/name).exists()
            for k, v in _flat(json.loads((f/name).read_text(encoding='utf-8'))).items()}

def _across(folders) -> list:
    "Mean and sample std over several runs (seeds) of every number they have in common (final report, or one epoch of the history)."
    import statistics
    recs = [r for r in (_run_numbers(f) for f in folders if f.is_dir()) if r]
    if len(recs) < 2: return []
    common = set.intersection(*(set(r) for r in recs))
    return [x for k in common for x in (statistics.mean(r[k] for r in recs), statistics.stdev(r[k] for r in recs))]

def _shown(x: float, digits: int) -> set:
    "How a record value may be shown with `digits` decimals: itself, as a percentage, seconds as minutes."
    return {round(x, digits), round(100 * x, digits), round(x / 60, digits)}

def check_row(cell: str, values: list) -> list:
    "The decimal numbers of `cell` that no record value explains."
    bad = []
    for s in re.findall(r'(?<![\w.])-?\d+\.\d+(?![\w.])', cell.replace('−', '-')):
        d = len(s.split('.')[1]); x = float(s)
        if not any(abs(x - y) < 10 ** -(d + 3) for v in values for y in _shown(v, d)): bad.append(s)
    return bad

def test_means_over_seeds_count(tmp_path):
    for i, v in enumerate((17.74, 16.29, 18.61)):
        (tmp_path/f's{i}').mkdir(); (tmp_path/f's{i}'/'metrics.json').write_text(json.dumps({'final': {'test_error': v}}))
    vals = _across(sorted(tmp_path.iterdir()))
    assert check_row('17.55 ± 1.17', vals) == [] and check_row('17.56 ± 1.17', vals) == ['17.56']

def test_check_row_catches_a_number_not_in_the_record():
    vals = [0.47540000081062317, 952.19, 3.7060768604278564]
    assert check_row('read back 47.5%, recon 3.71, 15.9 min', vals) == []
    assert check_row('read back 48.5%, recon 3.71', vals) == ['48.5']

def test_readme_numbers_equal_their_records():
    head, rows = _table()
    ours = head.index('ours')
    assert rows, 'no rows in the Paper vs ours table'
    problems = []
    for r in rows:
        line = ' | '.join(r)
        recs = sorted(set(re.findall(r'nbs/records/[\w./-]+', line)))
        if not recs:
            if 'no committed record' not in line and re.search(r'\d\.\d', r[ours]):
                problems.append(f'{r[0]} / {r[1]}: numbers without a record, and the row does not say so')
            continue
        missing = [p for p in recs if not (ROOT/p).exists()]
        if missing: problems.append(f'{r[0]}: records {missing} are not in the repository'); continue
        vals = [v for p in recs for v in _record_values(ROOT/p)]
        for p in recs:  # a folder of seeds (records/epoch1/s0, s1, ...): their means and stds may be shown too
            subs = sorted(d for d in (ROOT/p).iterdir() if d.is_dir()) if (ROOT/p).is_dir() else []
            vals += _across(subs)
        for parent in {(ROOT/q).parent for q in recs}:  # seeds cited one by one (records/parity/fp32-s0, -s1, ...)
            vals += _across([ROOT/q for q in recs if (ROOT/q).parent == parent])
        bad = check_row(r[ours], vals)
        if bad: problems.append(f'{r[0]} / {r[1]}: {bad} not found in {recs}')
    assert not problems, '\n'.join(problems)

def _figure_cells_without_record(nb_path: Path) -> list:
    "Saved figures of real runs (`#| slow` cells with an image output) whose caption (nearest markdown cell before or after) links no existing record."
    cells = json.loads(nb_path.read_text(encoding='utf-8'))['cells']
    src = lambda c: ''.join(c['source'])
    bad = []
    for i, c in enumerate(cells):
        if c['cell_type'] != 'code' or '#| slow' not in src(c): continue
        if not any('image/png' in o.get('data', {}) for o in c.get('outputs', [])): continue
        md = [j for j in range(i - 1, -1, -1) if cells[j]['cell_type'] == 'markdown'][:1] + \
             [j for j in range(i + 1, len(cells)) if cells[j]['cell_type'] == 'markdown'][:1]
        links = [l for j in md for l in re.findall(r'\]\((records/[^)\s]+)\)', src(cells[j]))]
        if not any((nb_path.parent/l).exists() for l in links): bad.append(f'{nb_path.name} cell {i}')
    return bad

def test_figure_caption_check_catches_a_missing_link(tmp_path):
    (tmp_path/'records'/'r').mkdir(parents=True); (tmp_path/'records'/'r'/'metrics.json').write_text('{}')
    fig = {'cell_type': 'code', 'source': ['#| slow\n', 'plot()'], 'outputs': [{'data': {'image/png': 'x'}}]}
    cap = lambda t: {'cell_type': 'markdown', 'source': [t]}
    for caption, n_bad in [('Run: [record](records/r/metrics.json)', 0), ('Run: [record](records/gone/metrics.json)', 1), ('no link', 1)]:
        (tmp_path/'x.ipynb').write_text(json.dumps({'cells': [cap(caption), fig]}))
        assert len(_figure_cells_without_record(tmp_path/'x.ipynb')) == n_bad

def test_every_figure_of_a_real_run_links_its_record():
    bad = [b for nb in sorted((ROOT/'nbs').glob('*.ipynb')) for b in _figure_cells_without_record(nb)]
    assert not bad, 'figures of real runs whose caption links no committed record: ' + ', '.join(bad)

def test_means_over_seeds_at_one_epoch_count(tmp_path):
    "A mean over seeds may come from one epoch of the runs' histories (Table 2 read at epoch 5 of longer runs)."
    for i, v in enumerate((10.69, 12.10, 11.14)):
        (tmp_path/f's{i}').mkdir(); (tmp_path/f's{i}'/'history.json').write_text(json.dumps([{'epoch': 5, 'test/error': v}, {'epoch': 6, 'test/error': 1.0 + i}]))
    vals = _across(sorted(tmp_path.iterdir()))
    assert check_row('11.31 ± 0.72', vals) == [] and check_row('11.30 ± 0.72', vals) == ['11.30']
