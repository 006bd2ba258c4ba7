"""Train a small model with aae_nb's Learner; run plainly or under torchrun. Used by test_ddp.py.

usage: python ddp_train.py OUT.pt {ae|aae}   (under torchrun, each process trains on its shard of every batch)
"""
import sys, torch
from aae_nb.data import load_mnist, DataSets
from aae_nb.learner import AutoEncoder, Learner, OptSpec
from aae_nb.aae import aae
from aae_nb.priors import GaussianPrior

out, kind = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
m = load_mnist()
ds = DataSets('mnist', m.train[:400], m.valid[:200], m.test[:200], 10)
torch.manual_seed(0)
model = AutoEncoder((1, 28, 28), 4, hidden=(64,)) if kind == 'ae' else aae(GaussianPrior(2), hidden=(64,), disc_hidden=(64,))
learn = Learner(model, ds, bs=100, opt={'recon': OptSpec('sgd', 0.01, 0.9)}, device='cpu', seed=1).fit(2)
if learn.rank == 0:
    torch.save({'state': model.state_dict(), 'history': learn.history, 'world': learn.world}, out)
