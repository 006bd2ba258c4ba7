"""Time one training step of the paper's models on this machine and print a table (a benchmark, not a test).

    python tools/bench_step.py [--device auto|cpu|cuda] [--steps 30] [--amp]

Each row: the model, ms per step (batch 100, median of `--steps` after 5 warm-up steps), steps per second, and the
time of one full MNIST epoch (500 steps). Uses the package's own Learner.one_batch, so it measures what training does.
"""
import argparse, statistics, sys, time
import torch
from aae_nb.data import load_mnist, get_device
from aae_nb.model import AutoEncoder, AdversarialRegularizer
from aae_nb.learner import Learner
from aae_nb.aae import aae
from aae_nb.priors import GaussianPrior, CategoricalPrior

def models():
    yield 'autoencoder (recon only)', AutoEncoder((1, 28, 28), 2), {}
    yield '§2 AAE, 2-D Gaussian', aae(GaussianPrior(2)), {}
    ss = AutoEncoder((1, 28, 28), {'y': ('softmax', 10), 'z': ('linear', 10)}, dec_in=('y', 'z'), sup_head='y', enc_kw={'noise_in': 0.3},
                     regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(10)), 'z': AdversarialRegularizer('z', GaussianPrior(10))})
    yield '§5 semi-supervised (2 adversaries + sup)', ss, {'labelled': torch.arange(100)}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='auto'); p.add_argument('--steps', type=int, default=30); p.add_argument('--amp', action='store_true')
    a = p.parse_args()
    dev = get_device(a.device)
    ds = load_mnist()
    print(f"device {dev}{' (' + torch.cuda.get_device_name(dev) + ')' if dev.type == 'cuda' else f' ({torch.get_num_threads()} threads)'}, torch {torch.__version__}, batch 100, amp={a.amp}")
    print(f"{'model':<44}{'ms/step':>9}{'steps/s':>9}{'epoch (500 steps)':>19}")
    for name, model, kw in models():
        torch.manual_seed(0)
        l = Learner(model, ds, bs=100, device=dev, amp=a.amp, **kw)
        l.model.train(); l._bad = torch.zeros((), dtype=torch.bool, device=dev)
        it = iter(l.batches); ts = []
        for i in range(5 + a.steps):
            l.x, l.y = next(it)
            if dev.type == 'cuda': torch.cuda.synchronize()
            t0 = time.perf_counter(); l.one_batch()
            if dev.type == 'cuda': torch.cuda.synchronize()
            if i >= 5: ts.append(time.perf_counter() - t0)
        ms = statistics.median(ts) * 1e3
        print(f"{name:<44}{ms:>9.1f}{1e3 / ms:>9.1f}{ms * 500 / 1e3:>17.0f} s")

if __name__ == '__main__': sys.exit(main())
