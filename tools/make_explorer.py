"""Precompute the causal-trace images of the static trace explorer: `python tools/make_explorer.py [-n 12]`.

Takes the first `n` facts of the shipped known-facts set (`rome_nb/data/known_facts.json`) that the embedded model
answers correctly, traces each for the three kinds (hidden, mlp, attn) with the paper's defaults (10 noise
samples, nu = 3 sigma of the subjects' token embeddings, restore window 10 for mlp/attn) through
`rome_nb.tracing.trace_all`, and writes one PNG per (fact, kind) plus `facts.json` to `nbs/images/explorer/`.
The explorer page (nbs/10_explorer.ipynb) links a dropdown and toggle buttons to a Stack of these images with
`jslink`, so it works on the static site with no kernel. Single-threaded by default (`--threads`).
"""
from __future__ import annotations
import argparse, json, os, sys, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "nbs" / "images" / "explorer"
KINDS = ("hidden", "mlp", "attn")

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("-n", type=int, default=12, help="number of facts")
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model
    from rome_nb.tracing import load_known_facts, facts_known_by, trace_all, plot_trace
    model, tok = load_model()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    known = facts_known_by(model, tok, load_known_facts())
    seen, chosen = set(), []
    for f in known:  # one fact per subject, the order of the shipped file
        if f["subject"] in seen: continue
        seen.add(f["subject"]); chosen.append(f)
        if len(chosen) == a.n: break
    facts, t0 = [], time.time()
    meta_path = out / "facts.json"
    for n, f in enumerate(chosen):
        rs = trace_all(model, tok, f["prompt"], f["subject"], KINDS)
        files = {}
        for kind, r in rs.items():
            name = f"{n:02d}_{kind}.png"
            fig = plot_trace(r, model_name="SmolLM2-135M")
            fig.savefig(out / name, dpi=a.dpi, bbox_inches="tight")
            plt.close(fig)
            files[kind] = name
        r = rs["hidden"]
        facts.append(dict(prompt=f["prompt"], subject=f["subject"], attribute=f["attribute"], answer=r.answer,
                          high=r.high, low=r.low, files=files))
        meta = dict(model="smollm2-135m", tracer="rome_nb.tracing.trace_all", samples=r.settings["samples"],
                    noise=r.settings["noise"], windows={k: rs[k].window for k in KINDS}, facts=facts)
        meta_path.write_text(json.dumps(meta, indent=1))  # after every fact: a partial run is usable
        print(f"make_explorer: {n + 1}/{len(chosen)} {f['prompt']!r} -> {r.answer!r} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
    print(f"make_explorer: {len(facts)} facts x {len(KINDS)} kinds in {time.time() - t0:.0f}s -> {out}", file=sys.stderr)

if __name__ == "__main__": main()
