"Fixtures shared by the CLI tests."
import pytest
from cli_helpers import TINY, run

@pytest.fixture(scope='module')
def done(tmp_path_factory):
    "A finished tiny run of aae-mixture-2d."
    d = tmp_path_factory.mktemp('runs')/'mix'
    assert run(['train', 'aae-mixture-2d', *TINY, '--out', str(d)])[0] == 0
    return d
