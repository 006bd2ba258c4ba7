"""Fast behavioural checks of the engine, one per thing the paper's models rely on. Each test can fail: it compares
with a reference value or with the same computation where the behaviour is switched off. `tools/mutants.py` breaks the
engine on purpose, one way at a time, and checks that one of these tests catches each break."""
import torch, torch.nn.functional as F
from aae_nb.data import DataSets, Split
from aae_nb.priors import GaussianPrior, CategoricalPrior, MixturePrior
from aae_nb.model import AutoEncoder, AdversarialRegularizer, KLRegularizer, MMDRegularizer, ConcatInput, kl_gaussian
from aae_nb.learner import Learner, Callback

torch.set_num_threads(1)

def _data(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 1, 28, 28, generator=g) < 0.2).float()
    y = torch.arange(n) % 4
    return DataSets('toy', Split(x, y), Split(x[:50], y[:50]), Split(x[:50], y[:50]), 4)

def _semi(seed=0):
    torch.manual_seed(seed)
    return AutoEncoder((1, 28, 28), {'y': ('softmax', 4), 'z': ('linear', 2)}, hidden=(32,), dec_in=('y', 'z'), sup_head='y', n_classes=4,
                       regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(4), hidden=(16,)),
                                     'z': AdversarialRegularizer('z', MixturePrior(4), hidden=(16,), cond=True)})

def _learner(model=None, **kw):
    l = Learner(model or _semi(), _data(), bs=50, opt='adam-fast', device='cpu', labelled=torch.arange(100), **kw)
    l._bad = torch.zeros((), dtype=torch.bool); l.x, l.y = next(iter(l.batches)); l.model.train()
    return l

def test_phases_run_in_the_papers_order():
    "§2/§5: reconstruction, then the discriminators, then the generator, then the supervised phase, on every batch."
    seen = []
    class Rec(Callback):
        def __getattr__(self, n):
            if n.startswith('before_') and n[7:] in ('recon', 'disc', 'gen', 'sup'): return lambda learn: seen.append(n[7:])
            raise AttributeError(n)
    l = Learner(_semi(), _data(), bs=50, opt='adam', device='cpu', labelled=torch.arange(100), cbs=[Rec()])
    l.fit(1)
    assert seen == ['recon', 'disc', 'gen', 'sup'] * 4

def test_reconstruction_phase_lowers_the_reconstruction_cost():
    l = _learner()
    def cost():
        with torch.no_grad(): return float(F.mse_loss(l.model.decode_codes(l.model.encoder(l.x, sample=False), l.y), l.x))
    before = cost()
    for _ in range(20): l.recon_phase()
    assert cost() < 0.8 * before

def test_discriminator_phase_separates_prior_from_codes():
    l = _learner(); r = l.model.regularizers['y']
    with torch.no_grad(): codes = l.model.encoder(l.x)
    def dl(): torch.manual_seed(1); return float(r.disc_loss(codes, l.y).detach())   # the same prior samples each time
    before = dl()
    for _ in range(30): l.disc_phase()
    assert dl() < before - 0.01

def test_generator_phase_fools_the_discriminator():
    "The gen phase lowers the encoder's generator loss against a fixed discriminator."
    l = _learner()
    for _ in range(10): l.disc_phase()
    gl = lambda: float(sum(r.gen_loss(l.model.encoder(l.x), l.y) for r in l.adv.values()))
    before = gl()
    for _ in range(30): l.reg_codes = l.model.encoder(l.x, sample=True); l.gen_phase()
    assert gl() < before - 0.03

def test_supervised_phase_lowers_the_cross_entropy_on_labelled_images():
    l = _learner()
    xl, yl = l.sup_batches.tensors
    ce = lambda: float(F.cross_entropy(l.model.encoder(xl)['y_logits'], yl))
    before = ce()
    for _ in range(20): l.sup_phase()
    assert ce() < 0.7 * before

def test_conditioned_discriminator_sees_the_label():
    "§2.3: the same code with another label gets another verdict; the unlabelled class is its own input."
    r = _semi().regularizers['z']; z = torch.randn(6, 2)
    y1, y2 = torch.tensor([0, 1, 2, 3, -1, -1]), torch.tensor([1, 2, 3, 0, -1, -1])
    d1, d2 = r.disc(z, *r._cond(y1, 6, 'cpu')), r.disc(z, *r._cond(y2, 6, 'cpu'))
    assert (d1[:4] - d2[:4]).abs().min() > 1e-6 and torch.allclose(d1[4:], d2[4:])

def test_labelled_positives_come_from_their_own_component():
    "§2.3: in the discriminator's loss, the prior sample paired with an image labelled k is drawn from component k."
    r = _semi().regularizers['z']; seen = []
    fwd = r.disc.forward
    r.disc.forward = lambda z, c=None: (seen.append(z.detach()), fwd(z, c))[1]
    y = torch.arange(400) % 4
    r.disc_loss({'z': torch.randn(400, 2)}, y)
    pos = seen[0][:400]                                              # the discriminator sees positives, then the codes
    assert (r.prior.classify(pos) == y).float().mean() > 0.9

def test_decoder_sees_the_label_code():
    "§5: the decoder's input holds y, so changing y changes the image."
    m = _semi(); m.eval()
    z = torch.randn(4, 2)
    a = m.decode_codes({'y': torch.eye(4), 'z': z}); b = m.decode_codes({'y': torch.eye(4).roll(1, 0), 'z': z})
    assert (a - b).abs().max() > 1e-4
    assert torch.equal(ConcatInput(['y', 'z'], {'y': 4, 'z': 2})({'y': torch.eye(4), 'z': z})[:, :4], torch.eye(4))

def test_kl_term_is_the_closed_form():
    mu, lv = torch.randn(5, 3), torch.randn(5, 3) * 0.3
    torch.testing.assert_close(KLRegularizer('z', GaussianPrior(3)).penalty({'z_mu': mu, 'z_logvar': lv}, None), kl_gaussian(mu, lv).mean())
    assert float(kl_gaussian(mu, lv).mean()) > 0.1

def test_mmd_term_sees_a_shifted_code_distribution():
    torch.manual_seed(0); reg = MMDRegularizer('z', GaussianPrior(2))
    assert float(reg.penalty({'z': torch.randn(300, 2) + 1.5}, None)) > 10 * abs(float(reg.penalty({'z': torch.randn(300, 2)}, None))) + 1e-3

def test_joint_penalties_reach_the_reconstruction_phase():
    "VAE / WAE: the regularizer's penalty is part of the reconstruction step's loss (logged and moving the encoder)."
    torch.manual_seed(0)
    m = AutoEncoder((1, 28, 28), {'z': ('gaussian', 2)}, hidden=(16,), regularizers={'z': KLRegularizer('z', GaussianPrior(2), weight=100.)})
    l = Learner(m, _data(), bs=50, opt='adam', device='cpu'); l._bad = torch.zeros((), dtype=torch.bool); l.x, l.y = next(iter(l.batches))
    kl = lambda: float(m.regularizers['z'].penalty(m.encoder(l.x), None))
    before = kl()
    for _ in range(10): l.recon_phase()
    assert 'z_penalty' in l.running_losses() and kl() < 0.5 * before

# §4, §6, §7: toy images where the class decides the picture (a bright band in one of four places), so a few
# hundred steps are enough to see each part of those models do its job.
def _bands(k=4, n=400, seed=0, noise=0.05):
    "k distinct 28x28 templates (a 7-row bright band each) plus pixel noise: (data, templates (k, 1, 28, 28))."
    g = torch.Generator().manual_seed(seed)
    t = torch.zeros(k, 1, 28, 28)
    for i in range(k): t[i, 0, 7 * i:7 * i + 7, :] = 1.
    y = torch.arange(n) % k
    x = (t[y] + noise * torch.randn(n, 1, 28, 28, generator=g)).clamp(0, 1)
    return DataSets('bands', Split(x, y), Split(x[:100], y[:100]), Split(x[:100], y[:100]), k), t

def test_categorical_adversary_makes_confident_evenly_used_clusters():
    "§6: the Categorical adversary drives q(y|x) to near one-hot assignments used evenly (without it: mean max 0.52-0.75, a cluster left empty)."
    from aae_nb.clustering import clustering_aae
    d, _ = _bands(); torch.manual_seed(0)
    m = clustering_aae((1, 28, 28), 4, style_dim=2, hidden=(64, 64), disc_hidden=(32,), init_std=0.01)
    Learner(m, d, bs=50, opt='adam-fast', device='cpu', seed=0).fit(10); m.eval()
    with torch.no_grad(): p = m.encode(d.train.x)['y']
    assert p.max(1).values.mean() > 0.8 and torch.bincount(p.argmax(1), minlength=4).min() >= 50

def test_cluster_heads_are_the_decoders_input():
    "§7: the decoder sees W_C y + z: a one-hot y_k with z = 0 is head k, z shifts it, and the learned heads start apart."
    from aae_nb.dimreduction import dimred_aae
    m = dimred_aae((1, 28, 28), 4, 2, hidden=(16,), disc_hidden=(8,), head_seed=0)
    y, z = torch.eye(4), torch.randn(4, 2)
    h = m.dec_input({'y': y, 'z': torch.zeros(4, 2)})
    torch.testing.assert_close(h, m.dec_input.W.detach() if not h.requires_grad else m.dec_input.W)
    torch.testing.assert_close(m.dec_input({'y': y, 'z': z}), h + z)
    assert torch.pdist(h.detach()).min() > 0.1

def test_hinge_pushes_close_heads_apart():
    "§7: heads closer than eta are pushed apart by the reconstruction phase (without the hinge they stay 0.03 apart)."
    from aae_nb.dimreduction import dimred_aae
    d, _ = _bands(); torch.manual_seed(0)
    m = dimred_aae((1, 28, 28), 4, 2, eta=2.0, hinge_weight=1.0, hidden=(32,), disc_hidden=(16,), noise_in=0.)
    with torch.no_grad(): m.dec_input.W.mul_(0.01)
    l = Learner(m, d, bs=50, opt='paper', device='cpu', labelled=torch.arange(40))
    l._bad = torch.zeros((), dtype=torch.bool); l.x, l.y = next(iter(l.batches)); m.train()
    for _ in range(20): l.recon_phase()
    assert torch.pdist(m.dec_input.W.detach()).min() > 1.0

def test_label_given_to_the_decoder_steers_the_digit():
    "§4: z ~ p(z) decoded under label k is drawn as class k's template (A.2.1's SGD, A.1's init; blind to the label: about 1 in 4)."
    from aae_nb.supervised import supervised_aae, decode_as
    d, t = _bands(); torch.manual_seed(0)
    m = supervised_aae((1, 28, 28), 4, z_dim=2, hidden=(64,), disc_hidden=(32,), init_std=0.01)
    Learner(m, d, bs=50, opt='paper', device='cpu', seed=0).fit(10); m.eval()
    z = m.prior_of('z').sample(20, generator=torch.Generator().manual_seed(0))[0]
    x = decode_as(m, z.repeat_interleave(4, 0), torch.arange(4).repeat(20))             # row r, column c -> r*4 + c
    nearest = ((x[:, None] - t[None]) ** 2).flatten(2).sum(2).argmin(1)                   # the template each image is closest to
    assert (nearest == torch.arange(4).repeat(20)).float().mean() > 0.95

def test_label_adversary_hides_the_label_from_its_classifier():
    "Ours (beyond §4): the gen phase moves the codes so that a fixed label classifier (on the standardised means) can no longer read them (the prior's adversary off, to see this term alone)."
    from aae_nb.supervised import supervised_aae
    d, _ = _bands(); torch.manual_seed(0)
    m = supervised_aae((1, 28, 28), 4, z_dim=2, hidden=(64,), disc_hidden=(32,), init_std=0.01, label_adv=1., label_adv_on='mean-std', label_adv_lr=1e-2)
    l = Learner(m, d, bs=50, opt='adam-fast', device='cpu', seed=0)
    l._bad = torch.zeros((), dtype=torch.bool); l.x, l.y = next(iter(l.batches)); m.train()
    r = m.regularizers['label']; m.regularizers['z'].weight = 0.
    for _ in range(30): l.disc_phase()                                                   # the classifier learns to read the label
    ce = lambda: float(r.disc_loss(m.encoder(l.x, sample=False), l.y).detach())
    before = ce(); assert before < 0.5                                                   # it does (log 4 = 1.39 is a blind guess)
    for _ in range(30): l.reg_codes = m.encoder(l.x, sample=True); l.gen_phase()         # the encoder alone, against the fixed classifier
    assert ce() > before + 0.5                                                           # 1.18-3.05 on seeds 0-5 (from 0.15-0.32); term off: unchanged

def test_vat_passes_normalise_by_their_batch_and_keep_the_running_averages():
    "§6/§7 with VAT (ours), `bn='batch'`: VAT's passes through a batch-norm encoder use each pass's batch statistics (as training does) and leave the running averages unchanged."
    from aae_nb.clustering import clustering_aae
    from aae_nb.semisupervised import VATCB
    d, _ = _bands(); torch.manual_seed(0)
    m = clustering_aae((1, 28, 28), 4, style_dim=2, hidden=(32, 32), disc_hidden=(16,), init_std=0.01, bn=True)
    vat = VATCB(1.0, after='gen', head='y', bn='batch')
    l = Learner(m, d, bs=50, opt='adam-fast', device='cpu', seed=0, cbs=[vat]); l.fit(1)
    bns = [b for b in m.encoder.modules() if isinstance(b, torch.nn.modules.batchnorm._BatchNorm)]
    assert bns
    for b in bns: b.running_mean.fill_(5.); b.running_var.fill_(9.)     # far from any batch's statistics
    l.x, l.y = next(iter(l.batches)); m.train()
    with torch.no_grad(): m.eval(); by_running = m.encoder(l.x)['y_logits']; m.train()
    seen = []
    hook = m.encoder.register_forward_hook(lambda mod, inp, out: seen.append(out['y_logits'].detach().clone()))
    try: vat.step(l)
    finally: hook.remove()
    for b in bns: assert (b.running_mean == 5.).all() and (b.running_var == 9.).all()
    assert len(seen) == 3 and (seen[0] - by_running).abs().max() > 1e-2   # its clean pass is not normalised by the running averages
