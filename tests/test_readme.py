"README.md is generated from nbs/index.ipynb; it must not drift."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_readme_in_sync_with_index():
    sys.path.insert(0, str(ROOT/'tools'))
    import make_readme
    assert (ROOT/'README.md').read_text(encoding='utf-8') == make_readme.render(), \
        "README.md differs from nbs/index.ipynb: run python tools/make_readme.py"

def test_readme_has_the_two_commands():
    text = (ROOT/'README.md').read_text(encoding='utf-8')
    assert 'pip install -e . && aae fetch-mnist && aae train' in text
    assert 'pip install -e ".[dev]"' in text and 'nbdev_test' in text and 'pytest' in text

def test_readme_version_and_citation_match_the_package():
    "The version the home page states (and its BibTeX) is the one in settings.ini; its links into nbs/ exist."
    import configparser, re
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    v, text = cfg['DEFAULT']['version'], (ROOT/'README.md').read_text(encoding='utf-8')
    stated = set(re.findall(r'version (\d+\.\d+\.\d+)', text)) | set(re.findall(r'version = \{([^}]*)\}', text))
    assert stated == {v}, f'README states version(s) {stated}, settings.ini has {v}'
    missing = [l for l in re.findall(r'\]\((nbs/[^)#\s]+)', text) if not (ROOT/l).exists()]
    assert not missing, f'README links to files that do not exist: {missing}'
