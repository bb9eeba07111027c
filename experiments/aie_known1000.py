"""Experiment: average indirect effects (paper Fig. 2) and severed paths (Fig. 3) on the authors' known facts.

1. Loads `known_1000.json` (1,209 facts) and keeps those the embedded model answers correctly (its greedy top-1
   token is the attribute's first token).
2. Shuffles the correct facts with a fixed seed and traces the first `--n` of them (all: `--n 0`): hidden, MLP and
   attention (window 10), paper defaults (10 samples, ν = 3σ with σ over the 1,209 subjects), plus the severed-path
   curves at the last subject token. One JSON line per fact goes to `--out`; a re-run resumes where it stopped.
3. Aggregates: AIE per kind and bucket, the peak layer/token per kind, the figures, and a summary JSON.

    python experiments/aie_known1000.py --data known_1000.json --n 40
    python experiments/aie_known1000.py --data known_1000.json --aggregate-only
    python experiments/aie_known1000.py --data known_1000.json --approx --same-facts   # approximate-then-verify, the same facts
    python experiments/aie_known1000.py --data known_1000.json --model gemma3-270m --n 20    # the second real model

With `--approx` every fact is traced by `Tracer.trace_approx` (first-order estimates, the top cells and a random sample
verified exactly; no severed paths) into `tracing_known1000_approx_traces.jsonl`, its figures are
`tracing_aie_approx_*.png`, and the summary compares it with the exact traces of the same facts, where there are any.
Another model's files carry its name (`tracing_known1000_gemma3-270m_summary.json`, `tracing_aie_gemma3-270m_lines.png`).
"""
import argparse, json, random, time
from pathlib import Path

import torch

from _models import DEFAULT_MODEL, stem, title

RESULTS = Path("experiments/results")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the authors' known_1000.json (see experiments/results/README.md)")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="an embedded model: smollm2-135m or gemma3-270m")
    ap.add_argument("--n", type=int, default=40, help="facts to trace (0: all the model knows)")
    ap.add_argument("--seed", type=int, default=0, help="shuffle seed for choosing the subset")
    ap.add_argument("--max-tokens", type=int, default=0,
                    help="skip facts whose prompt is longer than this many tokens (0: no cap; tracing costs ~ tokens²)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None, help="traces JSONL (default: experiments/results/tracing_known1000[_MODEL][_approx]_traces.jsonl)")
    ap.add_argument("--images", default="nbs/images")
    ap.add_argument("--aggregate-only", action="store_true")
    ap.add_argument("--approx", action="store_true", help="approximate-then-verify traces (Tracer.trace_approx) instead of exact ones")
    ap.add_argument("--same-facts", action="store_true", help="with --approx: trace the facts of the exact run's traces, no others")
    args = ap.parse_args()
    if args.same_facts and not args.approx: ap.error("--same-facts goes with --approx (the exact run chooses its own facts)")
    tag = "_approx" if args.approx else ""
    base = stem(args.model, "tracing_known1000")
    args.out = args.out or str(RESULTS / f"{base}{tag}_traces.jsonl")
    torch.set_num_threads(args.threads)
    from rome_nb.core import load_model
    from rome_nb.tracing import (load_known_facts, facts_known_by, noise_scale, Tracer, TraceResult, KINDS, aggregate,
                                 severed_paths, severed_curves, plot_aie_lines, plot_aie_heatmaps, plot_severed, BUCKETS)
    import matplotlib
    matplotlib.use("Agg")

    facts = load_known_facts(args.data)
    model, tok = load_model(args.model)
    summary_path = RESULTS / f"{base}_summary.json"   # the exact run's: also the cache of which facts are known
    prev = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    correct_path = RESULTS / f"{base}_correct.json"  # the (slow) correctness check, cached
    cached = prev if "n_correct" in prev else json.loads(correct_path.read_text()) if correct_path.is_file() else {}
    if cached.get("n_facts_file") == len(facts) and cached.get("model") == args.model:
        known_ids = set(cached["known_ids_correct"])
        known = [f for f in facts if f["known_id"] in known_ids]
        print(f"the model knows {len(known)} of {len(facts)} facts (cached in {correct_path})")
    else:
        t0 = time.time()
        known = facts_known_by(model, tok, facts, progress=True)
        print(f"the model knows {len(known)} of {len(facts)} facts ({time.time() - t0:.0f}s)")
        correct_path.write_text(json.dumps(dict(model=args.model, n_facts_file=len(facts), n_correct=len(known),
                                                known_ids_correct=[f["known_id"] for f in known])))
    order = list(known)
    random.Random(args.seed).shuffle(order)
    if args.max_tokens:
        order = [f for f in order if len(tok(f["prompt"])["input_ids"]) <= args.max_tokens]
        print(f"{len(order)} of the {len(known)} known facts have prompts of at most {args.max_tokens} tokens")
    chosen = order if args.n == 0 else order[:args.n]
    if args.same_facts:   # the exact run's facts (including any traced before a cap changed its choice)
        ids = {json.loads(l)["known_id"] for l in (RESULTS / f"{base}_traces.jsonl").read_text().splitlines()}
        chosen = [f for f in known if f["known_id"] in ids]
    nu = noise_scale(model, tok, [f["subject"] for f in facts])
    print(f"ν = 3σ = {nu:.4f} (σ over the {len(facts)} subjects)")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if out.is_file():
        for line in out.read_text().splitlines():
            try: d = json.loads(line)
            except json.JSONDecodeError: continue  # a line cut short by an interrupted run
            done[d["known_id"]] = d
    if not args.aggregate_only:
        todo = [f for f in chosen if f["known_id"] not in done]
        print(f"{len(chosen)} facts chosen, {len(chosen) - len(todo)} already traced, {len(todo)} to go")
        for i, f in enumerate(todo):
            t0 = time.time()
            tr = Tracer(model, tok, f["prompt"], f["subject"], expect=f["attribute"], noise=nu)
            res = tr.trace_approx(KINDS) if args.approx else tr.trace_many(KINDS)
            sev = {} if args.approx else severed_paths(model, tok, f["prompt"], f["subject"], tracer=tr)
            rec = dict(known_id=f["known_id"], prompt=f["prompt"], subject=f["subject"], attribute=f["attribute"],
                       secs=time.time() - t0, traces={k: r.to_dict() for k, r in res.items()},
                       severed={k: r.to_dict() for k, r in sev.items()})
            with out.open("a") as fh: fh.write(json.dumps(rec) + "\n")
            done[f["known_id"]] = rec
            print(f"[{i + 1}/{len(todo)}] {f['prompt']!r} -> {tr.answer!r} high {tr.high:.3f} low {tr.low:.3f} "
                  f"({rec['secs']:.0f}s, {len(tr.tokens)} tokens)", flush=True)

    known_ids = {f["known_id"] for f in known}  # every traced fact counts, also ones traced before a cap changed `chosen`
    if args.same_facts: known_ids = {f["known_id"] for f in chosen}
    recs = [done[k] for k in sorted(done) if k in known_ids]
    if not recs: print("nothing traced yet"); return
    traces = [{k: TraceResult.from_dict(v) for k, v in r["traces"].items()} for r in recs]
    effects = {k: aggregate([t[k] for t in traces]) for k in KINDS}
    images = Path(args.images)
    name = title(args.model) + (", approximate-then-verify" if args.approx else "")
    img = stem(args.model, "tracing_aie") + tag
    plot_aie_lines(effects, images / f"{img}_lines.png", model_name=name)
    plot_aie_heatmaps(effects, images / f"{img}_heatmap.png", model_name=name)
    if args.approx: return approx_summary(args, base, recs, effects, known, nu)
    curves = [severed_curves({k: TraceResult.from_dict(v) for k, v in r["severed"].items()}) for r in recs]
    mean = {k: torch.stack([c[k] for c in curves]).mean(0) for k in curves[0]}
    band = {k: 1.96 * torch.stack([c[k] for c in curves]).std(0, unbiased=False) / len(curves) ** 0.5 for k in curves[0]}
    plot_severed(mean, band=band, path=images / f"{stem(args.model, 'tracing_severed')}.png",
                 title=f"{title(args.model)}: average effect of the last subject token's state, later MLP or Attn severed (n = {len(curves)})")
    for k, a in effects.items():
        a.to_frame().to_csv(RESULTS / f"{base}_aie_{k}.csv", index=False)
    summary = dict(
        data=str(args.data), n_facts_file=len(facts), n_correct=len(known), known_ids_correct=[f["known_id"] for f in known],
        n_traced=len(recs), traced_ids=[r["known_id"] for r in recs], prompt_tokens=[len(r["traces"]["hidden"]["tokens"]) for r in recs],
        max_tokens=args.max_tokens, subset_seed=args.seed, nu=nu, samples=10, window=10, model=args.model,
        mean_high=effects["hidden"].high, mean_low=effects["hidden"].low, total_effect=effects["hidden"].total_effect,
        mean_secs_per_fact=sum(r["secs"] for r in recs) / len(recs),
        **peaks(effects),
        severed_max={k: dict(layer=int(v.argmax()), effect=float(v.max())) for k, v in mean.items()},
        severed_mean_over_layers={k: float(v.mean()) for k, v in mean.items()},
    )
    summary_path.write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "known_ids_correct"}, indent=1))


def peaks(effects: dict) -> dict:
    "Each kind's AIE peak overall and per bucket, as the summaries store them."
    from rome_nb.tracing import BUCKETS
    cell = lambda p: dict(zip(("bucket", "layer", "aie"), p))
    return dict(peaks={k: cell(a.peak()) for k, a in effects.items()},
                peaks_by_bucket={k: {BUCKETS[i]: cell(a.peak(i)) for i in range(6)} for k, a in effects.items()})


def approx_summary(args, base, recs, effects, known, nu):
    "The approximate run's summary: its AIE peaks, time per fact, and how its AIE grids differ from the exact run's on the same facts."
    from rome_nb.tracing import TraceResult, aggregate, KINDS
    exact_path = RESULTS / f"{base}_traces.jsonl"
    exact = {d["known_id"]: d for d in map(json.loads, exact_path.read_text().splitlines())} if exact_path.is_file() else {}
    both = [r for r in recs if r["known_id"] in exact]
    cmp = {}
    if both:
        for k in KINDS:
            a = aggregate([TraceResult.from_dict(r["traces"][k]) for r in both]).aie
            e = aggregate([TraceResult.from_dict(exact[r["known_id"]]["traces"][k]) for r in both]).aie
            cmp[k] = dict(max_abs_diff=float((a - e).abs().max()), peak_exact=float(e.max()),
                          same_peak=bool(int(a.argmax()) == int(e.argmax())))
    appr = [{k: r["traces"][k]["approx"] for k in KINDS} for r in recs]
    summary = dict(data=str(args.data), model=args.model, n_traced=len(recs), traced_ids=[r["known_id"] for r in recs],
                   max_tokens=args.max_tokens, subset_seed=args.seed, nu=nu, n_correct=len(known),
                   mean_secs_per_fact=sum(r["secs"] for r in recs) / len(recs),
                   **peaks(effects),
                   mean_rho={k: sum(a[k]["rho"] for a in appr) / len(appr) for k in KINDS},
                   mean_recall={k: sum(a[k]["recall"] for a in appr) / len(appr) for k in KINDS},
                   fell_back={k: sum(bool(a[k].get("fell_back")) for a in appr) for k in KINDS},
                   n_compared=len(both), vs_exact=cmp,
                   exact_mean_secs_per_fact=(sum(exact[r["known_id"]]["secs"] for r in both) / len(both)) if both else None)
    (RESULTS / f"{base}_approx_summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "traced_ids"}, indent=1))


if __name__ == "__main__":
    main()
