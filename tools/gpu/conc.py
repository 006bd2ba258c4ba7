"""Steps/s of the §5 training step (batch 100, A.2.1 size) on CUDA for `seconds` after warm-up; --compile MODE wraps the nets in torch.compile."""
import sys, time, json, argparse, os
import torch
from aae_nb.data import load_mnist
from aae_nb.semisupervised import semi_aae
from aae_nb.learner import Learner
p = argparse.ArgumentParser(); p.add_argument('--seconds', type=float, default=20); p.add_argument('--compile', default='')
p.add_argument('--amp', action='store_true'); p.add_argument('--tag', default=''); p.add_argument('--device', default='cuda'); a = p.parse_args()
data = load_mnist(); torch.manual_seed(0)
learn = Learner(semi_aae(), data, bs=100, device=a.device, amp=a.amp, labelled=torch.arange(100))
m = learn.model
if a.compile:
    m.encoder = torch.compile(m.encoder, mode=a.compile); m.decoder = torch.compile(m.decoder, mode=a.compile)
    for r in m.regularizers.values(): r.disc = torch.compile(r.disc, mode=a.compile)
learn.model.train(); learn.epoch, learn.n_epochs = 0, 1
learn._bad = torch.zeros((), dtype=torch.bool, device=learn.device)
it = iter(learn.batches)
def step():
    global it
    try: learn.x, learn.y = next(it)
    except StopIteration: it = iter(learn.batches); learn.x, learn.y = next(it)
    learn.one_batch()
t0 = time.perf_counter()
for _ in range(30): step()
(torch.cuda.synchronize() if a.device=='cuda' else None); warm = time.perf_counter() - t0
n, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < a.seconds:
    for _ in range(20): step()
    n += 20
(torch.cuda.synchronize() if a.device=='cuda' else None); dt = time.perf_counter() - t0
print(json.dumps({'tag': a.tag, 'compile': a.compile, 'amp': a.amp, 'steps': n, 'ms_per_step': dt / n * 1e3, 'steps_per_s': n / dt, 'warmup_s': warm, 'pid': os.getpid()}), flush=True)
