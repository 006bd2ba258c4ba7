"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it).

Markdown cells are copied (links to notebooks and images in `nbs/` made relative to the repository root), `#| hide` cells dropped, other code cells become fenced Python. `--check` exits 1 when
README.md differs from what would be written, which is what tests/test_readme.py uses.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    out = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if not src: continue
        if c['cell_type'] == 'markdown':  # links relative to nbs/ (notebooks, images) made relative to the repository root
            out.append(re.sub(r'\]\((?!https?:|#|/|nbs/)([\w./-]+\.(?:ipynb|png|svg|jpg)(?:#[\w-]+)?)\)', r'](nbs/\1)', src))
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            if any(l.strip().startswith('#|') and ('hide' in l or 'export' in l) for l in lines): continue
            out.append('```python\n' + '\n'.join(l for l in lines if not l.startswith('#|')) + '\n```')
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != text: sys.exit('README.md is out of date: run python tools/make_readme.py')
    else: readme.write_text(text, encoding='utf-8')
