"""Run a notebook's code cells in order like nbdev_test (IN_TEST=1), without nbdev/IPython: stubs for show_doc/display.
Skips cells flagged notest/slow or eval: false; runs cuda-flagged cells. Prints one line per failing cell and a summary."""
import json, sys, os, types, time, traceback, re
os.environ['IN_TEST'] = '1'
import matplotlib; matplotlib.use('Agg')
def stub(name, **attrs):
    m = types.ModuleType(name); m.__dict__.update(attrs); sys.modules[name] = m; return m
noop = lambda *a, **k: None
class _Obj:
    def __init__(self, *a, **k): self.a = a
try: import nbdev  # noqa
except ImportError:
    stub('nbdev', show_doc=noop, nbdev_export=noop); stub('nbdev.showdoc', show_doc=noop); stub('nbdev.test', test_nb=noop)
try: import IPython.display  # noqa
except ImportError:
    ip = stub('IPython', display=None, get_ipython=lambda: None, version_info=(8, 30, 0)); disp = stub('IPython.display', display=noop, Markdown=_Obj, HTML=_Obj, Image=_Obj, SVG=_Obj, Latex=_Obj)
    ip.display = disp; stub('IPython.core'); stub('IPython.core.display', display=noop, Markdown=_Obj, HTML=_Obj, Image=_Obj)
nb_path = sys.argv[1]
nb = json.load(open(nb_path))
os.chdir(os.path.dirname(os.path.abspath(nb_path)))
g = {'__name__': '__main__'}
ok = fail = skip = 0; t0 = time.time()
for i, c in enumerate(nb['cells']):
    if c['cell_type'] != 'code': continue
    src = ''.join(c['source'])
    flags = ' '.join(l for l in src.split('\n') if l.startswith('#|'))
    if re.search(r'#\|\s*(notest|slow)\b', flags) or re.search(r'eval:\s*false', flags): skip += 1; continue
    code = '\n'.join(l for l in src.split('\n') if not l.lstrip().startswith(('%', '!')))
    try:
        fn = f'<nb {nb_path} {c.get("id")}>'
        import linecache; linecache.cache[fn] = (len(code), None, code.splitlines(True), fn)
        exec(compile(code, fn, 'exec'), g); ok += 1
    except Exception as e:
        fail += 1
        tb = traceback.format_exc().strip().split('\n')
        print(f"FAIL {nb_path} cell {c.get('id')} ({'cuda' if 'cuda' in flags else ''}): {type(e).__name__}: {str(e)[:300]}")
        print('   ' + '\n   '.join(tb[-6:]))
    import matplotlib.pyplot as plt; plt.close('all')
print(f"NB {nb_path}: {ok} ok, {fail} failed, {skip} skipped, {time.time() - t0:.0f} s")
