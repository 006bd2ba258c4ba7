"Fast checks for the §2.1/§2.2/WAE modules: save/load round trips of the KL, MMD and joint adversarial regularizers, and `aae list`."
import subprocess, sys, torch
from aae_nb.model import save_model, load_model, KLRegularizer, MMDRegularizer
from aae_nb.priors import GaussianPrior, MixturePrior
from aae_nb.vae import vae
from aae_nb.wae import wae

def test_round_trip(tmp_path):
    for m in (vae(MixturePrior(), hidden=(32,)), vae(GaussianPrior(3), hidden=(32,)), wae('mmd', hidden=(32,)), wae('gan', hidden=(32,), disc_hidden=(16,))):
        save_model(m, tmp_path/'m.pt'); m2 = load_model(tmp_path/'m.pt')
        assert m2.config() == m.config()
        x = torch.rand(3, 1, 28, 28)
        assert torch.allclose(m.eval().reconstruct(x), m2.eval().reconstruct(x))
    assert isinstance(load_model(tmp_path/'m.pt').regularizers['z'].joint, bool)

def test_kl_closed_vs_mc():
    mu, lv = torch.randn(5, 3), torch.randn(5, 3) * 0.3
    closed = KLRegularizer('z', GaussianPrior(3)).penalty({'z_mu': mu, 'z_logvar': lv}, None)
    torch.manual_seed(0)
    mc = KLRegularizer('z', GaussianPrior(3), mc=4000).penalty({'z_mu': mu, 'z_logvar': lv}, None)
    assert abs(float(closed - mc)) < 0.05

def test_list_names_the_experiments():
    out = subprocess.run([sys.executable, '-c', 'from aae_nb.cli import main; main(["list"])'], capture_output=True, text=True, check=True).stdout
    for n in ('vae-gaussian-2d', 'vae-mixture-2d', 'gmmn-ae', 'wae-gan', 'wae-mmd', 'wae-baseline-aae', 'wae-baseline-vae'): assert n in out
