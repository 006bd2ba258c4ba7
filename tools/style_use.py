"""Measure `aae_nb.supervised.style_use` (how much of the reconstruction the style code z carries), the encoder's live
units (`aae_nb.metrics.live_units`: 0 in a layer means z is a constant) and the spread of z (`code_spread`) on the final
model of §4 run directories, and write them beside the run as `style_use.json`, a record the notebook reads.

    python tools/style_use.py runs/abl4/*/s* runs/full4/*/s*

Each run's `model.pt` (written when training finished) is loaded; a run stopped before its last epoch is read from its
`checkpoint.pt` (the record says which file and epoch). Runs with neither are skipped with a line saying so.
"""
import inspect, json, sys
from pathlib import Path

def load_final(d:Path):
    "(model, the file it came from, its epoch): a finished run's `model.pt`, else a stopped run's checkpoint as `aae eval` reads it; (None, None, None) if neither."
    from aae_nb.model import load_model
    from aae_nb.experiments import load_run
    if (d/'model.pt').is_file():
        return load_model(d/'model.pt').eval(), 'model.pt', json.loads((d/'metrics.json').read_text())['epochs'] if (d/'metrics.json').is_file() else None
    if (d/'checkpoint.pt').is_file():
        run = load_run(d, 'cpu')                                   # the checkpoint read once, checked against run.json
        return run.model, 'checkpoint.pt', run.epoch
    return None, None, None

def final_models(dirs, need_label:bool=False):
    "(run directory, model, its file, its epoch) for each of `dirs` that holds a model (`load_final`), saying which are skipped; `need_label`: only decoders that take the label."
    for d in map(Path, dirs):
        m, src, ep = load_final(d)
        if m is None: print(f"{d}: no model.pt or checkpoint.pt, skipped"); continue
        if need_label and not m.label_input: print(f"{d}: the decoder takes no label, skipped"); continue
        yield d, m, src, ep

def main(dirs):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from aae_nb.metrics import live_units, code_spread
    from aae_nb.supervised import style_use
    test = load_mnist().test
    for d, m, src, ep in final_models(dirs):
        dflt = {k: v.default for k, v in inspect.signature(style_use).parameters.items()}     # what style_use measured on
        rec = {'style_use': style_use(m, test), 'live_units': live_units(m, test, n=dflt['n']), 'z_spread': code_spread(m, test, n=dflt['n']),
               'epochs': ep, 'model_file': src, 'n_test_images': dflt['n'], 'seed': dflt['seed'],
               'command': 'python tools/style_use.py ' + str(d)}
        (d/'style_use.json').write_text(json.dumps(rec, indent=1))
        print(f"{d}: style_use {rec['style_use']:.3f}, live units {min(rec['live_units'].values()):.3f}, z spread {rec['z_spread']:.3f} ({ep} epochs)")

if __name__ == '__main__': main(sys.argv[1:])
