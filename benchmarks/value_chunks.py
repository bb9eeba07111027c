"""Benchmark: the batched target optimisation with facts chunked in their given order vs ordered by suffix length.

    python benchmarks/value_chunks.py --data counterfact_reduced_train.json [-n 100] [--steps 3] [--threads 1] [--save FILE]

`compute_values` cuts a batch of facts into chunks of at most `max_rows` rows; every row of a chunk is padded to the
chunk's longest stretch from the subject token on, and each step computes the padding too. Ordering the facts by that
length first (`rome_nb.keys_values._by_suffix`) puts similar facts together. This runs MEMIT's setting (targets in the
residual stream at layer 4, five templates) on the first `n` CounterFact cases both ways, interleaved, best of two,
counts the padded and real columns, and checks that the values agree. Last line: `speedup=<ratio> reldiff=<max rel. diff>`.
"""
from __future__ import annotations
import argparse, json, time
from pathlib import Path

import torch


def padded_columns(tok, rs, order, templates, per_fact: int, max_rows: int) -> tuple:
    "Columns each step computes (rows x columns from the subject token on) and how many of them are real tokens."
    from rome_nb.keys_values import _chunks, value_batch
    tot = real = 0
    for fs in _chunks(per_fact, order, max_rows):
        b = value_batch(tok, [rs[f] for f in fs], templates)
        tot += b.input_ids.shape[0] * (b.input_ids.shape[1] - b.c)
        real += int(b.attention_mask[:, b.c:].sum())
    return tot, real


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True); ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--steps", type=int, default=3); ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save", default=None)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    import rome_nb.keys_values as kv
    from rome_nb.core import load_model
    from rome_nb.evaluation import load_cases
    model, tok = load_model()
    rs = [c.request for c in load_cases(a.data)[:a.n]]
    templates = kv._with_bare(kv.context_templates(model, tok, ((10, 5),)))
    per_fact, max_rows = len(templates) + 1, 256
    arms = {"given order": lambda tok_, r, f: list(range(len(r))), "by suffix length": kv._by_suffix}
    cols = {k: padded_columns(tok, rs, fn(tok, rs, "subject_last"), templates, per_fact, max_rows) for k, fn in arms.items()}
    secs, vals, real_order = {k: [] for k in arms}, {}, kv._by_suffix
    try:
        for _ in range(2):
            for k, fn in arms.items():
                kv._by_suffix = fn
                t0 = time.perf_counter()
                vals[k] = kv.compute_values(model, tok, rs, 4, templates, site="block", steps=a.steps, early_stop=0.0, max_rows=max_rows)
                secs[k].append(time.perf_counter() - t0)
    finally:
        kv._by_suffix = real_order
    rel = max(float((x.v_star - y.v_star).norm() / y.v_star.norm()) for x, y in zip(vals["by suffix length"], vals["given order"]))
    speedup = min(secs["given order"]) / min(secs["by suffix length"])
    for k in arms:
        print(f"{k}: {min(secs[k]):.1f}s (runs {', '.join(f'{s:.1f}' for s in secs[k])}); columns per step {cols[k][0]} "
              f"of which real {cols[k][1]} ({100 * cols[k][1] / cols[k][0]:.0f}%)")
    print(f"speedup={speedup:.2f} reldiff={rel:.1e}")
    if a.save:
        Path(a.save).write_text(json.dumps(dict(n=a.n, steps=a.steps, threads=a.threads, max_rows=max_rows, seconds=secs,
                                                columns={k: dict(total=c[0], real=c[1]) for k, c in cols.items()},
                                                speedup=speedup, reldiff=rel), indent=1))


if __name__ == "__main__":
    main()
