"The mutation check (tools/mutants.py) in CI: every deliberate break of the engine is caught by a named behavioural test."
import importlib.util, sys
from pathlib import Path

def test_no_mutant_survives(capsys):
    spec = importlib.util.spec_from_file_location('mutants', Path(__file__).parents[1]/'tools'/'mutants.py')
    mutants = importlib.util.module_from_spec(spec); spec.loader.exec_module(mutants)
    rc = mutants.main([])
    out = capsys.readouterr().out
    print(out)
    assert rc == 0, out
