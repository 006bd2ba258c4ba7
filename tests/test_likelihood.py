"Fast checks for §3 (aae_nb.likelihood): the Parzen estimator against a direct computation and a known density, streaming, σ selection, the Fréchet distance, bad input, and `aae eval --parzen` on a tiny run."
import contextlib, io, json, math, subprocess, sys
import pytest, torch
from aae_nb.likelihood import (parzen_log_likelihood, parzen_evaluate, mean_se, model_sampler, frechet_gaussians, frechet_distance,
                               knn_precision_recall, nearest_train, SIGMAS)

def _direct(s, x, sigma):
    s, x = s.flatten(1).double(), x.flatten(1).double()
    return torch.stack([torch.distributions.Normal(s, sigma).log_prob(xi).sum(1).logsumexp(0) - math.log(len(s)) for xi in x])

def test_matches_direct_computation():
    g = torch.Generator().manual_seed(0)
    s, x = torch.rand(200, 30, generator=g), torch.rand(25, 30, generator=g)
    for sig in (0.1, 0.3, 2.0):
        assert torch.allclose(parzen_log_likelihood(s, x, sig, chunk=37, bs=6, dtype=torch.float64), _direct(s, x, sig), atol=1e-8)
    several = parzen_log_likelihood(s, x, [0.1, 0.3], chunk=50)
    assert several.shape == (25, 2) and torch.allclose(several[:, 1], _direct(s, x, 0.3), atol=1e-3)

def test_known_gaussian_answer():
    "KDE of N(0, I) samples with bandwidth sigma -> the density of N(0, (1 + sigma^2) I)."
    g = torch.Generator().manual_seed(1)
    s, x = torch.randn(100_000, 2, generator=g, dtype=torch.float64), torch.randn(300, 2, generator=g, dtype=torch.float64)
    exact = torch.distributions.Normal(0., math.sqrt(1 + 0.3 ** 2)).log_prob(x).sum(1)
    est = parzen_log_likelihood(s, x, 0.3, dtype=torch.float64)
    assert float((est - exact).abs().mean()) < 0.03
    assert float((est - math.log(2 * math.pi * 0.3 ** 2) - exact).abs().mean()) > 0.5      # the normalising constant matters

def test_streaming_equals_tensor_and_bounds_chunks():
    g = torch.Generator().manual_seed(2); x = torch.rand(10, 16, generator=g)
    asked = []
    def draw(k, g=torch.Generator().manual_seed(3)): asked.append(k); return torch.rand(k, 16, generator=g)
    a, n = parzen_log_likelihood(draw, x, 0.2, n_samples=777, chunk=100, return_n=True)
    b = parzen_log_likelihood(torch.rand(777, 16, generator=torch.Generator().manual_seed(3)), x, 0.2)
    assert n == 777 and max(asked) == 100 and torch.allclose(a, b, atol=1e-4)

def test_sigma_chosen_on_validation():
    g = torch.Generator().manual_seed(0)
    r = parzen_evaluate(torch.randn(3000, 2, generator=g), torch.randn(500, 2, generator=g), torch.randn(500, 2, generator=g))
    assert r['sigma'] in SIGMAS and not r['sigma_at_edge'] and abs(r['ll'] - (-1 - math.log(2 * math.pi))) < 0.15
    assert r['valid_curve'][SIGMAS.index(r['sigma'])] == max(r['valid_curve'])
    m, se = mean_se(torch.tensor([1., 2., 3., 4.]))
    assert m == 2.5 and abs(se - math.sqrt(5 / 3) / 2) < 1e-12      # sample std sqrt(5/3), n = 4

def test_frechet_and_precision_recall():
    from scipy.linalg import sqrtm
    import numpy as np
    g = torch.Generator().manual_seed(0)
    A, B = torch.randn(5, 5, generator=g, dtype=torch.float64), torch.randn(5, 5, generator=g, dtype=torch.float64)
    c1, c2 = A @ A.T + .1 * torch.eye(5), B @ B.T + .1 * torch.eye(5); m = torch.randn(5, generator=g, dtype=torch.float64)
    ref = float((m ** 2).sum() + np.trace(c1.numpy() + c2.numpy() - 2 * sqrtm(c1.numpy() @ c2.numpy()).real))
    assert abs(frechet_gaussians(m, c1, torch.zeros(5, dtype=torch.float64), c2) - ref) < 1e-6
    f = torch.randn(3000, 4, generator=g, dtype=torch.float64)
    assert frechet_distance(f[:1500], f[1500:]) < 0.05 < frechet_distance(f[:1500], f[1500:] + 1)
    assert knn_precision_recall(f[:300].float(), f[:300].float() + 50) == {'precision': 0.0, 'recall': 0.0}

def test_nearest_train():
    t = torch.rand(50, 12); s = t[[3, 7]] + 1e-3
    j, d = nearest_train(s, t)
    assert j.tolist() == [3, 7] and float(d.max()) < 0.01

@pytest.mark.parametrize('call, msg', [
    (lambda: parzen_log_likelihood(torch.rand(4, 9), torch.rand(3, 9), 0.), 'sigma must be positive'),
    (lambda: parzen_log_likelihood(torch.rand(4, 9), torch.rand(3, 9), -0.1), 'sigma must be positive'),
    (lambda: parzen_log_likelihood(torch.rand(0, 9), torch.rand(3, 9), 0.1), 'samples: the set is empty'),
    (lambda: parzen_log_likelihood(torch.rand(4, 9), torch.rand(0, 9), 0.1), 'test images: the set is empty'),
    (lambda: parzen_log_likelihood(torch.rand(4, 1, 5, 5), torch.rand(3, 1, 3, 3), 0.1), 'samples have 25 values each but the test images have 9'),
    (lambda: parzen_log_likelihood(lambda k: torch.rand(k, 9), torch.rand(3, 9), 0.1), 'n_samples'),
])
def test_bad_input(call, msg):
    with pytest.raises(ValueError, match=msg): call()

def test_model_without_prior():
    from aae_nb.model import AutoEncoder
    with pytest.raises(ValueError, match="the model has no prior on its code 'z'"): model_sampler(AutoEncoder((1, 4, 4), 2, hidden=(8,)))

def test_cli_eval_parzen(tmp_path):
    "aae train aae-likelihood (tiny) then aae eval RUN --parzen --samples 200; errors on --samples 0, and on a model without a prior."
    code = ("import aae_nb.likelihood, sys; from aae_nb.cli import main; sys.exit(main(sys.argv[1:]))")
    run = lambda *a: subprocess.run([sys.executable, '-c', code, *a], capture_output=True, text=True)
    r = run('train', 'aae-likelihood', '--epochs', '1', '--n-train', '200', '--hidden', '16', '--parzen-samples', '200', '--device', 'cpu', '--quiet', '--out', str(tmp_path/'r'))
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'r'/'metrics.json').read_text())['final']
    r = run('eval', str(tmp_path/'r'), '--parzen', '--samples', '200', '--device', 'cpu')
    assert r.returncode == 0 and 'parzen: ' in r.stdout, r.stderr
    ev = json.loads((tmp_path/'r'/'eval.json').read_text())['parzen']
    assert abs(ev['ll'] - m['parzen_ll']) < 1e-4 and ev['n_samples'] == 200
    r = run('eval', str(tmp_path/'r'), '--parzen', '--samples', '0')
    assert r.returncode == 2 and r.stderr.startswith('aae: error: --samples: expected a positive whole number') and r.stderr.count('\n') == 1
