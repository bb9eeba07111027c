"""Batch editing vs one edit at a time: N CounterFact facts as one MEMIT batch against the same N through single ROME edits.

    python benchmarks/batch_edit.py --data ../shared/data/counterfact/counterfact_reduced_train.json [-n 100] [--threads 1]

Both on the embedded model with their presets and cached key statistics (computed, or read from the disk cache, before
any timing starts), the same thread count, in this one process. ROME: each edit applied, scored, undone (the facts do
not interact). MEMIT: all facts in one batch, scored, undone. Success (ES) = the new object is more likely than the
true one after the rewrite prompt. Prints both times, the ratio and the success rates; the last line is
`speedup=<ratio> es_batch=<ES of the batch>`.
"""
from __future__ import annotations
import argparse, json, time
from pathlib import Path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="a CounterFact file (any schema rome_nb.evaluation.load_cases reads)")
    p.add_argument("-n", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=None, help="also write the figures as JSON here")
    a = p.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model
    from rome_nb.evaluation import load_cases
    from rome_nb.many_facts import batch_edit, batch_hparams_for, edit_success
    from rome_nb.rome import edit, hparams_for, layer_statistics
    model, tok = load_model()
    reqs = [c.request for c in load_cases(a.data)[:a.n]]
    rome_hp, memit_hp = hparams_for(model), batch_hparams_for(model, "memit")
    for l in memit_hp.layers: layer_statistics(model, tok, l, memit_hp, progress=False)   # cached before timing
    layer_statistics(model, tok, rome_hp.layer, rome_hp, progress=False)

    t = time.perf_counter()
    e = batch_edit(model, tok, reqs, "memit", memit_hp, progress=True)
    t_batch = time.perf_counter() - t
    es_batch = sum(edit_success(model, tok, reqs)) / len(reqs)
    e.undo()
    print(f"MEMIT, {len(reqs)} facts as one batch at layers {list(memit_hp.layers)}: {t_batch:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in e.timings.items())}); ES {100 * es_batch:.1f}%", flush=True)

    from tqdm.auto import tqdm
    t_rome, ok = 0.0, 0
    for r in tqdm(reqs, desc="ROME edits"):
        t = time.perf_counter()
        x = edit(model, tok, r, rome_hp, progress=False)
        t_rome += time.perf_counter() - t
        ok += edit_success(model, tok, [r])[0]
        x.undo()
    es_rome = ok / len(reqs)
    print(f"ROME, the same {len(reqs)} facts one edit at a time at layer {rome_hp.layer}: {t_rome:.1f} s "
          f"({t_rome / len(reqs):.1f} s per edit); ES {100 * es_rome:.1f}%")
    ratio = t_rome / t_batch
    print(f"{a.threads} thread(s); the batch is {ratio:.2f}x faster per fact")
    if a.out:
        Path(a.out).write_text(json.dumps(dict(n=len(reqs), threads=a.threads, seconds_batch=t_batch, seconds_rome=t_rome, speedup=ratio,
                                               es_batch=es_batch, es_rome=es_rome, memit_layers=list(memit_hp.layers),
                                               rome_layer=rome_hp.layer, timings_batch=e.timings), indent=1))
    print(f"speedup={ratio:.2f} es_batch={es_batch:.3f}")


if __name__ == "__main__":
    main()
