"""Shared by the tests of the §6 tools (`tools/bn_stats.py`, `tools/protocol_ties.py`): a tool loaded from its file, and a
small clustering model trained for two epochs on toy images of two kinds."""
import importlib.util
from pathlib import Path
import torch
from aae_nb.data import DataSets, Split
from aae_nb.clustering import clustering_aae
from aae_nb.learner import Learner

ROOT = Path(__file__).resolve().parents[1]

def load_tool(name):
    "tools/NAME.py as a module."
    spec = importlib.util.spec_from_file_location(name, ROOT/'tools'/f'{name}.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

def trained_toy_clustering():
    "(model in eval mode, its data): 4 clusters, 32-unit nets, 2 epochs of A.3's optimiser on 300 toy images."
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(400, 1, 28, 28, generator=g) < 0.2).float()
    x[200:, :, :14] = 0                                                # two kinds of image, so the clusters mean something
    y = (torch.arange(400) >= 200).long()
    idx = torch.randperm(400, generator=g)
    x, y = x[idx], y[idx]
    ds = DataSets('toy', Split(x[:300], y[:300]), Split(x[300:350], y[300:350]), Split(x[350:], y[350:]), 2)
    torch.manual_seed(0)
    learn = Learner(clustering_aae(n_clusters=4, hidden=(32, 32), disc_hidden=(16, 16), init_std=0.01), ds, bs=100,
                    opt='paper-clustering', device='cpu')
    learn.fit(2)
    return learn.model.eval(), ds
