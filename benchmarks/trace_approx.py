"""Benchmark: approximate-then-verify tracing (`Tracer.trace_approx`) against the exact grid and the paper's procedure.

Over facts the model knows (by default the 20 of `experiments/results/tracing_known1000_traces.jsonl`, whose exact
grids, paper defaults, are reused; `--recompute` traces them again with the fast exact path), for each fact:

1. the approximate mode (first-order estimate of every cell of the three kinds, then the top `--verify` cells and
   `--sample` random others of each kind scored exactly): wall time, including the tracer's clean and corrupted runs;
2. the reference (`Tracer(method="reference")`: one forward pass of 1 clean + 10 corrupted rows per cell, logits at
   every position, as the released code): `--ref-cells` random cells timed, the full grid's time extrapolated from
   their mean (the reference's cost per cell does not depend on the cell), plus its tracer's runs;
3. per kind, against the exact grid: Spearman ρ of the estimate over all cells; top-10 recall of the approximate
   result (its 10 best *verified* cells by exact score, a cell counting when its exact score reaches the exact 10th
   best, ties included) and of the raw estimate; whether the verified scores equal the exact grid's (≤1e-4).

Both paths run in this one process, fact by fact, so they see the same machine load. One JSON line per fact goes to
`--out` (a re-run resumes); the last line printed is `speedup=<Σ reference / Σ approximate> recall=<mean top-10 recall>`.

    python benchmarks/trace_approx.py --threads 1
    python benchmarks/trace_approx.py --corruption replace --recompute -n 10 --out experiments/results/trace_approx_replace.jsonl
"""
import argparse, json, random, time
from pathlib import Path

RESULTS = Path("experiments/results")


def recall_at(scores, exact, k=10, tol=1e-6):
    "Of the k cells `scores` ranks highest (NaN last), the fraction whose exact score reaches the exact k-th best."
    e, s = exact.flatten(), scores.flatten().nan_to_num(float("-inf"))
    kth = float(e.nan_to_num(float("-inf")).sort(descending=True).values[k - 1])
    return sum(float(e[i]) >= kth - tol for i in s.argsort(descending=True)[:k].tolist()) / k


def verified_top(result):
    "The approximate result's answer: a grid holding only its verified cells (exact scores), NaN elsewhere."
    import torch
    g = torch.full_like(result.scores, float("nan"))
    for t, l in result.approx["verified"]: g[t, l] = result.scores[t, l]
    return g


def one_fact(f, model, tok, args, exact):
    import torch
    from scipy.stats import spearmanr
    from rome_nb.tracing import KINDS, Tracer, kind_cells
    opts = dict(samples=10, noise=args.noise, corruption=args.corruption, seed=0)
    t0 = time.perf_counter()
    tr = Tracer(model, tok, f["prompt"], f["subject"], **opts)
    res = tr.trace_approx(KINDS, verify=args.verify, sample=args.sample, steps=args.steps, min_rho=args.min_rho, cheap=args.cheap)
    approx_secs = time.perf_counter() - t0
    if exact is None:
        t0 = time.perf_counter(); exact = {k: r.scores for k, r in tr.trace_many(KINDS).items()}
        exact_secs = time.perf_counter() - t0
    else: exact_secs = None
    t0 = time.perf_counter()
    ref = Tracer(model, tok, f["prompt"], f["subject"], method="reference", **opts)
    ref_setup = time.perf_counter() - t0
    nL, T = tr.layout.n_layers, tr.n_prompt
    cells = [(k, t, l) for k in KINDS for t in range(T) for l in range(nL)]
    some = random.Random(f.get("known_id", 0)).sample(cells, args.ref_cells)
    t0 = time.perf_counter()
    got = ref.scores([kind_cells(k, [t], nL, 1 if k == "hidden" else 10)[l] for k, t, l in some])
    per_cell = (time.perf_counter() - t0) / len(some)
    ref_diff = max(abs(float(v) - float(exact[k][t, l])) for (k, t, l), v in zip(some, got))
    row = dict(known_id=f.get("known_id"), prompt=f["prompt"], subject=f["subject"], tokens=T, cells=len(cells),
               approx_secs=approx_secs, reference_secs=ref_setup + per_cell * len(cells), reference_cell_secs=per_cell,
               reference_cells_timed=len(some), reference_maxdiff=ref_diff, exact_secs=exact_secs, kinds={})
    for k, r in res.items():
        a, x = r.approx, exact[k]
        est = torch.tensor([[float("nan") if v is None else v for v in rw] for rw in a["estimate"]])
        ok = ~x.isnan()
        vdiff = max(abs(float(r.scores[t, l]) - float(x[t, l])) for t, l in a["verified"]) if not a["fell_back"] else 0.0
        row["kinds"][k] = dict(rho_all=float(spearmanr(est[ok].numpy(), x[ok].numpy())[0]), rho_verified=a["rho"],
                               recall=recall_at(verified_top(r) if not a["fell_back"] else r.scores, x),
                               recall_estimate=recall_at(est, x), self_recall=a["recall"], fell_back=a["fell_back"],
                               certified=a["certified"], verified_maxdiff=vdiff, verified=len(a["verified"]))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--exact", default=str(RESULTS / "tracing_known1000_traces.jsonl"), help="saved exact traces (JSONL)")
    ap.add_argument("--recompute", action="store_true", help="trace the exact grids again (fast path) instead of reading --exact")
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--corruption", default="gaussian", choices=["gaussian", "replace"])
    ap.add_argument("--verify", type=int, default=20)
    ap.add_argument("--sample", type=int, default=5)
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--min-rho", type=float, default=0.0)
    ap.add_argument("--cheap", type=float, default=0.05, help="always verify cells costing at most this fraction of the dearest")
    ap.add_argument("--ref-cells", type=int, default=9, help="reference cells timed per fact")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(RESULTS / "trace_approx_benchmark.jsonl"))
    args = ap.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    from rome_nb.core import load_model
    from rome_nb.tracing import KINDS, TraceResult
    model, tok = load_model(args.model)
    saved = [json.loads(l) for l in Path(args.exact).read_text().splitlines() if l.strip()]
    facts = saved[:args.n]
    if len(facts) < args.n: raise SystemExit(f"{args.exact} has {len(saved)} facts, fewer than -n {args.n}")
    if args.corruption == "replace" and not args.recompute: raise SystemExit("--corruption replace needs --recompute (the saved grids are Gaussian)")
    args.noise = None if args.corruption == "replace" else saved[0]["traces"]["hidden"]["settings"]["noise"]
    out = Path(args.out)
    rows = [json.loads(l) for l in out.read_text().splitlines()] if out.is_file() else []
    config = dict(verify=args.verify, sample=args.sample, steps=args.steps, min_rho=args.min_rho, cheap=args.cheap, corruption=args.corruption)
    if rows and rows[0].get("config") != config: raise SystemExit(f"{out} holds a run with other settings {rows[0].get('config')}")
    done = {r["known_id"] for r in rows}
    print(f"approximate tracing vs exact on {len(facts)} facts, {args.threads} thread(s), {config}", flush=True)
    for f in facts:
        if f["known_id"] in done: continue
        exact = None if args.recompute else {k: TraceResult.from_dict(f["traces"][k]).scores for k in KINDS}
        row = dict(config=config, **one_fact(f, model, tok, args, exact))
        with out.open("a") as fh: fh.write(json.dumps(row) + "\n")
        rows.append(row)
        ks = row["kinds"]
        print(f"  {f['subject'][:28]:<28} approx {row['approx_secs']:5.1f}s  reference {row['reference_secs']:6.1f}s  "
              + "  ".join(f"{k} ρ={v['rho_all']:.2f} r@10={v['recall']:.1f}" for k, v in ks.items()), flush=True)
    speed = sum(r["reference_secs"] for r in rows) / sum(r["approx_secs"] for r in rows)
    rec = {k: sum(r["kinds"][k]["recall"] for r in rows) / len(rows) for k in KINDS}
    raw = {k: sum(r["kinds"][k]["recall_estimate"] for r in rows) / len(rows) for k in KINDS}
    rho = {k: sum(r["kinds"][k]["rho_all"] for r in rows) / len(rows) for k in KINDS}
    vmax = max(r["kinds"][k]["verified_maxdiff"] for r in rows for k in KINDS)
    print(f"{len(rows)} facts: reference {sum(r['reference_secs'] for r in rows):.0f}s, approximate {sum(r['approx_secs'] for r in rows):.0f}s; "
          f"verified cells equal the exact grid to {vmax:.1e}; reference vs exact max |Δ| "
          f"{max(r['reference_maxdiff'] for r in rows):.1e}")
    for k in KINDS:
        fb = sum(r["kinds"][k]["fell_back"] for r in rows)
        print(f"  {k:>6}: mean ρ(estimate, exact) {rho[k]:.2f}; top-10 recall {rec[k]:.2f} (raw estimate {raw[k]:.2f}); fell back on {fb}")
    print(f"speedup={speed:.1f} recall={sum(rec.values()) / len(rec):.2f}")


if __name__ == "__main__":
    main()
