"Helpers shared by the CLI tests: the installed console script, and `aae ARGS` run in this process."
import contextlib, io, shutil
import pytest
from aae_nb.cli import main

TINY = ['--epochs', '1', '--n-train', '200', '--hidden', '16', '--device', 'cpu', '--quiet']   # a run of seconds
AAE = shutil.which('aae') or pytest.fail('the aae console script is not installed (pip install -e .)')

def run(args):
    "`aae ARGS` in this process: (exit code, stdout, stderr)."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()

def load_tool(name):
    "The module `tools/NAME.py` (the tools are scripts, not a package)."
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1]/'tools'/f'{name}.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m
