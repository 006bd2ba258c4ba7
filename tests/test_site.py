"""The documentation site, as a reader's browser sees it.

Builds the site with `tools/build_site.py` into a temporary folder (or takes one already built: `AAE_SITE_DIR=_site`),
serves it on 127.0.0.1 (a free port, `http.server` in a thread) and opens every page in headless Chromium (Debian's
`chromium`, driven by Playwright; `CHROMIUM=/path` picks another binary). Each page must load with no console error,
no failed request and no request leaving the site; its math must be typeset by the site's own MathJax; every image
must decode; every link to another page of the site must resolve, anchors included, and no link may leave the site
but the paper's and the repository's. At 1400 and 390 px no code line is cut off and no table is wider than its
column; images are saved at no more than twice their display width, at most 1.5 MB of them a page. Search must find
things. Screenshots of the home page and of the §2 page go to `tests/artifacts/` (git-ignored).
"""
import functools, json, os, re, shutil, subprocess, sys, threading, time
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'tests'/'artifacts'
# what Chromium needs here: no sandbox (root, containers), no GPU, and nothing that phones home
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

def _chromium():
    if os.environ.get('CHROMIUM'): return os.environ['CHROMIUM']
    return next(filter(None, map(shutil.which, ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'])), None)

@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    if os.environ.get('AAE_SITE_DIR'):
        d = Path(os.environ['AAE_SITE_DIR']).resolve()
        assert (d/'index.html').exists(), f'AAE_SITE_DIR={d} holds no built site'
        return d
    out = tmp_path_factory.mktemp('site')/'_site'
    t0 = time.time()
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_site.py'), '--out', str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    if r.returncode: pytest.fail(f'tools/build_site.py failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-6000:]}')
    print(f'site built in {time.time()-t0:.1f} s')
    return out

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address):  # a browser dropping a connection is not a site error
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)): super().handle_error(request, client_address)

@pytest.fixture(scope='module')
def base_url(site):
    srv = _Server(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    th = threading.Thread(target=srv.serve_forever, daemon=True); th.start()
    yield f'http://127.0.0.1:{srv.server_address[1]}/'
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope='module')
def browser():
    exe = _chromium()
    if not exe: pytest.skip('no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chrome)')
    from playwright.sync_api import sync_playwright  # a dev requirement: its absence is an error, not a skip
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()

def _layout(site): return json.loads((site/'site.json').read_text())

def _screenshot_pages(site):
    "The home page and the §2 page: 20_aae, or 01_priors before it exists."
    by_nb = {Path(nb).stem: d for d, nb in _layout(site)['pages'].items()}
    return ['index'] + [d for d in [by_nb.get('20_aae') or by_nb.get('01_priors')] if d]

# JS run in each page once it has loaded: wait for MathJax, make every image load and decode, then report
_INSPECT = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }));
  const main = document.querySelector('article') || document.body;
  const prose = main.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .cell_output').forEach(e => e.remove());
  return {
    title: document.title,
    math: document.querySelectorAll('span.math, div.math').length,
    typeset: document.querySelectorAll('span.math mjx-container, div.math mjx-container').length,
    merror: document.querySelectorAll('mjx-merror').length,
    tex_left: (prose.innerText.match(/\\(mathbf|mathcal|frac|sigma|theta|begin|log|sum|mu)\b/g) || []).slice(0, 5),
    images: [...document.images].map(i => ({src: i.currentSrc || i.src, w: i.naturalWidth, ok: i.complete,
                                            shown: i.getBoundingClientRect().width})),
    hscroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    cut: _CUT_JS_,
    sidebar: [...document.querySelectorAll('.sidebar-tree a.reference, a.sidebar-brand')].map(a => a.href),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    api: document.querySelectorAll('a.nbdev-source').length,
  };
}"""

# Code that would need a scroll bar (a line cut off at the column's edge) and tables wider than the text column
_CUT = r"""(() => {
  const col = document.querySelector('article') || document.body, cw = col.getBoundingClientRect().width;
  const what = e => e.tagName.toLowerCase() + ': ' + (e.innerText || '').trim().split('\n')[0].slice(0, 60);
  return [...col.querySelectorAll('pre')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => 'code cut off, ' + what(e))
    .concat([...col.querySelectorAll('table')].filter(e => e.getBoundingClientRect().width > cw + 1 || e.scrollWidth > e.parentElement.clientWidth + 1)
    .map(e => `table ${Math.round(e.getBoundingClientRect().width)} px in a ${Math.round(cw)} px column, ` + what(e)));
})()"""
_INSPECT = _INSPECT.replace('_CUT_JS_', _CUT)
# On a phone a table of more than 12 columns (§7's 16 epochs) cannot fit 358 px at a legible size: such a table may
# scroll inside its own box (furo's .table-wrapper), provided that box does scroll; narrower tables must fit.
_CUT_PHONE = _CUT.replace('.filter(e => e.getBoundingClientRect().width', ".filter(e => !(e.rows.length && e.rows[0].cells.length > 12 && getComputedStyle(e.parentElement).overflowX === 'auto')).filter(e => e.getBoundingClientRect().width")
assert _CUT_PHONE != _CUT
_CUT_TYPESET = ('async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise; '
                'return ' + _CUT_PHONE + '; }')   # measured once the formulas are typeset (raw TeX is wider)

def _watch(page, rec):
    "Record console errors, failed requests, statuses; abort (and record) any request that leaves 127.0.0.1."
    def route(route, request):
        if urlsplit(request.url).hostname == '127.0.0.1': route.continue_()
        else: rec['external'].append(request.url); route.abort()
    page.route('**/*', route)
    page.on('console', lambda m: m.type == 'error' and rec['console'].append(m.text))
    page.on('pageerror', lambda e: rec['console'].append(f'uncaught: {e}'))
    page.on('requestfailed', lambda r: rec['failed'].append(f'{r.url} ({r.failure})'))
    page.on('response', lambda r: rec['status'].__setitem__(r.url, r.status))

@pytest.fixture(scope='module')
def visits(site, base_url, browser):
    "Open every page of the site once; record what happened."
    # every page, _source/*.html (the package's code, highlighted) included; the records' folder listings are files,
    # checked by test_internal_links_resolve
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html') if not p.relative_to(site).parts[0] == 'records')
    keep = {f'{d}.html' for d in _screenshot_pages(site)}
    ctx = browser.new_context(viewport={'width': 1400, 'height': 900})
    res = {}
    for rel in pages:
        url = urljoin(base_url, rel)
        rec = dict(console=[], failed=[], external=[], status={}, math=0, typeset=0, merror=0, tex_left=[], images=[],
                   sidebar=[], links=[], ids=[], api=0, hscroll=0, cut=[])
        page = ctx.new_page()
        _watch(page, rec)
        try:
            # 'load' first: on a busy machine 'networkidle' alone can fire while a long page (a 400 kB source page)
            # is still being parsed, and the ids read then miss its last lines (a CI run saw that once)
            resp = page.goto(url, wait_until='load', timeout=30_000)
            rec['http'] = resp.status if resp else None
            page.wait_for_load_state('networkidle', timeout=30_000)
            rec.update(page.evaluate(_INSPECT))
            page.wait_for_load_state('networkidle')  # fonts MathJax asked for while typesetting
        except Exception as e: rec['http'] = f'{type(e).__name__}: {e}'
        if rel in keep: rec['page'] = page  # for test_screenshots
        else: page.close()
        res[rel] = rec
    yield res
    ctx.close()

def _markdown(nb):
    "The markdown cells of nbs/`nb`, where the LaTeX is."
    cells = json.loads((ROOT/'nbs'/nb).read_text(encoding='utf-8'))['cells']
    return '\n\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')

def _report(bad): return '\n'.join(f'{k}: {v}' for k, v in bad.items())

def test_every_notebook_is_a_page(site, visits):
    lay = _layout(site)
    assert 'index.html' in visits and lay['pages'].get('index') == 'index.ipynb', 'no home page from nbs/index.ipynb'
    missing = [f'{d}.html ({nb})' for d, nb in lay['pages'].items() if f'{d}.html' not in visits]
    assert not missing, f'notebooks without a page: {missing}'
    nbs = sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
    assert sorted(Path(nb).name for nb in lay['pages'].values()) == nbs

def test_pages_load_cleanly(visits):
    bad = {p: {k: r[k] for k in ('http', 'console', 'failed') if (r[k] if k != 'http' else r[k] != 200)}
           for p, r in visits.items()}
    bad.update({p: {**bad.get(p, {}), 'status>=400': {u: s for u, s in r['status'].items() if s >= 400}}
                for p, r in visits.items() if any(s >= 400 for s in r['status'].values())})
    bad = {p: v for p, v in bad.items() if v}
    assert not bad, 'pages with errors:\n' + _report(bad)

def test_no_request_leaves_the_site(visits):
    bad = {p: r['external'] for p, r in visits.items() if r['external']}
    assert not bad, 'requests outside the site (CDN, fonts, ...):\n' + _report(bad)

def test_math_is_typeset_by_the_sites_mathjax(site, visits):
    lay = _layout(site)
    latex_pages = [f'{d}.html' for d, nb in lay['pages'].items()
                   if re.search(r'\$\$|\$[^$\n]*\\[a-zA-Z]+[^$\n]*\$', _markdown(nb))]
    bad = {p: f"{visits[p]['math']} math elements" for p in latex_pages if visits[p]['math'] == 0}
    for p, r in visits.items():
        if r['typeset'] < r['math'] or r['merror'] or r['tex_left']:
            bad[p] = f"{r['typeset']}/{r['math']} typeset, {r['merror']} MathJax errors, TeX left as text: {r['tex_left']}"
    assert not bad, 'math not typeset:\n' + _report(bad)
    mj = {u for r in visits.values() for u in r['status'] if '/_static/mathjax/' in u}
    assert any('/_static/mathjax/tex-chtml.js' in u for u in mj) and any('.woff' in u for u in mj), sorted(mj)

def test_every_image_decodes(visits):
    bad = {p: [i['src'][-60:] for i in r['images'] if not (i['ok'] and i['w'] > 0)] for p, r in visits.items()}
    bad = {p: v for p, v in bad.items() if v}
    assert not bad, 'images that did not decode:\n' + _report(bad)

def test_figures_saved_in_notebooks_are_shown(site, visits):
    "A notebook with a saved image output shows at least as many images on its page."
    lay = _layout(site)
    for d, nb in lay['pages'].items():
        cells = json.loads((ROOT/'nbs'/nb).read_text(encoding='utf-8'))['cells']
        n = sum('image/png' in o.get('data', {}) or 'image/svg+xml' in o.get('data', {})
                for c in cells if c['cell_type'] == 'code' and not re.search(r'^#\|\s*(hide|include:\s*false|output:\s*false)', ''.join(c['source']), re.M)
                for o in c.get('outputs', []))
        assert len(visits[f'{d}.html']['images']) >= n, f'{nb}: {n} figures saved, {len(visits[f"{d}.html"]["images"])} shown'

def _toc_doc(item):
    "A toctree entry's page: `docname` or `Title <docname>` (an outside URL is none)."
    m = re.match(r'^(?:.*<)?([^<>]+?)>?$', item)
    d = m.group(1) if m else item
    return None if '://' in d else d

def test_sidebar_follows_sidebar_yml(site, base_url, visits):
    "The navigation lists the pages in nbs/sidebar.yml's order, and every sidebar link answers 200."
    lay = _layout(site)
    want = [urljoin(base_url, f'{d}.html') for _, items in lay['toc'] for d in map(_toc_doc, items) if d]
    for p, r in visits.items():
        if p in ('search.html', 'genindex.html') or p.startswith('_source/'): continue
        got = [u.split('#')[0] for u in r['sidebar'] if u.startswith(base_url)]
        assert [u for u in got if u in want] == want, f'{p}: sidebar {got} != sidebar.yml {want}'
    for u in {u.split('#')[0] for r in visits.values() for u in r['sidebar'] if u.startswith(base_url)}:
        with urlopen(u) as f: assert f.status == 200, u

def test_internal_links_resolve(site, base_url, visits):
    "Every link to a page of the site reaches it, and its #anchor exists there (nbdev's doc links included)."
    ids = {urljoin(base_url, p): set(r['ids']) for p, r in visits.items()}
    bad = {}
    for p, r in visits.items():
        for u in r['links']:
            if not u.startswith(base_url): continue
            page, _, frag = u.partition('#')
            page = page.split('?')[0]
            if page.endswith('/'): page += 'index.html'
            if page in ids:
                if frag and frag not in ids[page]: bad.setdefault(p, []).append(u)
            elif not (site/page[len(base_url):]).exists(): bad.setdefault(p, []).append(u)
    assert not bad, 'broken links:\n' + _report(bad)

def test_api_reference_is_shown(site, visits):
    "Every page of a notebook that exports names shows show_doc entries (with their source links)."
    lay = _layout(site)
    for d, nb in lay['pages'].items():
        src = (ROOT/'nbs'/nb).read_text(encoding='utf-8')
        if re.search(r'"#\|\s*export', src) and re.search(r'"#\|\s*export\s*\\n",\s*"(def|class) [A-Za-z]', src):
            assert visits[f'{d}.html']['api'] > 0, f'{nb} exports names but {d}.html shows no API reference'

def test_search_works_offline(base_url, browser):
    page = browser.new_page()
    page.route('**/*', lambda r: r.continue_() if urlsplit(r.request.url).hostname == '127.0.0.1' else r.abort())
    page.goto(urljoin(base_url, 'search.html?q=prior'), wait_until='networkidle')
    page.wait_for_selector('#search-results ul.search li', timeout=20_000)
    hits = page.eval_on_selector_all('#search-results ul.search li a', 'as => as.map(a => a.href)')
    page.close()
    assert any('priors.html' in h for h in hits), hits

def test_screenshots(site, visits):
    "Home page and the §2 page (20_aae, or 01_priors before it exists) as a reader sees them: tests/artifacts/."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for d in _screenshot_pages(site):
        f = ARTIFACTS/f'site_{d}.png'
        visits[f'{d}.html']['page'].screenshot(path=str(f), full_page=True)
        assert f.stat().st_size > 10_000, f

def test_no_page_scrolls_sideways(visits):
    "At 1400 px no page is wider than the window: wide code and tables scroll inside their own box."
    bad = {p: f"{r['hscroll']} px too wide" for p, r in visits.items() if r['hscroll'] > 0}
    assert not bad, 'pages that scroll sideways at 1400 px:\n' + _report(bad)

def test_figures_are_not_upscaled(visits):
    "Every figure is shown at most at its natural width (a figure blown up past its pixels looks blurred)."
    bad = {p: [f"{i['src'][-50:]}: {i['w']} px shown at {i['shown']:.0f}" for i in r['images'] if i['shown'] > i['w'] + 1]
           for p, r in visits.items()}
    bad = {p: v for p, v in bad.items() if v}
    assert not bad, 'figures shown wider than their pixels:\n' + _report(bad)

def test_built_outputs_are_the_saved_ones(site):
    """Nothing the reader sees is re-computed by the build: nbdev runs exported, import and show_doc cells to render the
    API entries, and every cell's outputs in the processed notebooks (what the pages are made from) must still be
    the ones saved in nbs/."""
    def norm(outs):
        r = []
        for o in outs:
            if o.get('output_type') == 'stream': r.append(('stream', ''.join(o.get('text', ''))))
            elif o.get('output_type') in ('execute_result', 'display_data'):
                r.append(sorted((k, ''.join(v) if isinstance(v, list) else json.dumps(v)) for k, v in o.get('data', {}).items()))
            elif o.get('output_type') == 'error': r.append(('error', o.get('ename')))
        return r
    bad, n = [], 0
    for nb in _layout(site)['pages'].values():
        saved = {c.get('id'): c for c in json.loads((ROOT/'nbs'/nb).read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'code'}
        for c in json.loads((ROOT/'_proc'/nb).read_text(encoding='utf-8'))['cells']:
            s = saved.get(c.get('id'))
            if c['cell_type'] != 'code' or s is None or ''.join(s['source']).lstrip().startswith('show_doc('): continue
            n += 1
            if norm(c.get('outputs', [])) != norm(s.get('outputs', [])): bad.append(f"{nb} cell {c['id']}: {''.join(s['source'])[:70]!r}")
    assert n > 100, f'only {n} cells compared: are the processed notebooks in _proc/?'
    assert not bad, 'the build changed saved outputs:\n' + '\n'.join(bad)

def test_api_entries_are_complete(site, visits):
    "API entries: no `args:VAR_POSITIONAL` signatures, classes read `class X(...)`, parameter tables where the code documents its parameters."
    pages = {p: (site/p).read_text(encoding='utf-8') for p in visits if not p.startswith('_source/')}
    bad = [p for p, h in pages.items() if 'VAR_POSITIONAL' in h or 'VAR_KEYWORD' in h]
    assert not bad, f'signatures with VAR_POSITIONAL: {bad}'
    learner = pages['learner.html']
    assert re.search(r'<span class="k">class</span><span class="w"> </span><span class="nc?">Learner</span>', learner), 'Learner is not shown as a class'
    assert re.search(r'<th[^>]*>.*?Details.*?</th>', learner, re.S) and 'global mini-batch size' in learner, 'no parameter table for Learner'
    for entry in ('learner-fit', 'prior-sample', 'regularizer-gen-loss'):
        assert any(f'id="{entry}"' in h for h in pages.values()), f'no API entry {entry}'
    gi = re.sub(r'<[^>]+>', ' ', pages['genindex.html'])
    assert 'Learner.fit (aae_nb.learner)' in ' '.join(gi.split()), 'the general index does not list the API entries'
    model = pages['model.html']  # the paper's code is on its page, not only a signature
    assert 'def gen_loss' in re.sub(r'<[^>]+>', '', model), 'the adversarial losses\' code is not shown on model.html'

# --- issue #35: links out, nothing cut off, image weight, navigation ---

LINKS_OUT = ('https://arxiv.org/abs/1511.05644', 'https://github.com/aae-nb/aae_nb')  # the paper, the package's repository

def test_no_link_leaves_the_site_unless_meant_to(visits):
    "Every link out of the site goes to the paper or to the package's repository; no source link points at no line."
    bad = {p: sorted({u for u in r['links'] if urlsplit(u).hostname not in (None, '127.0.0.1') and not u.startswith(LINKS_OUT)})
           for p, r in visits.items()}
    bad = {p: v for p, v in bad.items() if v}
    assert not bad, 'links leaving the site:\n' + _report(bad)
    lnone = {p: [u for u in r['links'] if '#LNone' in u] for p, r in visits.items()}
    assert not any(lnone.values()), {p: v for p, v in lnone.items() if v}

def test_nothing_cut_off_at_1400(visits):
    bad = {p: r['cut'] for p, r in visits.items() if r['cut'] and not p.startswith('_source/')}
    assert not bad, 'at 1400 px:\n' + _report(bad)

def test_nothing_cut_off_on_a_phone(site, base_url, browser):
    "At 390 px (a phone) no code line is cut off and no table is wider than its column, on every page of a notebook."
    ctx = browser.new_context(viewport={'width': 390, 'height': 844})
    bad = {}
    for d in _layout(site)['pages']:
        page = ctx.new_page()
        page.route('**/*', lambda r: r.continue_() if urlsplit(r.request.url).hostname == '127.0.0.1' else r.abort())
        page.goto(urljoin(base_url, f'{d}.html'), wait_until='load')
        cut = page.evaluate(_CUT_TYPESET)
        if cut: bad[f'{d}.html'] = cut
        page.close()
    ctx.close()
    assert not bad, 'at 390 px:\n' + _report(bad)

def test_images_at_most_twice_their_display_width_and_light_pages(site, visits):
    "At 1400 px each image is saved at no more than twice the width it is shown at; no page carries over 1.5 MB of images."
    wide = {p: [f"{i['src'][-40:]}: {i['w']} px shown at {i['shown']:.0f}" for i in r['images'] if i['shown'] > 0 and i['w'] > 2 * i['shown'] + 2]
            for p, r in visits.items()}
    wide = {p: v for p, v in wide.items() if v}
    assert not wide, 'images saved wider than twice their display:\n' + _report(wide)
    heavy = {}
    for p, r in visits.items():
        files = {site/urlsplit(i['src']).path.lstrip('/') for i in r['images'] if urlsplit(i['src']).hostname == '127.0.0.1'}
        mb = sum(f.stat().st_size for f in files if f.is_file()) / 1e6
        if mb > 1.5: heavy[p] = f'{mb:.2f} MB of images'
    assert not heavy, _report(heavy)

def test_sidebar_numbers_the_paper_and_next_leads_into_it(site):
    "The paper's sections come first in the navigation, each with its § number; the home page's Next goes to §1.1."
    toc = _layout(site)['toc']
    first = toc[0][1]
    assert all(t.startswith('§') for t in first[:10]), first
    home = (site/'index.html').read_text(encoding='utf-8')
    nxt = re.search(r'<a class="next-page" href="([^"]+)"', home)
    assert nxt and nxt.group(1).startswith('gan.html'), nxt and nxt.group(1)

def test_reproduce_box_opens_the_paper_pages(site):
    "Each paper page (but those still being re-run) opens with the Reproduce box, computed at build from the records."
    for d, nb in _layout(site)['pages'].items():
        if not re.match(r'(10|2\d|30|40|50|60|70)_', Path(nb).name): continue
        h = (site/f'{d}.html').read_text(encoding='utf-8')
        body = h[h.index('<article'):]
        assert 'class="reproduce-box"' in body, f'{d}.html has no Reproduce box'
        assert body.index('reproduce-box') < body.index('<h2') if '<h2' in body else True, f'{d}.html: the box is not at the top'

def test_results_page_is_computed(site):
    "The results page holds one row per claim with a status, and links to the records it read."
    h = (site/'results.html').read_text(encoding='utf-8')
    from aae_nb.results import CLAIMS
    for st in ('reproduced', 'partly', 'not run'): assert st in h
    assert h.count('href="records/') >= len([c for c in CLAIMS if not c.not_run]) - 2
