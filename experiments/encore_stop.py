"""Experiment: ROME with ENCORE's early stopping (arXiv 2502.01636) on the first CounterFact cases, beside plain ROME.

`ROMEHparams(early_stop_top=True)` also stops the value optimisation once target_new is the most probable token at
each of its positions under every template. The paper's criterion alone (loss < 0.05) is kept too.

1. `evaluate("rome", hparams={"early_stop_top": True})` on the first `--n` cases (same cases, settings and metrics as
   `experiments/results/eval_counterfact/rome.jsonl`, the plain-ROME rows this compares with).
2. For edit time under the same load, plain ROME is run again on every `--every`-th case, interleaved chunk by chunk with
   the early-stopped run (results to `eval_encore/plain/`).
3. Prints ES/PS/NS/S of both on the same cases and the edit-time ratio; writes `eval_encore/summary.json`.

    python experiments/encore_stop.py --counterfact ../shared/data/counterfact/counterfact_reduced_train.json -n 100
"""
import argparse, json, time
from pathlib import Path

RES = Path("experiments/results")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counterfact", required=True, type=Path)
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--every", type=int, default=5, help="plain ROME re-timed on every k-th case")
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model, read_jsonl
    from rome_nb.evaluation import evaluate, load_cases, summarize
    model, tok = load_model("smollm2-135m")
    cases = load_cases(a.counterfact)[:a.n]
    out, plain_out = RES / "eval_encore", RES / "eval_encore" / "plain"
    kw = dict(generation=False, harder=False, free_generation=False, progress=False)
    timed = cases[::a.every]
    for k in range(a.chunk, a.n + a.chunk, a.chunk):   # interleaved: both runs see the same load
        evaluate(model, tok, "rome", cases, n=min(k, a.n), out=out, hparams={"early_stop_top": True}, **kw)
        evaluate(model, tok, "rome", timed, n=min(len(timed), -(-k // a.every)), out=plain_out, **kw)
        print(f"{min(k, a.n)} cases", flush=True)
    enc = read_jsonl(out / "rome.jsonl")
    base = {r["case_id"]: r for r in read_jsonl(RES / "eval_counterfact" / "rome.jsonl")}
    ids = [r["case_id"] for r in enc]
    missing = [i for i in ids if i not in base]
    if missing: raise SystemExit(f"plain-ROME rows missing for cases {missing[:5]}: run experiments/compare_editors.py first")
    s_enc = summarize(enc)
    s_base = summarize([base[i] for i in ids])
    re_t = {r["case_id"]: r["seconds"]["edit"] for r in read_jsonl(plain_out / "rome.jsonl")}
    en_t = {r["case_id"]: r["seconds"]["edit"] for r in enc}
    both = [i for i in re_t if i in en_t]
    ratio = sum(re_t[i] for i in both) / sum(en_t[i] for i in both)
    summary = dict(n=len(enc), timed=len(both), plain_edit_secs=sum(re_t[i] for i in both) / len(both),
                   encore_edit_secs=sum(en_t[i] for i in both) / len(both), time_ratio=ratio,
                   encore=s_enc[('post', 'mean')].to_dict(), plain=s_base[('post', 'mean')].to_dict())
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=float))
    print("after the edit, x100 (ENCORE stop | plain):", ", ".join(f"{k} {summary['encore'][k]:.1f} | {summary['plain'][k]:.1f}" for k in ("ES", "PS", "NS", "S")))
    print(f"edit time, {len(both)} cases under the same load: plain {summary['plain_edit_secs']:.1f}s, "
          f"ENCORE stop {summary['encore_edit_secs']:.1f}s, ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
