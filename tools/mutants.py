"""Mutation check: break the engine on purpose, one way at a time, and see whether the fast behavioural tests notice.

    python tools/mutants.py            # every mutant; exits 1 if any survives
    python tools/mutants.py --list     # the mutants and the line each one changes

Each mutant is a one-line change to the generated package (`aae_nb/*.py`), applied to a copy of `aae_nb/` in a
temporary folder (the working tree is never touched); `tests/test_behaviour.py` then runs against the copy, the test
named as the mutant's catcher first and, if that one passes, the whole file. A mutant is *killed* when a test fails,
and the first failing test, whose name says which behaviour broke, is reported (with the expected one where they
differ). One interpreter imports torch once; each mutant's tests run in a fork of it.
`tests/test_mutants.py` runs this in CI.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name, file, the exact text to change, its replacement, the behavioural test expected to catch it (it runs first)
MUTANTS = [
    ('generator loss zeroed', 'model.py',
     "        return gen_loss(self.disc(z, *self._cond(y, len(z), z.device)), self.gen)",
     "        return 0 * gen_loss(self.disc(z, *self._cond(y, len(z), z.device)), self.gen)",
     'test_generator_phase_fools_the_discriminator'),
    ('discriminator blind to its condition', 'model.py',
     "        return (onehot_cond(y, self._k),)",
     "        return (torch.zeros_like(onehot_cond(y, self._k)),)",
     'test_conditioned_discriminator_sees_the_label'),
    ('labelled positives not drawn from their own component', 'model.py',
     "labels=y if self.cond else None, device=z.device, check=False)",
     "labels=None, device=z.device, check=False)",
     'test_labelled_positives_come_from_their_own_component'),
    ('decoder blind to y', 'model.py',
     "            else: parts.append(codes[k])",
     "            else: parts.append(torch.zeros_like(codes[k]) if k == 'y' else codes[k])",
     'test_decoder_sees_the_label_code'),
    ('KL term zeroed', 'model.py',
     "        if self.closed: return kl_gaussian(mu, logvar, self.prior.std).mean()",
     "        if self.closed: return 0 * kl_gaussian(mu, logvar, self.prior.std).mean()",
     'test_kl_term_is_the_closed_form'),
    ('MMD term zeroed', 'model.py',
     "        return mmd2_u(z.float(), zp, self.kernel, self.scales)",
     "        return 0 * mmd2_u(z.float(), zp, self.kernel, self.scales)",
     'test_mmd_term_sees_a_shifted_code_distribution'),
    ('joint penalty left out of the reconstruction loss', 'learner.py',
     "pen = r.penalty(codes, y).float(); self.log(f'{k}_penalty', pen); loss = loss + r.weight * pen",
     "pen = r.penalty(codes, y).float(); self.log(f'{k}_penalty', pen)",
     'test_joint_penalties_reach_the_reconstruction_phase'),
    ('supervised phase skipped', 'learner.py',
     "    xl, yl = self._shard(*self.sup_batches.draw())",
     "    return\n    xl, yl = self._shard(*self.sup_batches.draw())",
     'test_supervised_phase_lowers_the_cross_entropy_on_labelled_images'),
    ('reconstruction phase skipped', 'learner.py',
     "    self.update('recon', loss)",
     "    pass",
     'test_reconstruction_phase_lowers_the_reconstruction_cost'),
    ('discriminator phase skipped', 'learner.py',
     "        self.update('disc/' + k, ld, f'disc_{k}')",
     "        self.log(f'disc_{k}', ld)",
     'test_discriminator_phase_separates_prior_from_codes'),
    ('phases run out of order', 'learner.py',
     "    for p in self.active:",
     "    for p in reversed(self.active):",
     'test_phases_run_in_the_papers_order'),
    ('label not given to the decoder (§4)', 'model.py',
     "parts.append(self.label_scale * F.one_hot(y, self.n_classes).to(next(iter(codes.values())).dtype))",
     "parts.append(0 * F.one_hot(y, self.n_classes).to(next(iter(codes.values())).dtype))",
     'test_label_given_to_the_decoder_steers_the_digit'),
    ("label adversary's encoder term zeroed (§4, ours)", 'model.py',
     "        return -logp.mean(2).mean() - math.log(self.n_classes)                           # mean over the classifiers of KL(uniform || c(z)) >= 0",
     "        return 0 * (-logp.mean(2).mean() - math.log(self.n_classes))",
     'test_label_adversary_hides_the_label_from_its_classifier'),
    ('categorical adversary off (§6)', 'clustering.py',
     "regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(n_clusters), hidden=disc_hidden, weight=float(cat_adv_weight), **ikw),",
     "regularizers={'y': AdversarialRegularizer('y', CategoricalPrior(n_clusters), hidden=disc_hidden, weight=0., **ikw),",
     'test_categorical_adversary_makes_confident_evenly_used_clusters'),
    ('cluster heads fixed at zero (§7)', 'model.py',
     "        return _grad_scaled(self.W, self.head_lr)",
     "        return 0 * _grad_scaled(self.W, self.head_lr)",
     'test_cluster_heads_are_the_decoders_input'),
    ('cluster-head hinge off (§7)', 'model.py',
     "        return F.relu(self.eta - d).sum()",
     "        return 0 * F.relu(self.eta - d).sum()",
     'test_hinge_pushes_close_heads_apart'),
    ('W_C y replaced by y alone (§7)', 'model.py',
     "        return _grad_scaled(p, self.y_grad) @ self.heads() + codes[self.z_key]   # $W_C y + z$, (B, n)",
     "        return p[:, :self.dim] + codes[self.z_key]",
     'test_cluster_heads_are_the_decoders_input'),
    ("VAT's passes normalised by the running averages (ours)", 'semisupervised.py',
     "    for b in bns: b.train(); b.track_running_stats = False     # batch statistics; the running averages are neither used nor updated",
     "    pass",
     'test_vat_passes_normalise_by_their_batch_and_keep_the_running_averages'),
]

def apply(pkg:Path, file, old, new):
    p = pkg/file; s = p.read_text()
    n = s.count(old)
    if n != 1: raise SystemExit(f"mutant text found {n} times in {file} (expected once): {old!r} -- update tools/mutants.py")
    p.write_text(s.replace(old, new))

BEHAVIOUR = ROOT/'tests'/'test_behaviour.py'

def _pytest_in_fork(d, args) -> tuple:
    "Run pytest on `args` in a forked child that imports `aae_nb` from folder `d`: (return code, its output)."
    import pytest
    with tempfile.TemporaryFile('w+') as log:
        pid = os.fork()
        if pid == 0:   # the child: the mutated copy first on the path, pytest's output into the log, never return
            rc = 3
            try:
                os.dup2(log.fileno(), 1); os.dup2(log.fileno(), 2); os.chdir(d); sys.path.insert(0, d)
                rc = pytest.main(['-q', '-x', '-rf', '-p', 'no:cacheprovider', *args])
            finally: os._exit(int(rc))
        _, status = os.waitpid(pid, 0)
        log.seek(0)
        return os.waitstatus_to_exitcode(status), log.read()

def _first_failed(out): return (re.findall(r'FAILED \S+::(\w+)', out) or [''])[0]

def run_one(name, file, old, new, killer=None):
    """Apply one mutant to a copy of the package and run the behavioural tests against it: (killed, first failing test).
    The test named as this mutant's `killer` runs first; only when it passes does the whole file run, so a mutant
    survives only if every test passes. Runs in a process that has imported torch but not `aae_nb` (`serve`)."""
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(ROOT/'aae_nb', Path(d)/'aae_nb', ignore=shutil.ignore_patterns('__pycache__'))
        apply(Path(d)/'aae_nb', file, old, new)
        for target in ([f'{BEHAVIOUR}::{killer}'] if killer else []) + [str(BEHAVIOUR)]:
            rc, out = _pytest_in_fork(d, [target])
            if rc != 0: return True, _first_failed(out) or '(error) ' + out[-300:]
        return False, ''

def check_copy_is_used():
    "The tests must import the mutated copy, not the installed package: a mutant that breaks the import must be seen."
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(ROOT/'aae_nb', Path(d)/'aae_nb', ignore=shutil.ignore_patterns('__pycache__'))
        (Path(d)/'aae_nb'/'model.py').write_text('raise ImportError("mutated copy in use")\n')
        rc, out = _pytest_in_fork(d, [str(BEHAVIOUR)])
        if 'mutated copy in use' not in out: raise SystemExit('the tests would not import the mutated copy: check sys.path handling')

def serve(names) -> int:
    """Run the named mutants (all when empty) in this process: torch is imported once here, and each mutant's tests
    run in a forked child, which imports its own mutated copy of `aae_nb` (a fresh interpreter per mutant cost
    about 8 s, mostly importing torch; a fork costs well under one)."""
    os.environ['OMP_NUM_THREADS'] = '1'; os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'   # the behavioural tests need no plugin
    import torch, torch.nn.functional as F, pytest; torch.set_num_threads(1)
    net = torch.nn.Linear(8, 4)   # torch's lazy set-up (autograd, the optimisers) done once here, not in every fork
    for opt in (torch.optim.Adam(net.parameters()), torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)):
        F.cross_entropy(net(torch.rand(2, 8)), torch.zeros(2, dtype=torch.long)).backward(); opt.step()
    if 'aae_nb' in sys.modules: raise SystemExit('mutants: aae_nb is already imported here; forks would share it')
    check_copy_is_used()
    todo = [m for m in MUTANTS if not names or m[0] in names]
    survivors = []
    print(f"{'mutant':<56} {'result':<8} killed by", flush=True)
    for n, f, old, new, killer in todo:
        killed, test = run_one(n, f, old, new, killer)
        print(f"{n:<56} {'killed' if killed else 'SURVIVED':<8} {test}" + ('' if not killed or test == killer else f'  (expected {killer})'), flush=True)
        if not killed: survivors.append(n)
    print(f"{len(todo) - len(survivors)} of {len(todo)} mutants killed" + (f"; survived: {', '.join(survivors)}" if survivors else ''))
    return 1 if survivors else 0

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('--list', action='store_true')
    ap.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('names', nargs='*', help='run only these mutants (by name)')
    a = ap.parse_args(argv)
    if a.list:
        for n, f, old, new, killer in MUTANTS: print(f"{n:<56} {f}: {old.strip()[:60]!r} -> {new.strip()[:60]!r}  [{killer}]")
        return 0
    unknown = [n for n in a.names if n not in {m[0] for m in MUTANTS}]
    if unknown: raise SystemExit(f"mutants: no mutant named {', '.join(map(repr, unknown))} (see --list)")
    if a.serve: return serve(a.names)
    # a fresh interpreter of its own, so that nothing the caller imported (pytest's worker, aae_nb) is forked
    r = subprocess.run([sys.executable, __file__, '--serve', *a.names], cwd=ROOT, text=True, capture_output=True, timeout=1200,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    print(r.stdout, end=''); print(r.stderr[-3000:], end='', file=sys.stderr)
    return r.returncode

if __name__ == '__main__': sys.exit(main())
