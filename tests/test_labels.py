"CLI surface of the §2.3 experiments (aae_nb.labels): listed, with their options, and bad input refused."
import io, contextlib, pytest
from aae_nb.cli import main, cmd_list

def test_listed():
    buf = io.StringIO(); cmd_list(file=buf)
    assert 'aae-labels-mixture' in buf.getvalue() and 'aae-labels-swissroll' in buf.getvalue()

@pytest.mark.parametrize('name', ['aae-labels-mixture', 'aae-labels-swissroll'])
def test_help_shows_options(name):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit): main(['train', name, '--help'])
    assert '--labels' in buf.getvalue() and '--hidden' in buf.getvalue()

def test_negative_labels_refused(tmp_path, capsys):
    rc = main(['train', 'aae-labels-mixture', '--out', str(tmp_path/'r'), '--n-train', '200', '--labels', '-5', '--hidden', '16', '--epochs', '1', '--device', 'cpu'])
    assert rc == 2 and "--labels: expected a positive number of labels or 'all'" in capsys.readouterr().err

def test_help_shows_labelled_share():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit): main(['train', 'aae-labels-mixture', '--help'])
    assert '--labelled-share' in buf.getvalue()

@pytest.mark.parametrize('args,msg', [
    (['--labelled-share', '1.5'], "--labelled-share: expected a fraction between 0 and 1 (exclusive), got '1.5'"),
    (['--labelled-share', '0'], "--labelled-share: expected a fraction between 0 and 1 (exclusive), got '0'"),
    (['--labelled-share', 'half'], "--labelled-share: expected a fraction between 0 and 1 (exclusive), got 'half'"),
    (['--labelled-share', '0.5', '--labels', 'all'], '--labelled-share: every training image is labelled'),
])
def test_bad_labelled_share_refused(tmp_path, capsys, args, msg):
    out = tmp_path/'r'
    rc = main(['train', 'aae-labels-mixture', '--out', str(out), '--n-train', '200', '--hidden', '16', '--epochs', '1', '--device', 'cpu', *args])
    err = capsys.readouterr().err
    assert rc == 2 and msg in err, err
    assert len(err.strip().splitlines()) == 1 and not out.exists()       # one line, and nothing written
