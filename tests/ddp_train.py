"""Train a small model with aae_nb's Learner; run plainly or under torchrun. Used by test_ddp.py.

usage: python ddp_train.py OUT.pt {ae|aae|semi}   (under torchrun, each process trains on its shard of every batch)
"""
import sys, torch
from aae_nb.data import load_mnist, DataSets
from aae_nb.model import AutoEncoder
from aae_nb.learner import Learner, OptSpec
from aae_nb.aae import aae
from aae_nb.semisupervised import semi_aae
from aae_nb.priors import GaussianPrior

out, kind = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
m = load_mnist()
ds = DataSets('mnist', m.train[:400], m.valid[:200], m.test[:200], 10)
torch.manual_seed(0)
if kind == 'ae': model, kw = AutoEncoder((1, 28, 28), 4, hidden=(64,)), {'opt': {'recon': OptSpec('sgd', 0.01, 0.9)}}
elif kind == 'aae': model, kw = aae(GaussianPrior(2), hidden=(64,), disc_hidden=(64,)), {'opt': {'recon': OptSpec('sgd', 0.01, 0.9)}}
else: model, kw = semi_aae(hidden=(64,), disc_hidden=(32,)), {'opt': 'adam', 'labelled': torch.arange(100)}
learn = Learner(model, ds, bs=100, device='cpu', seed=1, **kw).fit(2)
if learn.rank == 0:
    torch.save({'state': model.state_dict(), 'history': learn.history, 'world': learn.world}, out)
