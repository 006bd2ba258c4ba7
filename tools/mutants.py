"""Mutation check: break the engine on purpose, one way at a time, and see whether the fast behavioural tests notice.

    python tools/mutants.py            # every mutant; exits 1 if any survives
    python tools/mutants.py --list     # the mutants and the line each one changes

Each mutant is a one-line change to the generated package (`aae_nb/*.py`), applied to a copy of `aae_nb/` in a
temporary folder (the working tree is never touched); `tests/test_behaviour.py` then runs against the copy. A mutant
is *killed* when a test fails, and the first failing test, whose name says which behaviour broke, is reported.
`tests/test_mutants.py` runs this in CI.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name, file, the exact text to change, its replacement
MUTANTS = [
    ('generator loss zeroed', 'model.py',
     "        return gen_loss(self.disc(z, *self._cond(y, len(z), z.device)), self.gen)",
     "        return 0 * gen_loss(self.disc(z, *self._cond(y, len(z), z.device)), self.gen)"),
    ('discriminator blind to its condition', 'model.py',
     "        return (onehot_cond(y, self._k),)",
     "        return (torch.zeros_like(onehot_cond(y, self._k)),)"),
    ('labelled positives not drawn from their own component', 'model.py',
     "labels=y if self.cond else None, device=z.device, check=False)",
     "labels=None, device=z.device, check=False)"),
    ('decoder blind to y', 'model.py',
     "            else: parts.append(codes[k])",
     "            else: parts.append(torch.zeros_like(codes[k]) if k == 'y' else codes[k])"),
    ('KL term zeroed', 'model.py',
     "        if self.closed: return kl_gaussian(mu, logvar, self.prior.std).mean()",
     "        if self.closed: return 0 * kl_gaussian(mu, logvar, self.prior.std).mean()"),
    ('MMD term zeroed', 'model.py',
     "        return mmd2_u(z.float(), zp, self.kernel, self.scales)",
     "        return 0 * mmd2_u(z.float(), zp, self.kernel, self.scales)"),
    ('joint penalty left out of the reconstruction loss', 'learner.py',
     "pen = r.penalty(codes, y).float(); self.log(f'{k}_penalty', pen); loss = loss + r.weight * pen",
     "pen = r.penalty(codes, y).float(); self.log(f'{k}_penalty', pen)"),
    ('supervised phase skipped', 'learner.py',
     "    xl, yl = self._shard(*self.sup_batches.draw())",
     "    return\n    xl, yl = self._shard(*self.sup_batches.draw())"),
    ('reconstruction phase skipped', 'learner.py',
     "    self.update('recon', loss)",
     "    pass"),
    ('discriminator phase skipped', 'learner.py',
     "        self.update('disc/' + k, ld, f'disc_{k}')",
     "        self.log(f'disc_{k}', ld)"),
    ('phases run out of order', 'learner.py',
     "    for p in self.active:",
     "    for p in reversed(self.active):"),
    ('label not given to the decoder (§4)', 'model.py',
     "parts.append(self.label_scale * F.one_hot(y, self.n_classes).to(next(iter(codes.values())).dtype))",
     "parts.append(0 * F.one_hot(y, self.n_classes).to(next(iter(codes.values())).dtype))"),
    ("label adversary's encoder term zeroed (§4, ours)", 'model.py',
     "        return -logp.mean(2).mean() - math.log(self.n_classes)                           # mean over the classifiers of KL(uniform || c(z)) >= 0",
     "        return 0 * (-logp.mean(2).mean() - math.log(self.n_classes))"),
    ('categorical adversary off (§6)', 'clustering.py',
     "regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(n_clusters), hidden=disc_hidden, weight=float(cat_adv_weight), **ikw),",
     "regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(n_clusters), hidden=disc_hidden, weight=0., **ikw),"),
    ('cluster heads fixed at zero (§7)', 'model.py',
     "        return _grad_scaled(self.W, self.head_lr)",
     "        return 0 * _grad_scaled(self.W, self.head_lr)"),
    ('cluster-head hinge off (§7)', 'model.py',
     "        return F.relu(self.eta - d).sum()",
     "        return 0 * F.relu(self.eta - d).sum()"),
    ('W_C y replaced by y alone (§7)', 'model.py',
     "        return _grad_scaled(codes[self.y_key], self.y_grad) @ self.heads() + codes[self.z_key]   # $W_C y + z$, (B, n)",
     "        return codes[self.y_key][:, :self.dim] + codes[self.z_key]"),
]

def apply(pkg:Path, file, old, new):
    p = pkg/file; s = p.read_text()
    n = s.count(old)
    if n != 1: raise SystemExit(f"mutant text found {n} times in {file} (expected once): {old!r} -- update tools/mutants.py")
    p.write_text(s.replace(old, new))

def run_one(name, file, old, new, timeout=600):
    "Apply one mutant to a copy of the package and run the behavioural tests: (killed, first failing test or '')."
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(ROOT/'aae_nb', Path(d)/'aae_nb', ignore=shutil.ignore_patterns('__pycache__'))
        apply(Path(d)/'aae_nb', file, old, new)
        env = {**os.environ, 'PYTHONPATH': d + os.pathsep + os.environ.get('PYTHONPATH', ''), 'OMP_NUM_THREADS': '1'}
        r = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-x', '-p', 'no:cacheprovider', str(ROOT/'tests'/'test_behaviour.py')],
                           capture_output=True, text=True, env=env, cwd=d, timeout=timeout)
        assert 'aae_nb' in r.stdout + r.stderr or r.returncode in (0, 1), r.stderr[-2000:]
        failed = re.findall(r'FAILED \S+::(\w+)', r.stdout)
        return r.returncode != 0, (failed[0] if failed else ('(error) ' + r.stdout[-300:] if r.returncode else ''))

def check_copy_is_used():
    "The tests must import the mutated copy, not the installed package: a mutant that breaks the import must be seen."
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(ROOT/'aae_nb', Path(d)/'aae_nb', ignore=shutil.ignore_patterns('__pycache__'))
        (Path(d)/'aae_nb'/'model.py').write_text('raise ImportError("mutated copy in use")\n')
        env = {**os.environ, 'PYTHONPATH': d + os.pathsep + os.environ.get('PYTHONPATH', '')}
        r = subprocess.run([sys.executable, '-c', 'import aae_nb.model'], capture_output=True, text=True, env=env, cwd=d)
        if 'mutated copy in use' not in r.stderr: raise SystemExit('the tests would not import the mutated copy: check PYTHONPATH handling')

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('--list', action='store_true')
    a = ap.parse_args(argv)
    if a.list:
        for n, f, old, new in MUTANTS: print(f"{n:<56} {f}: {old.strip()[:60]!r} -> {new.strip()[:60]!r}")
        return 0
    check_copy_is_used()
    survivors = []
    print(f"{'mutant':<56} {'result':<8} killed by")
    for n, f, old, new in MUTANTS:
        killed, test = run_one(n, f, old, new)
        print(f"{n:<56} {'killed' if killed else 'SURVIVED':<8} {test}", flush=True)
        if not killed: survivors.append(n)
    print(f"{len(MUTANTS) - len(survivors)} of {len(MUTANTS)} mutants killed" + (f"; survived: {', '.join(survivors)}" if survivors else ''))
    return 1 if survivors else 0

if __name__ == '__main__': sys.exit(main())
