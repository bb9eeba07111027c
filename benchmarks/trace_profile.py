"""Where the time of an exact trace goes: a profile of `Tracer.trace_many` (three kinds, paper defaults) on the Eiffel
Tower prompt, and a work model of the replay against the paper's procedure.

1. cProfile of one fast trace: the share of wall time in the linear layers of the replayed blocks, the attention
   kernel, the final norm + unembedding with its log-sum-exp (the score needs the whole vocabulary), and the rest.
2. The work model, in multiply-accumulates: the reference runs, per cell, 1 + S rows through every block at every
   position and the unembedding at every position; the replay runs S rows through the blocks from the cell's first
   restored layer on, at its token and after (`cell_cost`), and the unembedding once per row. Their ratio bounds what
   restoring-from-the-corrupted-run can gain before batching effects; the replay's row sharing and one-position
   blocks make it a little better.

    python benchmarks/trace_profile.py --save experiments/results/tracing_profile.json
"""
import argparse, cProfile, json, pstats, time
from pathlib import Path

PROMPT, SUBJECT = "The Eiffel Tower is located in the city of", "The Eiffel Tower"


def shares(prof) -> dict:
    st = pstats.Stats(prof).stats
    tot = lambda pred: sum(v[2] for k, v in st.items() if pred(k))  # tottime of matching functions
    return dict(linear=tot(lambda k: k[2] == "<built-in method torch._C._nn.linear>"),
                attention=tot(lambda k: "scaled_dot_product_attention" in k[2]),
                logsumexp=tot(lambda k: "logsumexp" in k[2]),
                all=sum(v[2] for v in st.values()))


def work_model(tr, windows) -> dict:
    from rome_nb.tracing import KINDS, cell_cost
    lay, S = tr.layout, tr.samples
    d = lay.embed.weight.shape[1]
    block = sum(p.numel() for p in lay.blocks[0].parameters() if p.dim() == 2)   # MACs per token per block
    head = lay.head.weight.shape[0] * d                                           # MACs per scored position
    T, nL, n = tr.input_ids.shape[1], lay.n_layers, tr.n_prompt
    ref = fast = heads = 0
    for k in KINDS:
        for t in range(n):
            for l in range(nL):
                ref += (S + 1) * (T * nL * block + T * head)
                c = cell_cost(k, t, l, T, nL, windows[k], tr.span[0])
                fast += S * (c * block + (head if c else 0)); heads += S * head if c else 0
    return dict(block_macs_per_token=block, head_macs_per_position=head, reference_macs=ref, replay_macs=fast,
                model_ratio=ref / fast, head_share_reference=(3 * n * nL * (S + 1) * T * head) / ref, head_share_replay=heads / fast)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save", default=None)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model
    from rome_nb.tracing import KINDS, Tracer
    model, tok = load_model(a.model)
    tr = Tracer(model, tok, PROMPT, SUBJECT)
    windows = {"hidden": 1, "mlp": 10, "attn": 10}
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable(); tr.trace_many(KINDS, windows); prof.disable()
    secs = time.perf_counter() - t0
    sh = shares(prof)
    wm = work_model(tr, windows)
    res = dict(model=a.model, threads=a.threads, secs=secs, profile_secs=sh, **wm)
    print(f"fast trace {secs:.1f}s: linear layers {sh['linear'] / sh['all']:.0%}, attention kernel {sh['attention'] / sh['all']:.0%}, "
          f"log-sum-exp {sh['logsumexp'] / sh['all']:.0%} of profiled time")
    print(f"work model: reference {wm['reference_macs'] / 1e12:.2f} TMAC, replay {wm['replay_macs'] / 1e12:.2f} TMAC, "
          f"ratio {wm['model_ratio']:.2f}; the unembedding is {wm['head_share_reference']:.0%} of the reference's work, {wm['head_share_replay']:.0%} of the replay's")
    if a.save: Path(a.save).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
