"""Compare editing methods (ROME, FT, FT-L, unedited) on CounterFact and zsRE with the embedded model (or `--model`), on CPU.

Reproduces the comparison in nbs/07_evaluation.ipynb:

    python experiments/compare_editors.py                      # 200 CounterFact + 100 zsRE cases, all four methods
    python experiments/compare_editors.py --sweep-ftl           # FT-L's bound on 10 held-out CounterFact cases
    python experiments/compare_editors.py --model gemma3-270m --datasets counterfact   # files eval_counterfact_gemma3-270m*
    python experiments/compare_editors.py --harder --datasets counterfact --n-counterfact 500 --offset 2000 \
        --methods none,ft,ft-l,rome,memit,emmet,alphaedit --probe ../shared/data/probe/ME-PPL_1k.json --probe-n 30
                          # + NS+/NM+, NKL/NKL+, free-generation ES/PS, perplexity ratio: eval_counterfact_harder/

Per-case results go to experiments/results/eval_<dataset>/<method>.jsonl (an interrupted run resumes),
tables to experiments/results/eval_<dataset>.csv and .md, figures to nbs/images/eval_<dataset>.png. The table and figure
cover every method with results in that folder, on the cases all of them have, so two processes with different
--methods (one per core) can extend the same comparison side by side.
Pass the data files with --counterfact / --zsre (see experiments/results/README.md). Run from the repository root.
"""
import argparse, os, sys, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import torch

from rome_nb.core import load_model, load_probe
from rome_nb.evaluation import evaluate, load_cases, compare, format_comparison, format_summary, plot_comparison
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _models import DEFAULT_MODEL, stem, title as model_title

ROOT = Path(__file__).resolve().parent.parent


def run(model, tok, dataset: str, cases, methods, out: Path, n: int, hparams: dict, harder: dict | None = None,
        model_name: str = DEFAULT_MODEL):
    "Each method on the same `n` cases; `harder`: evaluate's harder-check settings (None: the paper's metrics only)."
    name = stem(model_name, f"eval_{dataset}" + ("_harder" if harder else ""))
    extra = harder or dict(harder=False, free_generation=False)
    for m in methods:
        t0 = time.time()
        s = evaluate(model, tok, m, cases, n=n, out=out / name, hparams=hparams.get(m), generation=False, **extra)
        print(format_summary(s), f"\n({time.time() - t0:.0f}s wall)\n", flush=True)
    # every method with results here, on the cases all of them have: runs of different methods in parallel write the same table
    present = list(methods) + sorted(p.stem for p in (out / name).glob("*.jsonl") if p.stem not in methods)
    table = compare(out / name, present)
    table.to_csv(out / f"{name}.csv")
    (out / f"{name}.md").write_text(format_comparison(table) + "\n")
    print(format_comparison(table), flush=True)
    shown = int(table[("n", "")].min())   # the cases every method has: fewer than n while some method is still behind
    title = {"counterfact": f"CounterFact (reduced), {shown} cases, {model_title(model_name)}",
             "zsre": f"zsRE, {shown} cases, {model_title(model_name)}"}[dataset]
    plot_comparison(table, title, ROOT / "nbs" / "images" / f"{name}.png")
    return table


def sweep_ftl(model, tok, cases, out: Path, scales=(3e-3, 1e-2, 3e-2, 1e-1, 3e-1)):
    "FT-L's relative bound on held-out cases (not among the comparison's first cases)."
    import pandas as pd
    rows = {}
    for sc in scales:
        s = evaluate(model, tok, "ft-l", cases, out=out / "eval_ftl_sweep" / f"eps_scale_{sc:g}", hparams={"eps_scale": sc},
                     generation=False)
        rows[sc] = {k: s.loc[k, ("post", "mean")] for k in ("S", "ES", "PS", "NS")}
        print(f"eps_scale {sc:g}:", {k: round(v, 1) for k, v in rows[sc].items()}, flush=True)
    s = evaluate(model, tok, "ft", cases, out=out / "eval_ftl_sweep" / "ft", generation=False)  # no bound, for reference
    rows[float("inf")] = {k: s.loc[k, ("post", "mean")] for k in ("S", "ES", "PS", "NS")}
    rows[0.0] = {k: s.loc[k, ("pre", "mean")] for k in ("S", "ES", "PS", "NS")}  # unedited
    df = pd.DataFrame(rows).T.rename_axis("eps_scale").sort_index()
    df.to_csv(out / "eval_ftl_sweep.csv")
    print(df.round(1))
    return df


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=DEFAULT_MODEL, help="a model load_model knows (file names carry it unless it is the default)")
    p.add_argument("--counterfact", type=Path, help="CounterFact file, either schema (see experiments/results/README.md)")
    p.add_argument("--zsre", type=Path, help="zsRE file in the authors' schema")
    p.add_argument("--n-counterfact", type=int, default=200)
    p.add_argument("--n-zsre", type=int, default=100)
    p.add_argument("--methods", default="none,ft,ft-l,rome")
    p.add_argument("--datasets", default="counterfact,zsre")
    p.add_argument("--out", default=ROOT / "experiments" / "results", type=Path)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sweep-ftl", action="store_true", help="only sweep FT-L's bound on held-out CounterFact cases (those after the first --n-counterfact)")
    p.add_argument("--n-sweep", type=int, default=10)
    p.add_argument("--offset", type=int, default=0, help="skip the first records (keep clear of those that chose hyper-parameters)")
    p.add_argument("--harder", action="store_true", help="add NS+/NM+, NKL/NKL+, free-generation ES/PS and the perplexity ratio")
    p.add_argument("--probe", default=None, help="perplexity probe, a JSON list of {'Text': ...} (default: the shipped probe)")
    p.add_argument("--probe-n", type=int, default=None, help="use only the first sentences of the probe")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, tok = load_model(a.model)
    a.out.mkdir(parents=True, exist_ok=True)
    if a.sweep_ftl:
        if a.model != DEFAULT_MODEL: p.error("--sweep-ftl writes the default model's files; run it without --model")
        sweep_ftl(model, tok, load_cases(a.counterfact)[a.n_counterfact:a.n_counterfact + a.n_sweep], a.out)
        return
    methods = a.methods.split(",")
    harder = dict(harder=True, free_generation=True, probe=load_probe(a.probe)[:a.probe_n]) if a.harder else None
    if "counterfact" in a.datasets:
        run(model, tok, "counterfact", load_cases(a.counterfact)[a.offset:], methods, a.out, a.n_counterfact, {}, harder, a.model)
    if "zsre" in a.datasets:
        run(model, tok, "zsre", load_cases(a.zsre)[a.offset:], methods, a.out, a.n_zsre, {}, harder, a.model)


if __name__ == "__main__":
    sys.exit(main())
