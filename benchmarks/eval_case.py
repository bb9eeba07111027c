"""What the harder checks cost: one evaluated ROME case with the paper's metrics only, against the same case with
NS+/NM+, NKL/NKL+, free-generation ES/PS and the probe perplexity ratio.

    python benchmarks/eval_case.py [--data counterfact_reduced_train.json] [-n 6] [--threads 1] [--save FILE]

Both on the embedded model, the same cases, the same thread count, in this one process, alternating the two settings
half by half so that a change in machine load hits both alike. Key statistics are cached (one untimed edit first). The
time of a case is what `evaluate` records as `seconds.case` (edit + scoring + the extra checks + undo) plus the unedited
model's share (`seconds.pre`, once per record); the once-per-run unedited perplexity is printed apart. The last line reads
`ratio=<harder / plain seconds per case> plain=<s> harder=<s>`; the issue's goal is ratio <= 1.5.
"""
from __future__ import annotations
import argparse, json, os, sys, tempfile, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=None, help="CounterFact file (default: the shipped counterfact_mini.json)")
    p.add_argument("-n", type=int, default=6)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--save", default=None, help="write the figures as JSON here")
    a = p.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model
    from rome_nb.evaluation import evaluate, load_cases, read_results, shipped_data
    from rome_nb.rome import edit
    model, tok = load_model()
    cases = load_cases(a.data or shipped_data("counterfact_mini.json"))[:a.n]
    edit(model, tok, cases[0].request).undo()   # statistics into the cache before any timing
    settings = {"plain": dict(harder=False, free_generation=False), "harder": dict(harder=True, free_generation=True)}
    half = (len(cases) + 1) // 2
    with tempfile.TemporaryDirectory() as d:
        # plain then harder on the first half, harder then plain on the rest (a load change hits both alike);
        # each setting is one resumed run, so its once-per-run work (the unedited perplexity) is counted once, apart
        for k, upto in (("plain", half), ("harder", half), ("harder", len(cases)), ("plain", len(cases))):
            evaluate(model, tok, "rome", cases[:upto], out=Path(d) / k, generation=False, progress=False, **settings[k])
        rows = {k: read_results(Path(d) / k / "rome.jsonl") for k in settings}
    secs = {k: [r["seconds"]["case"] + r["seconds"]["pre"] for r in rs] for k, rs in rows.items()}
    once = {k: max(r["seconds"].get("run", 0.0) for r in rs) for k, rs in rows.items()}
    for k in settings:
        print(f"{k:6}: " + " ".join(f"{x:.1f}" for x in secs[k]) + f" s per case; once per run {once[k]:.2f} s", flush=True)
    mean = {k: sum(v) / len(v) for k, v in secs.items()}
    res = dict(n=len(cases), threads=a.threads, seconds=secs, once_per_run=once, mean=mean, ratio=mean["harder"] / mean["plain"],
               load=os.getloadavg()[0])
    if a.save: Path(a.save).write_text(json.dumps(res, indent=1) + "\n")
    print(f"ratio={res['ratio']:.3f} plain={mean['plain']:.2f} harder={mean['harder']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
