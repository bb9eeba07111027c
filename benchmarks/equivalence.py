"""Behaviour snapshot: the numbers a refactoring must not change, written to a folder and compared between two folders.

    python benchmarks/equivalence.py --out snap_before [--data counterfact.json] [-n 20]   # take a snapshot
    python benchmarks/equivalence.py --compare snap_before snap_after                       # largest differences
    python benchmarks/equivalence.py --out snap --parts edit                                  # only some parts (trace,edit,eval)

A snapshot holds, on the embedded model with the paper's defaults:
1. the causal-trace grids of the Eiffel Tower prompt, all three kinds (seed 0, 10 samples, ν = 3σ);
2. the ROME edit of the Eiffel Tower to Rome at the preset layer: u, Λ, k*, v* and ΔW = Λuᵀ;
3. an evaluation of the first `n` cases of a CounterFact file with each of none / FT / FT-L / ROME (per-case rows).

`--compare` prints the largest absolute and relative difference of every tensor and every per-case metric, and
exits non-zero if a relative difference exceeds `--rtol` (default 1e-6) or a metric differs by more than `--atol`.
Single-threaded, so that both snapshots compute in the same order.
"""
from __future__ import annotations
import argparse, json, math, sys, time
from pathlib import Path

PROMPT, SUBJECT = "The Eiffel Tower is located in the city of", "The Eiffel Tower"
REQUEST = {"prompt": "{} is located in the city of", "subject": "The Eiffel Tower", "target_new": "Rome", "target_true": "Paris"}
METHODS = ("none", "ft", "ft-l", "rome")


def snapshot(out: Path, data, n: int, parts=("trace", "edit", "eval")):
    import torch
    from safetensors.torch import save_file
    torch.set_num_threads(1)
    from rome_nb.core import load_model
    from rome_nb.tracing import trace_all
    from rome_nb.rome import edit
    model, tok = load_model()
    out.mkdir(parents=True, exist_ok=True)
    if "trace" in parts:
        t0 = time.time()
        res = trace_all(model, tok, PROMPT, SUBJECT)
        save_file({k: r.scores.contiguous() for k, r in res.items()}, str(out / "trace.safetensors"),
                  metadata={k: json.dumps([r.low, r.high]) for k, r in res.items()})
        print(f"trace: {time.time() - t0:.0f}s", flush=True)
    if "edit" in parts:
        t0 = time.time()
        e = edit(model, tok, REQUEST, progress=False)
        save_file({"u": e.u, "lam": e.lam, "k_star": e.k_star, "v_star": e.v_star, "delta": e.delta()}, str(out / "edit.safetensors"))
        e.undo()
        print(f"edit: {time.time() - t0:.0f}s", flush=True)
    if "eval" not in parts: return
    from rome_nb.evaluation import evaluate, load_cases
    cases = load_cases(data)[:n]
    for m in METHODS:
        t0 = time.time()
        evaluate(model, tok, m, cases, out=out / "eval", progress=False)
        print(f"eval {m}: {time.time() - t0:.0f}s", flush=True)


def _rows(path: Path) -> dict:
    rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    return {str(r["case_id"]): r for r in rows}


def compare(a: Path, b: Path, rtol: float, atol: float) -> int:
    from safetensors.torch import load_file
    bad = 0
    for name in ("trace", "edit"):
        if not ((a / f"{name}.safetensors").exists() and (b / f"{name}.safetensors").exists()): continue
        ta, tb = load_file(str(a / f"{name}.safetensors")), load_file(str(b / f"{name}.safetensors"))
        for k in ta:
            x, y = ta[k].double(), tb[k].double()
            ok = ~(x.isnan() & y.isnan())
            d = float((x - y)[ok].abs().max()) if ok.any() else 0.0
            rel = d / max(float(x[ok].abs().max()), 1e-30)
            bad += rel > rtol
            print(f"{name}.{k:8} max |Δ| {d:.2e}  relative {rel:.2e}{'  <-- exceeds rtol' if rel > rtol else ''}")
    for m in METHODS if (a / "eval").exists() and (b / "eval").exists() else ():
        ra, rb = _rows(a / "eval" / f"{m}.jsonl"), _rows(b / "eval" / f"{m}.jsonl")
        if set(ra) != set(rb): print(f"eval {m}: different cases {sorted(set(ra) ^ set(rb))}"); bad += 1; continue
        worst = 0.0
        for cid in ra:
            for when in ("pre", "post"):
                for k, v in ra[cid][when]["metrics"].items():
                    w = rb[cid][when]["metrics"].get(k)
                    if w is None or (isinstance(v, float) and math.isnan(v) and math.isnan(w)): continue
                    worst = max(worst, abs(v - w))
        bad += worst > atol
        print(f"eval {m:5} {len(ra)} cases: max |Δ metric| {worst:.2e}{'  <-- exceeds atol' if worst > atol else ''}")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--data", help="a CounterFact file (either schema) for the evaluation part")
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    ap.add_argument("--parts", default="trace,edit,eval", help="what to snapshot (comma-separated)")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-6)
    a = ap.parse_args()
    if a.compare: sys.exit(compare(*a.compare, a.rtol, a.atol))
    if a.out is None: ap.error("give --out DIR or --compare A B")
    snapshot(a.out, a.data, a.n, tuple(a.parts.split(",")))


if __name__ == "__main__":
    main()
