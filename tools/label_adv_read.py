"""How well a §4 run's own label adversary reads the label at the end of training, beside what a probe trained afresh
reads (`metrics.json`): each classifier of the run's `LabelAdversary` reads the test images' codes in the view it
trained on (`code_view`: e.g. the means standardised over each mini-batch of 100), and its accuracy is written beside
the run as `label_adv.json`, a record the notebook reads.

    python tools/label_adv_read.py runs/full4/zn0.8-std3k5/s*

A run stopped before its last epoch is read from its `checkpoint.pt` (the record says which file and epoch). Runs with
neither file, or without a label adversary, are skipped with a line saying so.
"""
import json, sys
from pathlib import Path

def main(dirs, bs=100):
    import torch
    torch.set_num_threads(1)
    from aae_nb.data import load_mnist
    from style_use import final_models
    test = load_mnist().test
    for d, m, src, ep in final_models(dirs):
        la = m.regularizers['label'] if 'label' in m.regularizers else None
        if la is None: print(f"{d}: no label adversary, skipped"); continue
        hits, n = torch.zeros(la.n_nets), 0
        with torch.no_grad():
            for i in range(0, len(test.x) - bs + 1, bs):                   # whole mini-batches, as in training
                codes = m.encoder(test.x[i:i + bs], sample=True, y=test.y[i:i + bs])   # the draw and, under z_noise, the mean beside it
                lg = la.read(codes)                                          # (nets, bs, K), in the view it trained on
                hits += (lg.argmax(2) == test.y[i:i + bs]).float().sum(1); n += bs
        acc = (hits / n).tolist()
        rec = {'own_classifier_test_acc': sum(acc) / len(acc), 'each_classifier': acc, 'view': la.on, 'batch': bs, 'n_test_images': n, 'epochs': ep, 'model_file': src,
               'command': 'python tools/label_adv_read.py ' + str(d)}
        (d/'label_adv.json').write_text(json.dumps(rec, indent=1))
        print(f"{d}: the run's own classifier reads {100 * rec['own_classifier_test_acc']:.1f}% of {n} test codes ({la.on})")

if __name__ == '__main__': main(sys.argv[1:])
