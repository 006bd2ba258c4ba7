"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it).

Markdown cells are copied (links to notebooks, images and run records in `nbs/` made relative to the repository
root), `#| hide` / `#| export` cells dropped, a cell that calls `aae_nb.results` (the *Paper vs ours* table) replaced
by the markdown it computes from `nbs/records` now, other code cells become fenced Python. `--check` exits 1 when
README.md differs from what would be written, which is what tests/test_readme.py uses: a new run record that changes
a number of the table makes the README out of date until this is run again.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import _results_markdown  # the same rule the site build uses for these cells

_re_rel = re.compile(r'\]\((?!https?:|#|/|nbs/)((?:records/[^)\s]*)|[\w./-]+\.(?:ipynb|png|svg|jpg)(?:#[\w-]+)?)(\s+"[^"]*")?\)')

def _from_root(md: str) -> str:
    "Links relative to nbs/ (notebooks, images, records) made relative to the repository root."
    return _re_rel.sub(lambda m: f'](nbs/{m.group(1)}{m.group(2) or ""})', md)

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    out = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        if c['cell_type'] == 'markdown': out.append(_from_root(src))
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            code = '\n'.join(l for l in lines if not l.startswith('#|'))
            fresh = _results_markdown(code)
            if fresh is not None: out.append(_from_root(fresh.strip('\n'))); continue
            if any(l.strip().startswith('#|') and ('hide' in l or 'export' in l or 'echo: false' in l) for l in lines): continue
            out.append('```python\n' + code + '\n```')
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != text: sys.exit('README.md is out of date: run python tools/make_readme.py')
    else: readme.write_text(text, encoding='utf-8')
