"""Build the documentation site with no Quarto and no network: `python tools/build_site.py [--out _site]`.

Three steps, each reusing what nbdev 2 does for its own (Quarto) site:

1. **nbdev processing.** Every notebook in `nbs/` goes through nbdev's docs processors (`FilterDefaults`, what
   `nbdev_proc_nbs`/`nbdev_docs` run, in worker processes like `nbdev.serve.proc_nbs`) into `_proc/`: frontmatter
   from the `# title` / `> description` cell, `#| hide` cells dropped, `show_doc` cells added after exported
   definitions and executed, doc links added. `nbdev_proc_nbs` itself is not called because it first insists on
   installing Quarto. The cache rule is nbdev's: a notebook is processed again only when it is newer than its
   `_proc/` copy (or this file changed). `aae_nb/_modidx.py` (what the doc links are made from) is left to
   `nbdev_export`. Four changes to nbdev's processors (`_filter_class`, `_render_showdoc`), so that a page reads as
   a tutorial and shows only what was saved:
   - **the code stays on the page**: `#| exports` cells (the code that implements the paper) are shown, other
     exported cells are folded under "Source" instead of dropped;
   - **nothing is re-computed**: nbdev runs exported cells, cells with imports and show_doc cells to render the API
     entries; of a cell that mixes imports with other code only the imports run here, and every cell but show_doc's
     gets its saved outputs back (`tests/test_site.py` checks it);
   - **API entries** read `class X(...)`/`def f(...)` with the signature on as few lines as fit, the docstring as
     plain text (markdown-escaped outside code and maths), and a Type | Default | Details table from the docments;
     a class without its own `__init__` shows no `*args, **kwargs`; entries come in the order the cell defines them;
   - source links go to the site's own highlighted copy of each module (`_source/<module>.html#L-<line>`), since
     the repository is not reachable from an offline site; the line comes from the code itself (`inspect`), so an
     entry shown on another page than the one that defines it still links to its line (nbdev's lookup gives `#LNone`);
   - an experiment's entry ends with a table of its options, made from its `Option` declarations, and one without
     a docstring of its own shows its `summary`, not its base class's sentence;
   - an exported cell's fold can be titled with the nbdev directive `#| fold TITLE` (kept out of the module).
2. **Quarto's share, done here.** The page order and sections come from `nbs/sidebar.yml` (nbdev's custom sidebar),
   read at build time. Each processed notebook becomes one page named after its `output-file` (`priors.html`, as
   nbdev's doc links expect); Quarto cell options are honoured (`echo: false`, `output: false`, `include: false`,
   `code-fold`, `output: asis`: show_doc's markdown is spliced into the page, so API entries are real headings with
   nbdev's anchors); links into the published site and to `NN_name.ipynb` notebooks become relative links to their
   pages. Nothing is executed: the outputs saved in the notebooks, figures included, are what the site shows, with
   one exception: a cell that only imports from `aae_nb.results` and calls it (the **Reproduce this** box that opens
   each section page, the results table, `show_source`) is computed again from `nbs/records` and the package at every
   build, so the numbers in them are the records' (reading JSON; nothing is trained). A sidebar entry may carry its
   own text (`text: "§2 ..."`, `href: 20_aae.ipynb`). Folded cells say what they hold (`code-summary`, or: the test /
   the code behind this table / figure). Every page links to its notebook (copied into `_notebooks/`); the run records
   of `nbs/records/` are copied to `records/`, each folder with an index page, so numbers and tables can link them.
   PNGs are downscaled in the built site (`shrink_images`) to at most twice the width they are shown at, and a page
   whose images still weigh over 1.5 MB gets them quantised; the notebooks keep their saved figures.
3. **Rendering: Sphinx + MyST-NB + furo** (all on PyPI, see `dev_requirements`). Chosen because MyST-NB renders a
   notebook's *saved* outputs with the execution switched off and parses markdown with `$...$`/`$$...$$` math like
   Quarto; Sphinx's search is a static index (`searchindex.js`) that works offline; furo uses system fonts and ships
   all of its CSS/JS, so a page makes no request outside the site. MathJax 3 comes from the
   `sphinx-mathjax-offline` wheel and is copied into `<out>/_static/mathjax` (the combined `tex-chtml.js`, the TeX
   extensions it may autoload, the a11y/menu components and the woff fonts). MkDocs + mkdocs-jupyter was the
   alternative; it renders notebooks through nbconvert's HTML template (CDN MathJax/require.js to strip out) and
   has no equivalent of splicing show_doc markdown into the page. The look is set in `docs/conf.py`,
   `docs/_static/aae_nb.css` (code wraps, tables fit their column) and `docs/_templates/page.html` (a footer whose only
   links out are the paper and the repository).

Options: `--force` reprocesses every notebook, `--keep-going` builds a page for a notebook whose show_doc cells nbdev
cannot run (without its API entries, with a warning) instead of stopping, `--strict` turns Sphinx warnings into
errors. `tests/test_site.py` builds the site and opens every page in headless Chromium.
"""
from __future__ import annotations
import argparse, ast, html, json, os, re, shutil, sys, time
from pathlib import Path

import yaml
from fastcore.xtras import working_directory

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT/'docs'
ASSET_EXTS = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.pdf'}
MATHJAX_PARTS = ['tex-chtml.js', 'input/tex/extensions', 'output/chtml', 'a11y', 'ui', 'sre', 'adaptors']

def _log(*a): print('[build_site]', *a, flush=True)

# ---------------------------------------------------------------------------------------------------------------
# 1. nbdev processing (mirrors nbdev.serve.proc_nbs, minus Quarto, plus one error report per notebook)

_FOLD_SUMMARY = 'Source'

def _md_escape(s: str) -> str:
    "Markdown-escape prose outside `code spans` and `$maths$`, so `n*n` or `[x]` in a docstring stays literal."
    parts = re.split(r'(`[^`]*`|\$[^$]+\$)', s)  # code spans and inline maths stay as they are
    return ''.join(p if i % 2 else re.sub(r'([*_\\[\]<>|])', r'\\\1', p) for i, p in enumerate(parts))

def _render_showdoc(self) -> str:
    """Our `show_doc` markdown (replaces nbdev's in the build's worker processes): `class X(...)` for classes, the
    signature on as few lines as fit (no comments in it), the docstring as plain text, then a parameter table
    (Type | Default | Details from the docments) as fastcore/fastai pages have, with `|` escaped."""
    import inspect
    from fastcore.docments import docments, _show_param
    from nbdev.doclinks import NbdevLookup
    sym = self.sym
    doc = '---\n\n'
    src = _source_url(sym, NbdevLookup().code(self.fn))
    if src: doc += f'[source]({src}){{target="_blank" style="float:right; font-size:smaller"}}\n\n'
    doc += f'{"#" * self.title_level} {self.nm}\n\n'
    is_cls = inspect.isclass(sym)
    params, ret = [], ''
    own_init = is_cls and any('__init__' in vars(k) for k in sym.__mro__[:-1])
    if not is_cls or own_init:
        try: sig = inspect.signature(sym)
        except (TypeError, ValueError): sig = None
        if sig is not None:
            params = [_show_param(p) for n, p in sig.parameters.items() if n != 'self']
            if sig.return_annotation is not inspect.Signature.empty and not is_cls:
                ret = ' -> ' + (getattr(sig.return_annotation, '__name__', None) or str(sig.return_annotation))
    name = self.nm.split('.')[-1] if not is_cls else self.nm
    head = ('class ' if is_cls else 'def ') + name
    lines, cur = [], head + ('(' if (params or not is_cls) else '')
    for i, prm in enumerate(params):
        piece = prm + (', ' if i < len(params) - 1 else '')
        if len(cur) + len(piece) > 88 and cur.strip(): lines.append(cur.rstrip()); cur = "    "
        cur += piece
    cur += (')' if (params or not is_cls) else '') + ret
    lines.append(cur)
    doc += '```python\n' + '\n'.join(lines) + '\n```\n\n'
    docs = self.docs
    if is_cls and not sym.__dict__.get('__doc__') and getattr(sym, 'summary', None) and getattr(sym, 'name', None):
        docs = f"`aae train {sym.name}`: {sym.summary}"    # an experiment without its own docstring: not its base class's sentence
    if docs: doc += _md_escape(docs) + '\n\n'
    try: dm = docments(sym, full=True)
    except Exception: dm = {}
    rows = [(k, v) for k, v in dm.items() if k not in ('self', 'return')]
    if any(v.get('docment') for _, v in rows) or (dm.get('return') or {}).get('docment'):
        def cell(x):
            t = getattr(x, '__name__', None) if isinstance(x, type) else None
            return (t or repr(x) if not isinstance(x, str) else x).replace('|', '\\|').replace('\n', ' ')
        fmt = lambda v, k: '' if v.get(k, inspect.Parameter.empty) is inspect.Parameter.empty else cell(v[k])
        tbl = ['| | **Type** | **Default** | **Details** |', '| -- | -------- | ----------- | ----------- |']
        for k, v in rows:
            if isinstance(v.get('anno'), inspect._ParameterKind):  # *args / **kwargs: docments puts the kind where the type goes
                k = '`' + ('*' if v['anno'] == inspect.Parameter.VAR_POSITIONAL else '**') + k + '`'; v = {**v, 'anno': inspect.Parameter.empty}
            dv = v.get('default', inspect.Parameter.empty)
            d = '' if dv is inspect.Parameter.empty else '`' + (getattr(dv, '__name__', None) or repr(dv)).replace('|', '\\|') + '`'
            tbl.append(f'| {k} | {fmt(v, "anno")} | {d} | {_md_escape(v.get("docment") or "")} |')
        r = dm.get('return') or {}
        if r.get('docment') or r.get('anno', inspect.Parameter.empty) is not inspect.Parameter.empty:
            tbl.append(f'| **Returns** | {fmt(r, "anno")} | | {_md_escape(r.get("docment") or "")} |')
        doc += '\n'.join(tbl) + '\n'
    return doc + _options_table(sym)

def _source_url(sym, nbdev_url):
    """The source link of an API entry, from the code itself: `<git_url>/blob/<branch>/aae_nb/<module>.py#L<line>`
    (the converter makes it a link to the site's own copy). nbdev's lookup gives `#LNone` for an entry shown on
    another page than the one that defines it; then, and for what `inspect` cannot place, its link is kept only if
    it names a line."""
    import inspect
    from nbdev.config import get_config
    obj = sym.fget if isinstance(sym, property) else sym
    try:
        obj = inspect.unwrap(obj)
        f, line = Path(inspect.getsourcefile(obj)).resolve(), inspect.getsourcelines(obj)[1]
        rel = f.relative_to(ROOT/get_config().lib_name)
    except (TypeError, OSError, ValueError): return nbdev_url if nbdev_url and re.search(r'#L\d+$', nbdev_url) else None
    cfg = get_config()
    return f"{cfg.git_url.rstrip('/')}/blob/{cfg.branch}/{cfg.lib_name}/{rel.as_posix()}#L{line}"

def _options_table(sym) -> str:
    """An experiment's card ends with its options, made from its `Option` declarations (`aae train NAME --help`
    says the same): the budget and optimiser it defaults to, then its own options."""
    import inspect
    try: from aae_nb.experiments import Experiment
    except ImportError: return ''
    if not (inspect.isclass(sym) and issubclass(sym, Experiment) and sym is not Experiment and sym.name): return ''
    cell = lambda x: _md_escape(str(x)).replace('\n', ' ')
    rows = [f"| `--epochs` | `{sym.epochs}` | epochs to train (this experiment's budget) |",
            f"| `--opt` | `{sym.opt}` | optimiser setting (see `06_learner`) |"]
    for o in sym.options:
        ch = o.choice_list() if o.choices is not None else None
        rows.append(f"| `{o.cli}` | `{o.default!r}` | {cell(o.help)}" + (f" (one of: {cell(', '.join(map(str, ch)))})" if ch else '') + ' |')
    return (f"\n**Options** of `aae train {sym.name}` (beside those every experiment takes: `aae train --help`):\n\n"
            '| option | default | what it sets |\n|---|---|---|\n' + '\n'.join(rows) + '\n')

def _filter_class():
    """nbdev's docs processors with three changes (see the module docstring): exported code stays on the page (`#| exports`
    cells shown, `#| export` cells folded), the cells nbdev runs to render show_doc keep their saved outputs, and
    nothing is moved."""
    from nbdev.processors import (FilterDefaults, exec_show_docs, rm_export, add_fold, mv_exports, _is_showdoc, add_show_docs,
                                  _want_doc, _def_names, _get_nm, _show_docs, cell_lang)
    from execnb.nbio import mk_cell
    from fastcore.foundation import L
    from nbdev.process import NbCell
    class show_docs_in_order(add_show_docs):
        "nbdev's `add_show_docs`, but a cell's entries come in the order the cell defines them (nbdev reverses them)."
        def begin(self):
            nb = self.nb
            exports = L(cell for cell in nb.cells if _want_doc(cell))
            shown = {_get_nm(t) for t in _show_docs(L(nb.cells).map(NbCell.parsed_).concat())}
            for cell in reversed(exports):
                if cell_lang(cell) != 'python': raise ValueError(f"{cell.metadata.language} can't export:\n{cell.source}")
                for nm in reversed(_def_names(cell, shown)):
                    c = mk_cell(f'show_doc({nm})'); c.has_sd = True
                    nb.cells.insert(cell.idx_ + 1, c)
            nb.has_docs_ = shown or exports
    import ast
    def _imports_only(src: str):
        "The import statements of a cell that mixes them with other code (None when it does not, or is not Python)."
        try: tree = ast.parse(src)
        except SyntaxError: return None
        imps = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]   # nested ones too (inside `with`, `if`)
        only = all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body)
        return '\n'.join(ast.unparse(n) for n in imps) if imps and not only else None
    class keep_saved_outputs(exec_show_docs):
        """Run what show_doc needs, as nbdev does, with two differences: of a cell that mixes imports with other code
        only the imports run (nbdev runs all of it: training, reading run folders a clone does not have), and every
        non-show_doc cell gets its saved outputs back."""
        def __call__(self, cell):
            if cell.cell_type != 'code' or _is_showdoc(cell): return super().__call__(cell)
            keep, src = json.loads(json.dumps(cell.get('outputs', []))), cell.source
            d = cell.directives_ or {}
            imps = None if d.keys() & {'export', 'exports', 'exporti', 'exec_doc'} else _imports_only(src)
            if imps is not None: cell.source = imps
            try: super().__call__(cell)
            finally: cell.source, cell['outputs'] = src, keep
    def show_source(cell):
        "Exported cells keep their code: `exports` shown, `export`/`exporti` folded; hidden cells dropped as before."
        d = cell.directives_ or {}
        if not d or cell.cell_type != 'code': return
        if d.keys() & {'hide', 'default_exp'}: del cell['source']; return
        if 'exports' in d: cell.source = '#| code-fold: show\n' + cell.source
        elif d.keys() & {'export', 'exporti'}:  # `#| fold TITLE` (an nbdev directive: kept out of the module) titles the fold
            title = ' '.join(d['fold']).replace('"', "'") if d.get('fold') else _FOLD_SUMMARY
            cell.source = f'#| code-fold: true\n#| code-summary: "{title}"\n' + cell.source
    class AaeFilter(FilterDefaults):
        def base_procs(self):
            swap = {exec_show_docs: keep_saved_outputs, rm_export: show_source, add_show_docs: show_docs_in_order}
            return [swap.get(p, p) for p in super().base_procs() if p not in (add_fold, mv_exports)]
    return AaeFilter

def _proc_one(o):
    "Run nbdev's docs processors on one notebook (in a worker process): `None` when it worked, else the error."
    import nbdev.serve_drv, nbdev.showdoc, warnings
    warnings.filterwarnings('ignore', 'Found cells containing imports')  # an error below says it if it matters
    nbdev.showdoc.BasicMarkdownRenderer._repr_markdown_ = _render_showdoc
    if o[2] is not None and o[2].__name__ == 'FilterDefaults': o = (o[0], o[1], _filter_class())
    try: nbdev.serve_drv.main(o)
    except Exception as e:
        c = e.__cause__
        return f'{e}' + (f'\n    -> {type(c).__name__}: {c}' if c else '')
    finally: os.environ.pop('IN_TEST', None)

def _skip_showdoc_filter():
    "nbdev's processors without `exec_show_docs`: what `--keep-going` falls back to for a notebook that fails."
    from nbdev.processors import FilterDefaults, exec_show_docs
    class SkipShowDocs(FilterDefaults):
        def base_procs(self): return [p for p in super().base_procs() if p is not exec_show_docs]
    return SkipShowDocs

def process_notebooks(force=False, keep_going=False, n_workers=2) -> Path:
    "nbdev-process `nbs/` into `_proc/` (only what changed); return `_proc`."
    from fastcore.parallel import parallel
    import nbdev.serve, nbdev.serve_drv
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    cfg = get_config()
    nbs, cache = cfg.nbs_path, cfg.config_path/'_proc'
    files = nbglob(nbs, func=Path, file_glob='', file_re='')
    chk_mtime = max(cfg.config_file.stat().st_mtime, Path(nbdev.serve.__file__).stat().st_mtime, Path(__file__).stat().st_mtime)
    if cache.exists() and (force or cache.stat().st_mtime < chk_mtime): shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    # a notebook is redone when it is newer than its processed copy (nbdev also trusts the folder's mtime, which any
    # new file in it bumps: a notebook that failed last time could then be skipped)
    todo = files.map(nbdev.serve._proc_file, mtime=None, cache=cache, path=nbs).filter()
    if not todo: return cache
    _log(f'nbdev processing {len(todo)} file(s):', ' '.join(o[0].name for o in todo))
    if len(todo) == 1 or n_workers < 2: errs = [_proc_one(o) for o in todo]
    else: errs = parallel(_proc_one, todo, n_workers=min(n_workers, len(todo)), pause=0.01, method='spawn',
                          progress=False)
    failed = [(o, e) for o, e in zip(todo, errs) if e]
    msgs = [f'nbdev cannot process {src.relative_to(ROOT)} for the docs (nbdev_docs would fail the same way):\n    {err}'
            for (src, _, _), err in failed]
    hint = ('    To render show_doc, nbdev runs exported cells, show_doc cells and every cell with an import in it: a '
            'cell that mixes\n    imports with other code is run too, outside its context (nbdev FAQ: keep imports '
            'in cells of their own).')
    if failed and not keep_going:
        sys.exit('\n'.join(msgs) + '\n' + hint + '\n    (--keep-going builds such a page without its API entries)')
    for ((src, dst, _), _), msg in zip(failed, msgs):
        _log('WARNING', msg, '\n    --keep-going: its page is built without show_doc output')
        nbdev.serve_drv.main((src, dst, _skip_showdoc_filter()))
        os.environ.pop('IN_TEST', None)
        os.utime(dst, (0, 0))  # so the next build tries this notebook again
    cache.touch()
    return cache

# ---------------------------------------------------------------------------------------------------------------
# 2. From processed notebooks to a Sphinx source folder

def read_sidebar(nbs: Path) -> list:
    "`nbs/sidebar.yml` as `[(caption or None, [entry, ...])]`; an entry is a path relative to `nbs` or `(text, url)`."
    if not (nbs/'sidebar.yml').exists():  # nbdev's default: every notebook, by name
        return [(None, sorted(p.relative_to(nbs).as_posix() for p in nbs.rglob('*.ipynb')))]
    y = yaml.safe_load((nbs/'sidebar.yml').read_text(encoding='utf-8')) or {}
    sb = (y.get('website') or {}).get('sidebar') or {}
    if isinstance(sb, list): sb = sb[0] if sb else {}
    groups = [(None, [])]
    def add(caption, entry):
        if groups[-1][0] != caption: groups.append((caption, []))
        groups[-1][1].append(entry)
    def walk(items, caption):
        for it in items or []:
            if isinstance(it, str): add(caption, it)
            elif isinstance(it, dict) and ('section' in it or 'contents' in it):
                cap = caption if caption is not None else (it.get('section') or it.get('text'))  # nested: flattened
                if isinstance(it.get('href'), str): add(cap, it['href'])
                walk(it.get('contents'), cap)
            elif isinstance(it, dict) and isinstance(it.get('href'), str): add(caption, (it.get('text'), it['href']))
    walk(sb.get('contents'), None)
    return [g for g in groups if g[1]]

_re_fm = re.compile(r'^\s*---\s*\n(.*?)\n---\s*$', re.S)
_re_dir = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def _frontmatter(nb) -> dict:
    for c in nb['cells']:
        if c['cell_type'] == 'raw' and (m := _re_fm.match(''.join(c['source']))):
            return yaml.safe_load(m.group(1)) or {}
    return {}

def _docname(rel: Path, fm: dict) -> str:
    "Where nbdev/Quarto put the page: the frontmatter's `output-file`, in the notebook's folder."
    name = Path(fm.get('output-file') or rel.with_suffix('.html').name).with_suffix('').name
    return (rel.parent/name).as_posix()

_re_src = re.compile(r'https://github\.com/[^/\s]+/[^/\s]+/blob/[^/\s]+/aae_nb/([\w/]+)\.py#L(\d+)')

def write_source_pages(dest: Path, title: str):
    "`<dest>/<module>.html`: each module of the package, highlighted, one anchor per line (`#L-12`), where API entries' source links land."
    from pygments import highlight
    from pygments.lexers import PythonLexer
    from pygments.formatters import HtmlFormatter
    fmt = HtmlFormatter(lineanchors='L', linenos='inline', anchorlinenos=True, style='friendly')
    dest.mkdir(parents=True, exist_ok=True)
    css = fmt.get_style_defs('.highlight') + ('\nbody{font-family:system-ui,sans-serif;margin:1rem 2rem} pre{font-size:13px;line-height:1.4;overflow-x:auto}'
                                              '\n.linenos{color:#999;padding-right:1em} :target{background:#ffeb99}')
    (dest/'source.css').write_text(css, encoding='utf-8')
    for py in sorted((ROOT/'aae_nb').rglob('*.py')):
        if py.name == '_modidx.py': continue
        mod = py.relative_to(ROOT/'aae_nb').with_suffix('').as_posix()
        body = highlight(py.read_text(encoding='utf-8'), PythonLexer(), fmt)
        page = (f'<!doctype html><html><head><meta charset="utf-8"><title>aae_nb/{mod}.py: {html.escape(title)}</title>'
                f'<link rel="stylesheet" href="{"../" * mod.count("/")}source.css"></head><body>'
                f'<p><a href="{"../" * (mod.count("/") + 1)}index.html">{html.escape(title)}</a> / <code>aae_nb/{mod}.py</code> '
                f'(generated from the notebooks by <code>nbdev_export</code>)</p>{body}</body></html>')
        (dest/f'{mod}.html').parent.mkdir(parents=True, exist_ok=True)
        (dest/f'{mod}.html').write_text(page, encoding='utf-8')

def write_record_indexes(dest: Path, title: str):
    "An `index.html` in every folder of the copied records, listing its files and folders, so a link to a record folder opens."
    for d in [dest, *sorted(p for p in dest.rglob('*') if p.is_dir())]:
        if (d/'index.html').exists(): continue
        rel = d.relative_to(dest.parent).as_posix()
        up = '../' * (len(d.relative_to(dest.parent).parts))
        items = sorted(d.iterdir(), key=lambda p: (p.is_file(), p.name))
        lis = ''.join(f'<li><a href="{html.escape(p.name)}{"/" if p.is_dir() else ""}">{html.escape(p.name)}{"/" if p.is_dir() else ""}</a></li>'
                      for p in items if p.name != 'index.html')
        parent = '' if d == dest else '<li><a href="../">../</a></li>'
        (d/'index.html').write_text(
            f'<!doctype html><html><head><meta charset="utf-8"><title>{rel}/: {html.escape(title)}</title>'
            f'<link rel="stylesheet" href="{up}_source/source.css"></head><body><p><a href="{up}index.html">{html.escape(title)}</a> / '
            f'<code>nbs/{rel}/</code>: run records (<a href="{up}records/README.md">what they hold</a>)</p><ul>{parent}{lis}</ul></body></html>',
            encoding='utf-8')

def unlink_dead_doc_links(site: Path) -> int:
    """nbdev links every backticked name of the package to its entry (`batched.html#_linear`); a private helper or a
    dunder has no entry, so such a link would point at no anchor. Those links (a link around code only, whose page
    exists and lacks the anchor) become the plain code they wrap. Returns how many."""
    pages = {p: p.read_text(encoding='utf-8') for p in site.glob('*.html')}
    ids = {p.name: set(re.findall(r'\sid="([^"]+)"', h)) for p, h in pages.items()}
    n = 0
    def fix(m):
        nonlocal n
        page, frag = m.group(2), m.group(3)
        if page not in ids or frag in ids[page]: return m.group(0)
        n += 1; return m.group(4)
    for p, h in pages.items():
        new = re.sub(r'<a (class="[^"]*" )?href="([\w.-]+\.html)#([^"]+)"[^>]*>(<code[^>]*>.*?</code>)</a>', lambda m: fix(m) if m.group(2) else m.group(0), h)
        if new != h: p.write_text(new, encoding='utf-8')
    return n

COLUMN_W = 796               # the text column at a 1400 px window (furo + aae_nb.css), where a figure is shown widest: a figure is never narrowed below it
# zlib's level 6, not Pillow's optimize (level 9 and filter trials): 4x faster to write the site's PNGs, 1% larger;
# a page over its budget gets the tighter encoder
PNG_SAVE, PNG_SMALL = dict(compress_level=6), dict(optimize=True)
MAX_PAGE_IMG_BYTES = 1_400_000   # the build aims under tests/test_site.py's 1.5 MB a page, so a page does not land on the limit

def _quantized(im, colours=256):
    "A figure as a palette image of `colours` colours, transparent parts on white (as the page shows them)."
    from PIL import Image
    rgba = im.convert('RGBA')
    rgb = Image.new('RGB', rgba.size, 'white'); rgb.paste(rgba, mask=rgba.getchannel('A'))
    return rgb.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)

def _narrower(im, c:int):
    "The image resized to `c` pixels wide, its aspect kept (LANCZOS; palette images as RGBA)."
    from PIL import Image
    w, h = im.size
    return im.convert('RGBA' if im.mode in ('RGBA', 'LA', 'P') else 'RGB').resize((c, max(1, round(h * c / w))), Image.LANCZOS)

def shrink_images(site: Path) -> str:
    """Build-time downscale of the site's PNGs (the notebooks keep their saved figures): each image is resized to at
    most twice the width it is shown at (its `width` attribute, or the text column); a page whose images still weigh
    more than `MAX_PAGE_IMG_BYTES` gets them quantised to 256 colours (matplotlib figures lose nothing visible), and if
    that is not enough its heaviest are drawn narrower, down to their display width (`cap // 2`), then put on 128 and
    64 colours.
    Returns a one-line report. `tests/test_site.py` checks both limits in the browser."""
    from PIL import Image
    pngs = list(site.rglob('*.png'))
    before = sum(p.stat().st_size for p in pngs)
    cap, pages = {}, {}
    for page in site.rglob('*.html'):
        if page.relative_to(site).parts[0] in ('_static', '_source', 'records'): continue
        for tag in re.findall(r'<img\b[^>]*>', page.read_text(encoding='utf-8')):
            src = re.search(r'\ssrc="([^"]+\.png)"', tag)
            if not src or '://' in src.group(1): continue
            f = (page.parent/src.group(1)).resolve()
            w = re.search(r'\swidth="(\d+)"', tag)
            shown = min(int(w.group(1)), COLUMN_W) if w else COLUMN_W
            cap[f] = min(cap.get(f, 2 * COLUMN_W), 2 * shown); pages.setdefault(page, set()).add(f)
    n = q = 0
    for f, c in cap.items():
        if not f.exists(): continue
        with Image.open(f) as im:
            w, h = im.size
            if w <= c: continue
            im = _narrower(im, c)
        was = f.stat().st_size
        im.save(f, **PNG_SAVE); n += 1
        if f.stat().st_size > was: _quantized(im).save(f, **PNG_SAVE); q += 1   # resampling added colours: back to a palette
    for page, fs in pages.items():
        fs = [f for f in fs if f.exists()]
        if sum(f.stat().st_size for f in fs) <= MAX_PAGE_IMG_BYTES: continue
        for f in sorted(fs, key=lambda f: -f.stat().st_size):
            with Image.open(f) as im:
                im.load()
            if im.mode == 'P': im.save(f, **PNG_SMALL)          # already a palette: only the slower, tighter encoder
            else: _quantized(im).save(f, **PNG_SMALL); q += 1
            if sum(x.stat().st_size for x in fs) <= MAX_PAGE_IMG_BYTES: break
        for scale in (0.8, 0.65, 0.5):   # still too heavy with every figure on a palette: the heaviest drawn narrower (never under their display width)
            if sum(f.stat().st_size for f in fs) <= MAX_PAGE_IMG_BYTES: break
            for f in sorted(fs, key=lambda f: -f.stat().st_size):
                with Image.open(f) as im:
                    w, h = im.size; c = max(round(cap[f] * scale), cap[f] // 2)
                    if w <= c: continue
                    im = _narrower(im, c)
                _quantized(im).save(f, **PNG_SMALL); n += 1
                if sum(x.stat().st_size for x in fs) <= MAX_PAGE_IMG_BYTES: break
        for colours in (128, 64):   # the last resort: the heaviest on fewer colours (grey digit grids and line plots need few)
            if sum(f.stat().st_size for f in fs) <= MAX_PAGE_IMG_BYTES: break
            for f in sorted(fs, key=lambda f: -f.stat().st_size):
                with Image.open(f) as im:
                    im.load()
                _quantized(im, colours).save(f, **PNG_SMALL); q += 1
                if sum(x.stat().st_size for x in fs) <= MAX_PAGE_IMG_BYTES: break
    after = sum(p.stat().st_size for p in pngs)
    return f'{n} resized to twice their display width, {q} quantised, PNGs {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB' if n or q else ''

def _png_width(b64) -> int|None:
    import base64
    try: head = base64.b64decode(''.join(b64)[:64])
    except ValueError: return None
    return int.from_bytes(head[16:20], 'big') if head[:8] == b'\x89PNG\r\n\x1a\n' else None

def _no_upscale(o: dict) -> dict:
    "An image output asked to show wider than its pixels (IPython's `Image(width=...)`) is shown at its natural width."
    md = (o.get('metadata') or {}).get('image/png') or {}
    w = _png_width(o.get('data', {}).get('image/png', '')) if md.get('width') else None
    if w is None or int(md['width']) <= w: return o
    md = {k: v for k, v in md.items() if k not in ('width', 'height')}
    return {**o, 'metadata': {**o['metadata'], 'image/png': {**md, 'width': w}}}

def _split_row(line: str) -> list:
    return [f for f in re.split(r'\s{2,}|\t', line.strip()) if f]

def _is_num(f: str) -> bool: return re.fullmatch(r'[-+±~<>≈]?\d[\d,.]*(?:e[-+]?\d+)?\s*%?(?:\s*±\s*[\d.]+\s*%?)?', f.strip()) is not None
def _is_header(fields: list) -> bool: return not any(map(_is_num, fields))

def _text_tables(o: dict) -> list:
    """A printed result table (a stream output whose lines, or a run of 3+ of them, split into the same number of
    columns at runs of 2+ spaces) becomes a markdown table, which the page renders as an HTML table; other text stays
    as it was. Returns the outputs that replace `o`."""
    if o.get('output_type') != 'stream' or o.get('name') != 'stdout': return [o]
    lines = ''.join(o.get('text', '')).rstrip('\n').split('\n')
    if len(lines) < 3 or any('|' in l or l.startswith(' ' * 4) and not l.strip() for l in lines): return [o]
    out, i = [], 0
    def text(ls):
        if ls: out.append({'name': 'stdout', 'output_type': 'stream', 'text': '\n'.join(ls) + '\n'})
    pending = []
    while i < len(lines):
        n = len(_split_row(lines[i])); j = i
        while j < len(lines) and n >= 2 and len(_split_row(lines[j])) == n: j += 1
        if j - i >= 3 and _is_header(_split_row(lines[i])) and any(map(_is_num, _split_row(lines[i + 1]))):
            text(pending); pending = []
            rows = [[c.replace('|', '\\|') for c in _split_row(l)] for l in lines[i:j]]
            md = '| ' + ' | '.join(rows[0]) + ' |\n|' + '---|' * n + '\n' + '\n'.join('| ' + ' | '.join(r) + ' |' for r in rows[1:])
            out.append({'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown': md + '\n', 'text/plain': '\n'.join(lines[i:j])}})
            i = j
        else: pending.append(lines[i]); i += 1
    text(pending)
    return out if any(x['output_type'] == 'display_data' for x in out) else [o]

def _results_markdown(code: str):
    """What a cell that only imports from `aae_nb.results` and calls one of its functions (`reproduce_box(...)`,
    `results_table()`) makes from `nbs/records` now, as markdown; `None` for any other cell. These cells are re-run
    at every build, so the numbers they show are the records' (reading JSON: nothing is trained)."""
    try: body = ast.parse(code).body
    except SyntaxError: return None
    if (len(body) < 2 or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call)
        or not all(isinstance(n, ast.ImportFrom) and n.module == 'aae_nb.results' for n in body[:-1])): return None
    ns = {}
    exec(compile(ast.Module(body[:-1], type_ignores=[]), '<results cell>', 'exec'), ns)
    return str(eval(compile(ast.Expression(body[-1].value), '<results cell>', 'eval'), ns))

def _fold_title(code: str, c: dict) -> str:
    "What a folded cell holds, said on its fold: the code behind a table or a figure, or a test."
    outs = c.get('outputs', [])
    tables = [t for o in outs for t in _text_tables(o)]
    kind = ('figure' if any('image/png' in o.get('data', {}) for o in outs) else
            'table' if any('text/markdown' in t.get('data', {}) for t in tables) else
            'output' if any(o.get('output_type') == 'stream' for o in outs) else None)
    if kind is None: return 'Show the test'
    return f"Show the code that {'reads the run records and ' if 'records' in code else ''}makes this {kind} (and checks it)"

# Cells folded on the pages (collapsed, one click away): tests, and plotting code of a figure
_re_test = re.compile(r'^\s*(?:test_(?:eq|ne|close|fail|is|stdout|warns)\(|assert\s)', re.M)
_re_plot = re.compile(r'\b(?:plt|ax|axs|fig)\.')

class Converter:
    "Turn one nbdev-processed notebook into the notebook Sphinx renders (see the module docstring, step 2)."
    def __init__(self, site_url: str, docnames: set, nb_pages: dict|None=None):
        self.site_url, self.docnames, self.nb_pages = site_url.rstrip('/') + '/', docnames, nb_pages or {}

    # --- markdown ---
    def _local(self, url: str, depth: int) -> str:
        "A link into the published site, made relative to a page `depth` folders down."
        path = url[len(self.site_url):]
        page, _, frag = path.partition('#')
        if not page or page.endswith('/'): page += 'index.html'
        if page.endswith('.html') and page[:-5] not in self.docnames: return url  # not a page we build
        return '../' * depth + page + (f'#{frag}' if frag else '')

    def md(self, s: str, depth: int) -> str:
        "Pandoc-isms to MyST, site links to relative ones, source links to the site's own source pages, outside fenced code."
        s = _re_src.sub(lambda m: f'{"../" * depth}_source/{m.group(1)}.html#L-{m.group(2)}', s)
        parts = re.split(r'(^```.*?^```[ \t]*$)', s, flags=re.M | re.S)
        return ''.join(p if i % 2 else self._md_text(p, depth) for i, p in enumerate(parts))

    def _md_text(self, s, depth):
        def attr_link(m):  # [text](url){target="_blank" style="float:right; ..."} -> raw <a>
            text, url, attrs = m.groups()
            cls = ' '.join(re.findall(r'\.([\w-]+)', attrs))
            if 'float:right' in attrs.replace(' ', ''): cls = (cls + ' nbdev-source').strip()
            tgt = ' target="_blank" rel="noopener"' if '_blank' in attrs else ''
            url = self._local(url, depth) if url.startswith(self.site_url) else url
            return f'<a href="{html.escape(url)}"' + (f' class="{cls}"' if cls else '') + f'{tgt}>{text}</a>'
        s = re.sub(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}', attr_link, s)
        def nb_link(m):  # [`20_aae`](20_aae.ipynb#frag) or [..](nbs/20_aae.ipynb) -> a link to the notebook's page
            page = self.nb_pages.get(m.group(2))
            if page is None: return m.group(0)
            return f'<a href="{"../" * depth}{page}.html{m.group(3) or ""}">{m.group(1)}</a>'
        s = re.sub(r'(?<!!)\[([^\]\n]*)\]\((?:nbs/)?([\w.-]+\.ipynb)(#[\w-]+)?\)', nb_link, s)
        # [record](records/run/metrics.json): a file the site serves (build() copies nbs/records/), not a page; records/ alone: their index
        s = re.sub(r'(?<!!)\[([^\]\n]*)\]\((records/[^)\s]*)(?:\s+"([^"]*)")?\)', lambda m: f'<a href="{"../" * depth}{m.group(2)}"'
                   + (f' title="{html.escape(m.group(3))}"' if m.group(3) else '') + f' class="record-link">{m.group(1)}</a>', s)
        def site_link(m):  # [`Prior`](https://host/base/priors.html#prior) -> <a href="priors.html#prior">`Prior`</a>
            local = self._local(m.group(2), depth)
            return m.group(0) if local == m.group(2) else f'<a href="{html.escape(local)}">{m.group(1)}</a>'
        s = re.sub(r'(?<!!)\[([^\]\n]*)\]\((' + re.escape(self.site_url) + r'[^)\s]*)\)', site_link, s)
        return re.sub(r'href="(' + re.escape(self.site_url) + r'[^"]*)"',
                      lambda m: f'href="{self._local(m.group(1), depth)}"', s)

    def showdoc_md(self, s: str, depth: int) -> str:
        "show_doc's markdown as page content: an anchor where nbdev links, the source link, then the heading."
        s = re.sub(r'^(```[^\n]*\n)(.*?)^(```)[ \t]*$', lambda m: m[1] + m[2].strip('\n') + '\n' + m[3],
                   self.md(s, depth), flags=re.M | re.S)  # a signature without the blank lines around it
        lines = s.strip('\n').split('\n')
        if lines and lines[0].strip() == '---': lines = lines[1:]
        head = next((i for i, l in enumerate(lines) if re.match(r'#{1,6}\s', l)), None)
        if head is None: return '\n'.join(lines)
        src = next((i for i, l in enumerate(lines[:head]) if 'nbdev-source' in l), None)
        pre = [lines[src]] if src is not None else []
        rest = [l for i, l in enumerate(lines[:head]) if i != src and l.strip()]
        title = re.sub(r'[`*\\]', '', lines[head].lstrip('#').strip())
        anchor, slug = title.lower(), re.sub(r'[^\w\- ]', '', title.lower()).replace(' ', '-')
        div = [f'<div id="{html.escape(anchor)}" class="nbdev-api-anchor"></div>', ''] if anchor != slug else []
        if not pre: pre = ['<span class="nbdev-source"></span>']  # marks the entry for docs/_static/aae_nb.css
        mod = re.search(r'_source/([\w/]+)\.html', '\n'.join(pre))
        idx = [f'```{{index}} single: {title} ({"aae_nb." + mod.group(1).replace("/", ".") if mod else "aae_nb"})', '```', '']
        # the index target goes right above the heading: a target followed by raw HTML (the anchor div) loses its id
        return '\n'.join(rest + [''] + div + idx + [lines[head], ''] + pre + [''] + lines[head+1:])

    # --- cells ---
    @staticmethod
    def _directives(src: str):
        "Quarto cell options (`#| key: value`) at the top of a cell, and the source without them."
        lines, d = src.split('\n'), {}
        while lines and (m := _re_dir.match(lines[0])):
            d[m.group(1)] = m.group(2).strip().strip('"\''); lines.pop(0)
        return d, '\n'.join(lines)

    def cells(self, nb, fm, depth):
        out = []
        title = fm.get('title') or 'Untitled'
        head = f'# {title}'
        if fm.get('description'): head += '\n\n{.nbdev-description}\n' + self.md(str(fm['description']), depth)
        out.append(dict(cell_type='markdown', metadata={}, source=head))
        for c in nb['cells']:
            src = ''.join(c.get('source', ''))
            if c['cell_type'] == 'raw':
                if _re_fm.match(src): continue
                out.append(c); continue
            if c['cell_type'] == 'markdown':
                if src.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
                out.append(dict(cell_type='markdown', metadata={}, source=self.md(src, depth),
                                **({'attachments': c['attachments']} if c.get('attachments') else {})))
                continue
            d, code = self._directives(src)
            if str(d.get('include', '')).lower() == 'false': continue
            tags = []
            if str(d.get('echo', '')).lower() == 'false' or not code.strip(): tags.append('remove-input')
            if str(d.get('output', '')).lower() == 'false': tags.append('remove-output')
            meta = {}
            fold, summary = str(d.get('code-fold', '')).lower(), d.get('code-summary')
            if summary == _FOLD_SUMMARY: summary = None
            if fold == 'true': tags.append('hide-input'); meta = {'code_prompt_show': summary or 'Show the exported source'}
            elif fold != 'show' and 'remove-input' not in tags:  # `show`: the package's code for the paper stays visible
                if _re_test.search(code) or summary: tags.append('hide-input'); meta = {'code_prompt_show': summary or _fold_title(code, c)}
                elif (code.count('\n') >= 5 and _re_plot.search(code)
                      and any('image/png' in o.get('data', {}) for o in c.get('outputs', []))):
                    tags.append('hide-input'); meta = {'code_prompt_show': 'Show the plotting code'}
            outputs, spliced = [], []
            fresh = _results_markdown(code)  # a Reproduce box / the results table: computed from the records now
            if fresh is not None: d = {**d, 'output': 'asis'}
            cell_outputs = c.get('outputs', []) if fresh is None else [
                {'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown': fresh, 'text/plain': 'Md(...)'}}]
            for o in [t for o in cell_outputs for t in _text_tables(o)]:
                data = o.get('data', {})
                o = _no_upscale(o)
                if 'text/markdown' in data:
                    m = ''.join(data['text/markdown'])
                    if d.get('output') == 'asis' or code.lstrip().startswith('show_doc('):
                        spliced.append(self.showdoc_md(m, depth) if 'show_doc(' in code else self.md(m, depth))
                        continue
                    o = {**o, 'data': {**data, 'text/markdown': self.md(m, depth)}}
                outputs.append(o)
            if not ('remove-input' in tags and (not outputs or 'remove-output' in tags)):
                md = {'tags': tags} if tags else {}
                if meta: md['mystnb'] = {**meta, 'code_prompt_hide': 'Hide'}
                out.append(dict(cell_type='code', metadata=md, source=code,
                                outputs=outputs, execution_count=c.get('execution_count')))
            out += [dict(cell_type='markdown', metadata={}, source=m) for m in spliced]
        return out

    def notebook(self, nb: dict, fm: dict, docname: str, orphan=False, source: str|None=None) -> dict:
        depth = docname.count('/')
        meta = {k: v for k, v in nb.get('metadata', {}).items() if k in ('kernelspec', 'language_info')}
        if orphan: meta['orphan'] = True
        cells = self.cells(nb, fm, depth)
        if source:  # the notebook itself, as it is in nbs/ (build() copies it into _notebooks/)
            cells.insert(1, dict(cell_type='markdown', metadata={}, source=
                f'<p class="nb-download"><a href="{"../" * depth}_notebooks/{source}" download>Download this notebook</a> '
                f'(<code>nbs/{source}</code>: run it in Jupyter to re-make this page)</p>'))
        return dict(nbformat=4, nbformat_minor=5, metadata=meta, cells=cells)

def _only_imports(code: str) -> bool:
    try: body = ast.parse(code).body
    except SyntaxError: return False
    return bool(body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body)

def _imports_after_intro(cells: list) -> list:
    "A page opens with its title, its Reproduce box and its introduction: the module's folded imports move down to its first `##` section."
    lead = [c for c in cells[:4] if c['cell_type'] == 'code' and 'hide-input' in c.get('metadata', {}).get('tags', [])
            and _only_imports(''.join(c['source']))]
    if not lead: return cells
    rest = [c for c in cells if all(c is not l for l in lead)]
    at = next((i for i, c in enumerate(rest) if c['cell_type'] == 'markdown' and re.match(r'#{2}\s', ''.join(c['source']).lstrip())), len(rest))
    return rest[:at] + lead + rest[at:]

def _toctree(caption, entries) -> str:
    opts = ':hidden:\n:maxdepth: 2\n' + (f':caption: {caption}\n' if caption else '')
    return '```{toctree}\n' + opts + '\n' + '\n'.join(entries) + '\n```'

def _write_if_changed(p: Path, text: str):
    "Keep mtimes of unchanged sources, so Sphinx rebuilds only what changed."
    if p.exists() and p.read_text(encoding='utf-8') == text: return
    p.parent.mkdir(parents=True, exist_ok=True); p.write_text(text, encoding='utf-8')

def make_sources(proc: Path, src: Path) -> dict:
    "Write the Sphinx source folder from `_proc`, ordered by `nbs/sidebar.yml`; return the site's layout."
    from nbdev.config import get_config
    cfg = get_config()
    nbs = cfg.nbs_path
    # the notebooks that exist now (a stale _proc copy of a deleted notebook is not a page)
    rels = sorted(p.relative_to(nbs) for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts)
                  and (proc/p.relative_to(nbs)).exists())
    nbjs = {r: json.loads((proc/r).read_text(encoding='utf-8')) for r in rels}
    fms = {r: _frontmatter(nbjs[r]) for r in rels}
    docs, seen = {}, set()
    for r in rels:
        dn = _docname(r, fms[r])
        if dn in seen: dn = r.with_suffix('').as_posix()  # two notebooks claim one output-file
        docs[r] = dn; seen.add(dn)
    if Path('index.ipynb') in docs: docs[Path('index.ipynb')] = 'index'
    # navigation
    toc, listed = [], set()
    for caption, entries in read_sidebar(nbs):
        items = []
        for e in entries:
            text = None
            if isinstance(e, tuple):
                text, url = e
                if url.endswith('.ipynb') and Path(url) in docs: e = url   # a page with its own sidebar text (`§2 AAE`)
                else: items.append(f'{text or url} <{url}>'); continue
            r = Path(e)
            if r not in docs: _log(f'WARNING: nbs/sidebar.yml lists {e}, which is not in nbs/: left out'); continue
            listed.add(r)
            if docs[r] != 'index': items.append(f'{text} <{docs[r]}>' if text else docs[r])
        if items: toc.append((caption, items))
    orphans = [r for r in rels if r not in listed and docs[r] != 'index']
    for r in orphans: _log(f'NOTE: {r} is not in nbs/sidebar.yml: built as {docs[r]}.html, not in the navigation')
    conv = Converter(cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/'), set(docs.values()),
                     {r.name: d for r, d in docs.items() if r.parent == Path('.')})
    wanted = set()
    for r in rels:
        nb = conv.notebook(nbjs[r], fms[r], docs[r], orphan=r in orphans, source=r.as_posix())
        if docs[r] == 'index': nb['cells'] += [dict(cell_type='markdown', metadata={}, source=_toctree(c, i))
                                               for c, i in toc]
        nb['cells'] = _imports_after_intro(nb['cells'])
        for i, c in enumerate(nb['cells']): c['id'] = f'c{i}'
        p = src/(docs[r] + '.ipynb'); wanted.add(p)
        _write_if_changed(p, json.dumps(nb, indent=1, ensure_ascii=False))
    if 'index' not in docs.values():  # no index notebook: a plain home page that carries the navigation
        p = src/'index.md'; wanted.add(p)
        _write_if_changed(p, f'# {cfg.title}\n\n{cfg.description}\n\n' + '\n\n'.join(_toctree(c, i) for c, i in toc))
    for a in proc.rglob('*'):  # images etc. that markdown cells point at (not the build's own work folder, `.site`)
        if a.is_file() and a.suffix.lower() in ASSET_EXTS and not any(q.startswith('.') for q in a.relative_to(proc).parts):
            d = src/a.relative_to(proc); wanted.add(d)
            if not d.exists() or d.stat().st_mtime < a.stat().st_mtime: d.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(a, d)
    for p in list(src.rglob('*')):
        if p.is_file() and p not in wanted: p.unlink()
    return dict(pages={docs[r]: str(r) for r in rels}, toc=toc, orphans=[docs[r] for r in orphans])

# ---------------------------------------------------------------------------------------------------------------
# 3. Sphinx, MathJax, output folder

def mathjax_dir() -> Path:
    "MathJax 3 as shipped in the `sphinx-mathjax-offline` wheel."
    from importlib.metadata import distribution, PackageNotFoundError
    try: dist = distribution('sphinx-mathjax-offline')
    except PackageNotFoundError: sys.exit('MathJax is missing: pip install sphinx-mathjax-offline (a dev requirement)')
    f = next(f for f in dist.files if f.as_posix().endswith('static/mathjax/tex-chtml.js'))
    return Path(dist.locate_file(f)).parent

def copy_mathjax(dest: Path):
    mj = mathjax_dir()
    for part in MATHJAX_PARTS:
        s, d = mj/part, dest/part
        if s.is_dir(): shutil.copytree(s, d, dirs_exist_ok=True)
        elif s.exists(): d.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(s, d)

def _is_site(p: Path) -> bool:
    "Safe to replace: missing, empty, or a site this tool built."
    return not p.exists() or (p.is_dir() and (not any(p.iterdir()) or (p/'.buildinfo').exists()))

def build(out=None, force=False, keep_going=False, strict=False, n_workers=2) -> Path:
    "Build the site into `out` (default `_site/`) and return its path."
    from sphinx.cmd.build import build_main
    out = Path(out).resolve() if out else ROOT/'_site'
    if not _is_site(out): sys.exit(f'{out} exists and is not a site built by this tool: refusing to replace it')
    t0 = time.time()
    with working_directory(ROOT):
        proc = process_notebooks(force=force, keep_going=keep_going, n_workers=n_workers)
        t1 = time.time()
        work = proc/'.site'
        if force: shutil.rmtree(work, ignore_errors=True)
        layout = make_sources(proc, work/'src')
        args = ['-b', 'html', '-q', '-c', str(DOCS), '-d', str(work/'doctrees'), str(work/'src'), str(work/'html')]
        if strict: args[:0] = ['-W', '--keep-going']
        stamp, lay = work/'layout.json', json.dumps(layout, indent=1)
        if not stamp.exists() or stamp.read_text(encoding='utf-8') != lay:  # navigation changed: every page's sidebar
            args[:0] = ['-E']; shutil.rmtree(work/'html', ignore_errors=True)
        if build_main(args): sys.exit('sphinx-build failed (see above)')
        t2 = time.time()
    copy_mathjax(work/'html'/'_static'/'mathjax')
    from nbdev.config import get_config
    cfg = get_config()
    shutil.rmtree(work/'html'/'_source', ignore_errors=True); write_source_pages(work/'html'/'_source', cfg.title)
    nbdir = work/'html'/'_notebooks'; shutil.rmtree(nbdir, ignore_errors=True)
    for r in layout['pages'].values():
        (nbdir/r).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(cfg.nbs_path/r, nbdir/r)
    if (cfg.nbs_path/'records').is_dir():  # the run records behind reported numbers, as committed, each folder with an index
        shutil.rmtree(work/'html'/'records', ignore_errors=True); shutil.copytree(cfg.nbs_path/'records', work/'html'/'records')
        write_record_indexes(work/'html'/'records', cfg.title)
    (work/'html'/'site.json').write_text(lay, encoding='utf-8')
    stamp.write_text(lay, encoding='utf-8')
    tmp = out.with_name(out.name + '.tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(work/'html', tmp)
    dead = unlink_dead_doc_links(tmp)
    if dead: _log(f'doc links to names without an entry (private helpers, dunders) left as plain code: {dead}')
    shrunk = shrink_images(tmp)
    if shrunk: _log(f'images: {shrunk}')
    if out.exists(): shutil.rmtree(out)
    tmp.rename(out)
    _log(f'{len(layout["pages"])} pages in {out} ({time.time()-t0:.1f} s: nbdev {t1-t0:.1f} s, sphinx {t2-t1:.1f} s)')
    _log(f'serve it with: python -m http.server -d {os.path.relpath(out)} 8000')
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=None, help='output folder (default: _site in the repository root)')
    p.add_argument('--force', action='store_true', help='reprocess every notebook and rebuild every page')
    p.add_argument('--keep-going', action='store_true', help="build a notebook whose show_doc cells fail without them")
    p.add_argument('--strict', action='store_true', help='Sphinx warnings are errors')
    p.add_argument('--n-workers', type=int, default=min(2, os.cpu_count() or 1), help='nbdev processing workers')
    a = p.parse_args(argv)
    build(a.out, force=a.force, keep_going=a.keep_going, strict=a.strict, n_workers=a.n_workers)

if __name__ == '__main__':  # run as the importable module `build_site`, so spawned workers can find `_proc_one`
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_site; build_site.main()
