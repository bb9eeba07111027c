"""The tracing chapter's Eiffel Tower figures: the three heatmaps (hidden, MLP, attention; paper defaults) and the
severed-path curves at the token that carries the subject, plus a JSON summary the chapter reads.

    HF_HUB_OFFLINE=1 nice -n 10 python experiments/tracing_eiffel.py      # ~3-4 min on one CPU thread
"""
import argparse, json, time
from pathlib import Path

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--severed-token", type=int, default=2, help="token position for the severed paths (2: 'iffel')")
    ap.add_argument("--images", default="nbs/images")
    ap.add_argument("--out", default="experiments/results/tracing_eiffel.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rome_nb.core import load_model
    from rome_nb.tracing import Tracer, KINDS, plot_traces, severed_paths, severed_curves, plot_severed

    model, tok = load_model(args.model)
    prompt, subject = "The Eiffel Tower is located in the city of", "The Eiffel Tower"
    t0 = time.time()
    tracer = Tracer(model, tok, prompt, subject, expect="Paris")
    res = tracer.trace_many(KINDS)
    secs = time.time() - t0
    images = Path(args.images)
    for ext in ("png", "svg"): plot_traces(res, images / f"tracing_eiffel.{ext}", model_name="SmolLM2-135M")
    plt.close("all")
    t1 = time.time()
    sev = severed_paths(model, tok, prompt, subject, token=args.severed_token, tracer=tracer)
    curves = severed_curves(sev)
    sev_secs = time.time() - t1
    tokname = tracer.tokens[args.severed_token]
    plot_severed(curves, title=f"The Eiffel Tower: restoring {tokname!r}, with later MLP or Attn severed",
                 path=images / "tracing_eiffel_severed.png")
    plt.close("all")
    out = dict(prompt=prompt, subject=subject, model=args.model, answer=tracer.answer, high=tracer.high, low=tracer.low,
               nu=tracer.noise, secs_three_kinds=secs,
               tokens=list(tracer.tokens), subject_range=list(tracer.span),
               traces={k: r.to_dict() for k, r in res.items()},
               argmax={k: dict(token=r.argmax()[0], layer=r.argmax()[1], score=float(r.scores[r.argmax()])) for k, r in res.items()},
               severed_token=args.severed_token, severed_secs=sev_secs,
               severed={k: [float(x) for x in c] for k, c in curves.items()})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"three kinds in {secs:.0f}s, severed paths in {sev_secs:.0f}s")
    for k, a in out["argmax"].items(): print(f"{k:>6}: strongest token {a['token']} {tracer.tokens[a['token']]!r}, layer {a['layer']}, p={a['score']:.3f}")
    for k, c in curves.items(): print(f"{k:>8}: max IE {float(c.max()):.3f} at layer {int(c.argmax())}, mean over layers {float(c.mean()):.3f}")


if __name__ == "__main__":
    main()
