"""Build the documentation site with no Quarto and no network: `python tools/build_site.py [--out _site]`.

Three steps, each reusing what nbdev 2 does for its own (Quarto) site:

1. **nbdev processing.** Every notebook in `nbs/` goes through nbdev's docs processors (`FilterDefaults`, exactly
   what `nbdev_proc_nbs`/`nbdev_docs` run, in worker processes like `nbdev.serve.proc_nbs`) into `_proc/`: frontmatter
   from the `# title` / `> description` cell, `#| hide` cells dropped, `show_doc` cells added after exported
   definitions and executed, doc links added. `nbdev_proc_nbs` itself is not called because it first insists on
   installing Quarto. The cache rule is nbdev's: a notebook is processed again only when it is newer than its
   `_proc/` copy. `aae_nb/_modidx.py` (what the doc links are made from) is left to `nbdev_export`.
2. **Quarto's share, done here.** The page order and sections come from `nbs/sidebar.yml` (nbdev's custom sidebar),
   read at build time. Each processed notebook becomes one page named after its `output-file` (`priors.html`, as
   nbdev's doc links expect); Quarto cell options are honoured (`echo: false`, `output: false`, `include: false`,
   `code-fold`, `output: asis`: show_doc's markdown is spliced into the page, so API entries are real headings with
   nbdev's anchors); links into the published site become relative links. Nothing is executed: the outputs saved in
   the notebooks, figures included, are what the site shows.
3. **Rendering: Sphinx + MyST-NB + furo** (all on PyPI, see `dev_requirements`). Chosen because MyST-NB renders a
   notebook's *saved* outputs with the execution switched off and parses markdown with `$...$`/`$$...$$` math like
   Quarto; Sphinx's search is a static index (`searchindex.js`) that works offline; furo uses system fonts and ships
   all of its CSS/JS, so a page makes no request outside the site. MathJax 3 comes from the
   `sphinx-mathjax-offline` wheel and is copied into `<out>/_static/mathjax` (the combined `tex-chtml.js`, the TeX
   extensions it may autoload, the a11y/menu components and the woff fonts). MkDocs + mkdocs-jupyter was the
   alternative; it renders notebooks through nbconvert's HTML template (CDN MathJax/require.js to strip out) and
   has no equivalent of splicing show_doc markdown into the page. The look is set in `docs/conf.py` and
   `docs/_static/aae_nb.css`.

Options: `--force` reprocesses every notebook, `--keep-going` builds a page for a notebook whose show_doc cells nbdev
cannot run (without its API entries, with a warning) instead of stopping, `--strict` turns Sphinx warnings into
errors. `tests/test_site.py` builds the site and opens every page in headless Chromium.
"""
from __future__ import annotations
import argparse, html, json, os, re, shutil, sys, time
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

def _proc_one(o):
    "Run nbdev's docs processors on one notebook (in a worker process): `None` when it worked, else the error."
    import nbdev.serve_drv, warnings
    warnings.filterwarnings('ignore', 'Found cells containing imports')  # an error below says it if it matters
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
    chk_mtime = max(cfg.config_file.stat().st_mtime, Path(nbdev.serve.__file__).stat().st_mtime)
    if force or (cache.exists() and cache.stat().st_mtime < chk_mtime): shutil.rmtree(cache)
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

class Converter:
    "Turn one nbdev-processed notebook into the notebook Sphinx renders (see the module docstring, step 2)."
    def __init__(self, site_url: str, docnames: set):
        self.site_url, self.docnames = site_url.rstrip('/') + '/', docnames

    # --- markdown ---
    def _local(self, url: str, depth: int) -> str:
        "A link into the published site, made relative to a page `depth` folders down."
        path = url[len(self.site_url):]
        page, _, frag = path.partition('#')
        if not page or page.endswith('/'): page += 'index.html'
        if page.endswith('.html') and page[:-5] not in self.docnames: return url  # not a page we build
        return '../' * depth + page + (f'#{frag}' if frag else '')

    def md(self, s: str, depth: int) -> str:
        "Pandoc-isms to MyST, site links to relative ones, outside fenced code."
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
        return '\n'.join(rest + [''] + div + [lines[head], ''] + pre + [''] + lines[head+1:])

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
            if str(d.get('code-fold', '')).lower() in ('true', 'show'): tags.append('hide-input')
            outputs, spliced = [], []
            for o in c.get('outputs', []):
                data = o.get('data', {})
                if 'text/markdown' in data:
                    m = ''.join(data['text/markdown'])
                    if d.get('output') == 'asis' or code.lstrip().startswith('show_doc('):
                        spliced.append(self.showdoc_md(m, depth) if 'show_doc(' in code else self.md(m, depth))
                        continue
                    o = {**o, 'data': {**data, 'text/markdown': self.md(m, depth)}}
                outputs.append(o)
            if not ('remove-input' in tags and (not outputs or 'remove-output' in tags)):
                out.append(dict(cell_type='code', metadata={'tags': tags} if tags else {}, source=code,
                                outputs=outputs, execution_count=c.get('execution_count')))
            out += [dict(cell_type='markdown', metadata={}, source=m) for m in spliced]
        return out

    def notebook(self, nb: dict, fm: dict, docname: str, orphan=False) -> dict:
        depth = docname.count('/')
        meta = {k: v for k, v in nb.get('metadata', {}).items() if k in ('kernelspec', 'language_info')}
        if orphan: meta['orphan'] = True
        return dict(nbformat=4, nbformat_minor=5, metadata=meta, cells=self.cells(nb, fm, depth))

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
            if isinstance(e, tuple):
                text, url = e
                if url.endswith('.ipynb') and Path(url) in docs: e = url
                else: items.append(f'{text or url} <{url}>'); continue
            r = Path(e)
            if r not in docs: _log(f'WARNING: nbs/sidebar.yml lists {e}, which is not in nbs/: left out'); continue
            listed.add(r)
            if docs[r] != 'index': items.append(docs[r])
        if items: toc.append((caption, items))
    orphans = [r for r in rels if r not in listed and docs[r] != 'index']
    for r in orphans: _log(f'NOTE: {r} is not in nbs/sidebar.yml: built as {docs[r]}.html, not in the navigation')
    conv = Converter(cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/'), set(docs.values()))
    wanted = set()
    for r in rels:
        nb = conv.notebook(nbjs[r], fms[r], docs[r], orphan=r in orphans)
        if docs[r] == 'index': nb['cells'] += [dict(cell_type='markdown', metadata={}, source=_toctree(c, i))
                                               for c, i in toc]
        for i, c in enumerate(nb['cells']): c['id'] = f'c{i}'
        p = src/(docs[r] + '.ipynb'); wanted.add(p)
        _write_if_changed(p, json.dumps(nb, indent=1, ensure_ascii=False))
    if 'index' not in docs.values():  # no index notebook: a plain home page that carries the navigation
        p = src/'index.md'; wanted.add(p)
        _write_if_changed(p, f'# {cfg.title}\n\n{cfg.description}\n\n' + '\n\n'.join(_toctree(c, i) for c, i in toc))
    for a in proc.rglob('*'):  # images etc. that markdown cells point at
        if a.is_file() and a.suffix.lower() in ASSET_EXTS:
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
    (work/'html'/'site.json').write_text(lay, encoding='utf-8')
    stamp.write_text(lay, encoding='utf-8')
    tmp = out.with_name(out.name + '.tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(work/'html', tmp)
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
