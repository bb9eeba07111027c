"""ROME edit success and neighbourhood preservation vs. edit layer on CounterFact, for the embedded model.

Run (resumable: rows already in --out are skipped), then summarise into a CSV and a figure:

    python experiments/rome_layer_sweep.py run --data counterfact_reduced_train.json -n 50 --layers 0,2,4,6,8,10,12,16,20,24,28
    python experiments/rome_layer_sweep.py summary
    python experiments/rome_layer_sweep.py run --model gemma3-270m --data counterfact_reduced_train.json -n 50 --layers 4,6,2,8,12,0,16,10,14
    python experiments/rome_layer_sweep.py summary --model gemma3-270m   # rome_layer_sweep_gemma3-270m.{jsonl,csv,png}

Per CounterFact case (reduced schema: prompt, subject, target_new, ground_truth, rephrase_prompt, locality_prompt,
locality_ground_truth) and layer: apply the ROME edit (preset hyper-parameters, `layer` overridden), score, undo.
Scores as CounterFact's (Meng et al. 2022), from teacher-forced per-token mean NLLs:
efficacy ES = [NLL(new) < NLL(true)] on the edit prompt, paraphrase PS = the same on `rephrase_prompt`,
neighbourhood NS = [NLL(true) < NLL(new)] on `locality_prompt` (true = `locality_ground_truth`); layer -1 = unedited.
"""
from __future__ import annotations
import argparse, json, math, os, sys, time
from pathlib import Path

from _models import DEFAULT_MODEL, stem, title

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results"


def load_cases(path, n):
    recs = json.loads(Path(path).read_text())
    cases = [r for r in recs if r["subject"] in r["prompt"]][:n]
    if len(cases) < n: print(f"only {len(cases)} usable cases in {path}", file=sys.stderr)
    return cases


def score(model, tok, case):
    from rome_nb.core import score_targets
    new, true = " " + case["target_new"].strip(), " " + case["ground_truth"].strip()
    loc_true = " " + case["locality_ground_truth"].strip()
    prompts = [case["prompt"], case["prompt"], case["rephrase_prompt"], case["rephrase_prompt"],
               case["locality_prompt"], case["locality_prompt"]]
    targets = [new, true, new, true, new, loc_true]
    v = [s.nll for s in score_targets(model, tok, prompts, targets)]
    return dict(prompt_new=v[0], prompt_true=v[1], para_new=v[2], para_true=v[3], neigh_new=v[4], neigh_true=v[5],
                es=float(v[0] < v[1]), ps=float(v[2] < v[3]), ns=float(v[5] < v[4]))


def run(a):
    import torch
    from tqdm.auto import tqdm
    from rome_nb.core import load_model
    from rome_nb.rome import edit, hparams_for
    torch.set_num_threads(a.threads)
    model, tok = load_model(a.model)
    hp = hparams_for(model).replace(mom2_n_tokens=a.stats_tokens)
    cases = load_cases(a.data, a.n)
    layers = [int(x) for x in a.layers.split(",")]
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            if line.strip():
                r = json.loads(line); done.add((r["case_id"], r["layer"]))
    todo = [(l, c) for l in [-1] + layers for c in cases if (c["case_id"], l) not in done]
    print(f"{len(cases)} cases x {len(layers)} layers (+ unedited): {len(todo)} to do, {len(done)} done; stats {a.stats_tokens} tokens")
    with out.open("a") as f:
        for layer, case in tqdm(todo, desc="edits", smoothing=0.05):
            t0 = time.perf_counter()
            row = dict(case_id=case["case_id"], layer=layer)
            if layer < 0:
                row.update(score(model, tok, case))
            else:
                req = dict(prompt=case["prompt"], subject=case["subject"], target_new=case["target_new"],
                           target_true=case["ground_truth"])
                e = edit(model, tok, req, hp, layer=layer, progress=False)
                try:
                    row.update(score(model, tok, case), update_norm=e.update_norm, value_steps=len(e.history),
                               p_target_opt=e.history[-1]["p_target"], timings=e.timings)
                finally:
                    e.undo()
            row["seconds"] = time.perf_counter() - t0
            f.write(json.dumps(row) + "\n"); f.flush()


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    "95% Wilson score interval of a proportion k/n (stays inside [0, 1], sensible at 0% and 100%)."
    if n == 0: return float("nan"), float("nan")
    p = k / n; den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def summary(a):
    import pandas as pd
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    df = pd.read_json(a.out, lines=True)
    rows = []
    for layer, g in df.groupby("layer"):
        r = dict(layer=int(layer), n=len(g))
        for m in ("es", "ps", "ns"):
            lo, hi = wilson(g[m].sum(), len(g))
            r[m], r[m + "_lo"], r[m + "_hi"] = 100 * g[m].mean(), 100 * lo, 100 * hi
        hm = [r["es"], r["ps"], r["ns"]]
        r["score"] = 0.0 if min(hm) == 0 else 3 / sum(1 / x for x in hm)
        if layer >= 0: r["seconds"] = g.seconds.mean(); r["update_norm"] = g.update_norm.mean(); r["p_target_opt"] = g.p_target_opt.mean()
        rows.append(r)
    res = pd.DataFrame(rows).sort_values("layer")
    Path(a.csv).parent.mkdir(parents=True, exist_ok=True)
    res.to_csv(a.csv, index=False, float_format="%.2f")
    print(res.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    ed, base = res[res.layer >= 0], res[res.layer < 0]
    best = ed.loc[ed.score.idxmax()]
    print(f"best layer by score S = harmonic mean(ES, PS, NS): {int(best.layer)} "
          f"(S {best.score:.1f}, ES {best.es:.1f}, PS {best.ps:.1f}, NS {best.ns:.1f}, n={int(best.n)})")
    plt.rcParams.update({"font.size": 9})
    fig, ax = plt.subplots(figsize=(8, 3.8))
    metrics = (("es", "tab:blue", "o", "efficacy ES"), ("ps", "tab:orange", "s", "paraphrase PS"),
               ("ns", "tab:green", "^", "neighbourhood NS"))
    full = ed[ed.n == ed.n.max()]; part = ed[ed.n < ed.n.max()]   # layers with fewer cases: hollow, not joined
    for m, c, mk, name in metrics:
        ax.fill_between(full.layer, full[m + "_lo"], full[m + "_hi"], color=c, alpha=0.15, lw=0)
        ax.plot(full.layer, full[m], "-", marker=mk, ms=4, color=c, label=name)
        if len(part):
            dx = {"es": -0.3, "ps": 0.0, "ns": 0.3}[m]   # side by side, so the intervals stay readable
            ax.errorbar(part.layer + dx, part[m], yerr=[part[m] - part[m + "_lo"], part[m + "_hi"] - part[m]], fmt=mk,
                        ms=4, mfc="white", color=c, capsize=2, lw=0.8)
        if len(base): ax.axhline(float(base[m].iloc[0]), color=c, ls="--", lw=1)
    ax.plot([], [], "k--", lw=1, label="unedited model")
    if a.chosen is not None:
        ax.axvline(a.chosen, color="k", lw=1, ls=":")
        ax.annotate(f"preset: layer {a.chosen}", (a.chosen, 45), xytext=(4, 0), textcoords="offset points", fontsize=8)
    for _, r in part.iterrows():
        ax.annotate(f"n={int(r.n)}", (r.layer, min(r.es_lo, r.ps_lo, r.ns_lo)), xytext=(0, -10), textcoords="offset points",
                    ha="center", fontsize=7)
    ax.set_xlabel(f"edited layer $l^*$ ({title(a.model)} has {a.n_layers})" if a.n_layers else "edited layer $l^*$"); ax.set_ylabel("% of cases (mean, 95% Wilson CI)")
    ax.set_ylim(0, 103); ax.set_xticks(ed.layer)
    extra = "".join(f"; layer {int(r.layer)}: {int(r.n)} (hollow)" for _, r in part.iterrows())
    ax.set_title(f"ROME on {title(a.model)}: {int(ed.n.max())} CounterFact cases per layer{extra}", fontsize=9)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    Path(a.fig).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.fig, dpi=150)
    print(f"wrote {a.csv} and {a.fig}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run"); s = sub.add_parser("summary")
    r.add_argument("--data", required=True, help="CounterFact, reduced schema (see experiments/results/README.md)"); r.add_argument("-n", type=int, default=50)
    r.add_argument("--layers", default="0,2,4,6,8,10,12,16,20,24,28")
    r.add_argument("--stats-tokens", type=int, default=20_000)
    r.add_argument("--threads", type=int, default=1)
    for p in (r, s):
        p.add_argument("--model", default=DEFAULT_MODEL, help="an embedded model: smollm2-135m or gemma3-270m")
        p.add_argument("--out", default=None, help="rows (default: experiments/results/rome_layer_sweep[_MODEL].jsonl)")
    s.add_argument("--csv", default=None); s.add_argument("--fig", default=None)
    s.add_argument("--chosen", type=int, default=None, help="layer to mark as the preset's (default: the model's ROME preset, if it has one)")
    s.add_argument("--n-layers", type=int, default=None, help="the model's layer count, for the axis label (default: read from the loaded model)")
    a = ap.parse_args(argv)
    base = stem(a.model, "rome_layer_sweep")
    a.out = a.out or str(RESULTS / f"{base}.jsonl")
    if a.cmd == "summary":
        a.csv = a.csv or str(RESULTS / f"{base}.csv"); a.fig = a.fig or str(ROOT / "nbs" / "images" / f"{base}.png")
        from rome_nb.rome import PRESETS
        if a.chosen is None and a.model in PRESETS: a.chosen = PRESETS[a.model].layer   # mark the model's preset
        if a.n_layers is None:
            from rome_nb.core import get_layout, load_model
            a.n_layers = get_layout(load_model(a.model)[0]).n_layers
    run(a) if a.cmd == "run" else summary(a)


if __name__ == "__main__":
    main()
