"""Every number of ours is tied to one named field of one named record (`tools/RECORDS_CONVENTION.md`).

- In the notebooks' markdown a number of ours is a link to its record with the field in the link's title
  (`[3.30 ± 0.23](records/ablation/init01 "*/history.json test/error @50 mean±std")`): the field must exist, must
  not be one of the paper's (`paper_*`), and the number must be its value at the digits shown.
- In a checked paragraph (one that links a record, or sits under *Paper vs ours* / *Results*) no decimal number is
  left unmarked: the paper's carry `<!--paper-->`, settings `<!--not a record: why-->`.
- The paper-level tables (the results page, the README's *Paper vs ours*, the Reproduce boxes) are computed from the
  records by `aae_nb.results`; every claim's records must be readable.
- Putting the paper's number in our place fails each of these checks (the tests below do it).
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, RECORDS = ROOT/'nbs', ROOT/'nbs'/'records'
sys.path.insert(0, str(ROOT/'tools'))

from aae_nb.results import CLAIMS, Ref, check_ref, check_notebook, evaluate, record_refs, unmarked_numbers, results_table

# Notebooks whose prose is still in the old style: their record references are checked, their unmarked numbers are
# not yet. Each entry says why; remove it once the notebook's numbers are marked (see the convention).
GRANDFATHERED = {}   # notebook name -> the reason and the TODO; every notebook's prose numbers are marked now

def _notebooks(): return sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))

def test_every_number_in_prose_is_its_records():
    problems = [p for nb in _notebooks() for p in check_notebook(nb, strict=nb.name not in GRANDFATHERED, root=RECORDS)]
    assert not problems, f'{len(problems)} problem(s):\n' + '\n'.join(problems)

def test_grandfathered_notebooks_exist():
    assert all((NBS/n).exists() for n in GRANDFATHERED), 'remove entries of notebooks that are gone'

def test_prose_references_are_used():
    "The convention is in use: the notebooks carry record references (a guard against a regex that silently finds none)."
    n = sum(len(record_refs(''.join(c['source']))) for nb in _notebooks()
            for c in json.loads(nb.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'markdown')
    assert n >= 30, f'only {n} record references in the notebooks'

# --- the paper's number in our place fails ---

FIG11A = 'dimred/fig11a-init01-e60/metrics.json'

def test_papers_number_as_ours_fails():
    "Figure 11a: ours is 6.01% (the record's final/test_error); the paper's 4.20% written as ours fails, ours passes."
    ours = f'[{evaluate_ref(FIG11A, "final/test_error"):.2f}%](records/{FIG11A} "final/test_error")'
    theirs = f'[4.20%](records/{FIG11A} "final/test_error")'
    assert [p for t, r in record_refs(ours) for p in check_ref(t, r, RECORDS)] == []
    assert [p for t, r in record_refs(theirs) for p in check_ref(t, r, RECORDS)], 'the paper\'s 4.20 passed as ours'

def evaluate_ref(path, field): return Ref.parse(f'records/{path}', field).values(RECORDS)[0]

def test_papers_field_is_refused():
    "A record also carries the paper's number (`final/paper_test_error`): pointing at it fails even though the value matches."
    probs = check_ref('4.20%', Ref.parse(f'records/{FIG11A}', 'final/paper_test_error'), RECORDS)
    assert probs and "paper's fields" in probs[0]

def test_papers_number_unmarked_in_a_results_paragraph_fails():
    md = f'Figure 11a: 4.20% / 6.08% after 60 epochs ([record](records/{FIG11A})).'
    assert unmarked_numbers(md) == ['4.20', '6.08']
    assert unmarked_numbers(md.replace('4.20% / 6.08%', '4.20% / 6.08%<!--paper-->')) == []

def test_two_seeds_or_random_numbers_do_not_pass():
    "The old check accepted any value anywhere in a record (every epoch, x100, /60); now only the named field counts."
    ref = Ref.parse('records/ablation/init01', '*/history.json test/error @50 mean±std')
    mean, std = ref.values(RECORDS)
    assert check_ref(f'{mean:.2f} ± {std:.2f}', ref, RECORDS) == []
    assert check_ref(f'{mean + 0.01:.2f} ± {std:.2f}', ref, RECORDS)
    h = json.loads((RECORDS/'ablation/init01/s0/history.json').read_text())
    other_epoch = h[9]['test/error']                                    # a value that is in the record, at epoch 10
    assert check_ref(f'{other_epoch:.2f}', Ref.parse('records/ablation/init01/s0/history.json', 'test/error @50'), RECORDS)

# --- the claims and the tables made from them ---

def test_every_claim_reads_its_records():
    bad = []
    for c in CLAIMS:
        r = evaluate(c, RECORDS)
        if c.not_run: continue
        if r.value is None or r.error: bad.append(f'{c.key}: {r.error or r.text}')
        for s in c.ours:                                                 # every candidate resolves, not only the best
            try: Ref.spec(s).readings(RECORDS)
            except (ValueError, KeyError) as e: bad.append(f'{c.key}: {s}: {e}')
    assert not bad, '\n'.join(bad)

def test_claims_state_the_papers_number_as_printed():
    "The paper's number of a claim is in the text the table prints for it (typed once, in the claim)."
    for c in CLAIMS:
        if c.p is not None: assert f'{c.p:.2f}'.rstrip('0').rstrip('.') in c.paper.replace('.00', ''), (c.key, c.p, c.paper)

def test_readme_table_is_the_computed_one():
    "README's Paper vs ours is what aae_nb.results computes now; at most 30 rows, none over 320 characters (a row holds the claim, the budget and two links, one named by a record folder of up to 38 characters)."
    import make_readme
    text = (ROOT/'README.md').read_text(encoding='utf-8')
    sec = text.split('## Paper vs ours', 1)[1].split('\n## ', 1)[0]
    rows = [l for l in sec.splitlines() if l.startswith('| ') and not l.startswith('| claim |')]
    assert 0 < len(rows) <= 30, len(rows)
    assert max(map(len, rows)) <= 320, max(rows, key=len)
    want = make_readme._from_root(results_table(RECORDS).strip('\n'))
    assert want in text, 'README.md does not hold the table computed from the records: run python tools/make_readme.py'
    # the paper's number written into our column is caught
    row = next(r for r in rows if 'Fig 11a' in r)
    m = re.search(r'\| ([\d.]+)(?:%;| ± [\d.]+%)', row)            # ours: '6.01%; ...' or '4.42 ± 0.19% with ...'
    assert m and m.group(1) != '4.20', row
    assert want not in text.replace(row, row[:m.start(1)] + '4.20' + row[m.end(1):])

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
        links = [l for j in md for l in re.findall(r'\]\((records/[^)\s]+)', src(cells[j]))]
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
    bad = [b for nb in _notebooks() for b in _figure_cells_without_record(nb)]
    assert not bad, 'figures of real runs whose caption links no committed record: ' + ', '.join(bad)
