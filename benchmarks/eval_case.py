"""What the harder checks cost: one evaluated ROME case with the paper's metrics only, against the same case with
NS+/NM+, NKL/NKL+, free-generation ES/PS and the probe perplexity ratio.

    python benchmarks/eval_case.py [--data counterfact_reduced_train.json] [-n 6] [--threads 1] [--save FILE]

Both on the embedded model, the same cases, the same thread count, in this one process, alternating the two settings
case by case so that a change in machine load hits both alike. Key statistics are cached (one untimed edit first). The
time of a case is what `evaluate` records as `seconds.case` (edit + scoring + the extra checks + undo); the unedited
model's share (`seconds.pre`, computed once per record) is added to it. The last line reads
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
    secs = {k: [] for k in settings}
    with tempfile.TemporaryDirectory() as d:
        for i, c in enumerate(cases):
            for k, kw in (settings.items() if i % 2 == 0 else reversed(settings.items())):
                out = Path(d) / k
                evaluate(model, tok, "rome", [c], out=out, generation=False, progress=False, **kw)
                r = read_results(out / "rome.jsonl")[-1]
                secs[k].append(r["seconds"]["case"] + r["seconds"]["pre"])
                print(f"case {c.case_id} {k:6}: {secs[k][-1]:6.2f} s", flush=True)
    mean = {k: sum(v) / len(v) for k, v in secs.items()}
    res = dict(n=len(cases), threads=a.threads, seconds=secs, mean=mean, ratio=mean["harder"] / mean["plain"],
               load=os.getloadavg()[0])
    if a.save: Path(a.save).write_text(json.dumps(res, indent=1) + "\n")
    print(f"ratio={res['ratio']:.3f} plain={mean['plain']:.2f} harder={mean['harder']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
