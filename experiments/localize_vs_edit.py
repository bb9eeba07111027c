"""Experiment: does the causal-tracing effect at a layer predict how well an edit there works? (Hase et al. 2023)

On the embedded SmolLM2-135M: the first `-n` CounterFact records (from `--data`, reduced or official schema) whose
true object the model's greedy completion starts with are traced once (MLP window 5 and hidden, fractional effect of
the true object) and edited at each layer of `--layers` with each editor (ROME, FT) for each problem (Error Injection,
Fact Forcing), the model restored after every edit. One JSON line per (fact, layer, editor, problem) goes to
`--out/rows.jsonl`; re-running resumes (use a larger `-n` or `--start` to extend, in chunks). Then the summary (over the facts the noise
corrupts, see `traceable`): the R² table beside the paper's, and the figures (copied to `nbs/images/loc_*.png`).

Settings of the recorded run (chosen for 2 shared CPU cores, see the chapter): ROME with 3 context templates
(2 sampled of ~5 tokens plus the bare prompt; ROME's default is 21) and key statistics from 20,000 tokens
(as the ROME chapter's layer sweep), otherwise its SmolLM2 preset; FT on the edit layer's MLP output weights
(lr 5e-3, at most 25 steps, L-inf bound 5e-3); 2 noise draws for the edits and their scores (Fact Forcing), 10 for
tracing; ν = 3σ from the tracing chapter; edit layers 0, 4, ..., 28 plus 6 (the peak of the mean MLP tracing effect
at the last subject token over the traced facts).

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 nice -n 10 python experiments/localize_vs_edit.py -n 104 --layers 0-28:4,6 --no-peak
    python experiments/localize_vs_edit.py --summary-only

Another model: `--model gemma3-270m` (its run goes to `loc_run_gemma3-270m/`, its figures to `nbs/images/loc_gemma3-270m_*`;
ROME uses that model's preset with the same light settings).
"""
import argparse, json, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _models import DEFAULT_MODEL, stem

RESULTS = Path("experiments/results")
ROME_LIGHT = {"context_template_length_params": [[5, 2]], "mom2_n_tokens": 20_000}


def merge_run(src: Path, dst: Path):
    "Append `src`'s facts, traces, rows and invocations to `dst` (same model and settings; no fact in both)."
    from rome_nb.core import append_jsonl, read_jsonl
    keep = ("model", "layers", "noise", "noise_samples", "trace_samples", "seed", "editors", "problems", "editor_hparams")
    a, b = (json.loads((d / "config.json").read_text()) for d in (dst, src))
    differ = [k for k in keep if a.get(k) != b.get(k)]
    if differ: sys.exit(f"{src} and {dst} ran with different settings: {differ}")
    both = {r["case_id"] for r in read_jsonl(dst / "rows.jsonl")} & {r["case_id"] for r in read_jsonl(src / "rows.jsonl")}
    if both: sys.exit(f"{src} and {dst} both hold rows of facts {sorted(both)}")
    checked = {r["case_id"] for r in read_jsonl(dst / "facts.jsonl")}   # a record both checked keeps one verdict
    for name in ("facts.jsonl", "traces.jsonl", "rows.jsonl", "invocations.jsonl"):
        new = [r for r in read_jsonl(src / name) if name != "facts.jsonl" or r["case_id"] not in checked]
        append_jsonl(dst / name, new)
        print(f"{name}: {len(new)} lines appended from {src}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL, help="a model load_model knows")
    ap.add_argument("--data", help="a CounterFact file, either schema (see experiments/results/README.md); not for --summary-only")
    ap.add_argument("-n", type=int, default=100, help="correctly predicted records to use")
    ap.add_argument("--start", type=int, default=0, help="first record to consider")
    ap.add_argument("--layers", default="0-28:4", help="edit layers, e.g. '0-28:4' (the tracing peak is added by default)")
    ap.add_argument("--no-peak", action="store_true", help="do not add the layer where the mean MLP tracing effect peaks")
    ap.add_argument("--editors", default="rome,ft")
    ap.add_argument("--problems", default="error-injection,fact-forcing")
    ap.add_argument("--noise-samples", type=int, default=2)
    ap.add_argument("--trace-samples", type=int, default=10)
    ap.add_argument("--full-rome", action="store_true", help="ROME with its 20 default context templates")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None, help="the run's folder (default: experiments/results/loc_run, + _MODEL for another model)")
    ap.add_argument("--images", default="nbs/images")
    ap.add_argument("--summary-only", action="store_true")
    ap.add_argument("--merge-from", default=None, help="append another run folder of the same settings (run at the same time "
                    "from another --start) to --out, refusing facts both hold; then summarise")
    args = ap.parse_args()
    if args.merge_from: args.summary_only = True
    if not args.summary_only and not args.data: ap.error("--data is required (unless --summary-only or --merge-from)")
    args.out = args.out or str(RESULTS / stem(args.model, "loc_run"))
    prefix = stem(args.model, "loc") + "_"   # the default model's figures keep their names
    torch.set_num_threads(args.threads)
    import matplotlib
    matplotlib.use("Agg")
    from rome_nb.localization import localize_vs_edit_command, summarize_localization, parse_layers

    if not args.summary_only:
        hp = {} if args.full_rome else {"rome": ROME_LIGHT}
        hp = {k: v for k, v in hp.items() if k in args.editors.split(",")}
        t0 = time.time()
        localize_vs_edit_command(args.data, n=args.n, layers=args.layers, editors=args.editors, problems=args.problems,
                                 out=args.out, start=args.start, noise_samples=args.noise_samples,
                                 trace_samples=args.trace_samples, add_peak=not args.no_peak, hparams=hp,
                                 images=None, model_name=args.model, prefix=prefix)
        wall = time.time() - t0
        print(f"wall time of this invocation: {wall:.0f} s")
        with open(Path(args.out) / "invocations.jsonl", "a") as f:
            f.write(json.dumps({"argv": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0)),
                                "wall_s": round(wall, 1)}) + "\n")
    if args.merge_from: merge_run(Path(args.merge_from), Path(args.out))
    s = summarize_localization(args.out, images=args.images, prefix=prefix)
    print(s.table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(json.dumps(s.timing, indent=1))


if __name__ == "__main__":
    main()
