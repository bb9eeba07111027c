"""Benchmark of a ROME edit on the embedded model (issue 6, item 8).

    python benchmarks/edit.py [--model smollm2-135m] [--layer L] [--stats-tokens 20000] [--threads N] [--repeats 1]

Prints
1. key-statistics throughput (keys per second, seconds per 100k keys) on the default corpus (the shipped text),
2. the time of one edit with cached statistics, split into templates / stats / keys / values / solve,
3. the value optimisation (`rome_nb.keys_values.compute_value`, which replays only what can change) against a
   reference loop written here that runs the full model on the whole batch every step, as the authors' code
   does: both times, their ratio, and the relative difference of the two v*; then the ratio of one full edit
   (templates, keys, values, solve), the parts other than the values counted at rome_nb's time for both,
4. peak memory (CPU resident set; GPU allocated, where there is one).
The last line reads `speedup=<ratio> reldiff=<relative difference of v*>`.

    python benchmarks/edit.py --work experiments/results/edit_work.json

counts instead (no timing) the FLOPs of the matrix products of the two value optimisations on the same request and
steps: the ratio the two would show at equal efficiency; its last line reads `work_ratio=<reference / replay>`.
"""
from __future__ import annotations
import argparse, os, resource, sys, time

import torch
import torch.nn.functional as F

from rome_nb.core import Hook, encode, get_layout, hooked, input_device, load_model, model_name as model_name_of
from rome_nb.key_stats import key_stats
from rome_nb.keys_values import Request, compute_value, context_templates, fill
from rome_nb.rome import EIFFEL, ROMEHparams, edit, hparams_for



def reference_value(model, tok, request, layer, templates, hp: ROMEHparams):
    """v* the straightforward way: every step runs the whole model on the whole right-padded batch (all positions,
    full-vocabulary logits everywhere), delta added to the MLP output at each row's subject token."""
    r = Request.of(request, tok)
    lay = get_layout(model)
    target = tok(r.target_new, add_special_tokens=False)["input_ids"]
    tpl = ["{}"] + [t for t in templates if t != "{}"]
    prompts = [fill(t, r.prompt, r.subject) for t in tpl]
    kl_prompt = r.subject + " is a"
    enc = encode(tok, prompts + [kl_prompt], [r.subject] * (len(prompts) + 1))
    rows = [tok(p)["input_ids"] + (target[:-1] if i < len(prompts) else []) for i, p in enumerate(prompts + [kl_prompt])]
    width = max(map(len, rows))
    ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, row in enumerate(rows): ids[i, :len(row)] = torch.tensor(row); mask[i, :len(row)] = 1
    look = [e - 1 for b, e in enc.spans]
    n = len(prompts)
    tgt_pos = torch.tensor([[len(tok(p)["input_ids"]) - 1 + j for j in range(len(target))] for p in prompts])
    dev = input_device(model)
    ids, mask = ids.to(dev), mask.to(dev)
    delta = torch.zeros(lay.weight(layer).shape[0], device=lay.mlp_out[layer].weight.device, requires_grad=True)
    opt = torch.optim.Adam([delta], lr=hp.v_lr)
    store = {}

    def add(t):
        t3 = t if t.dim() == 3 else t.view(ids.shape[0], -1, t.shape[-1])
        if "v0" not in store: store["v0"] = t3[0, look[0]].detach().float().clone()
        out = t3.clone()
        for i, l in enumerate(look): out[i, l] = out[i, l] + delta.to(t.dtype)
        return out.view(t.shape)

    init_kl = None
    for it in range(hp.v_num_grad_steps):
        with hooked(Hook(lay.mlp[layer], add)):
            logits = model(input_ids=ids, attention_mask=mask).logits
        logp = logits.float().log_softmax(-1)
        v0 = store["v0"]
        lp = logp[torch.arange(n)[:, None], tgt_pos, torch.tensor(target)[None, :]]
        nll = -lp.mean(1).mean()
        kl_lp = logp[n:, look[n]]
        if init_kl is None: init_kl = kl_lp.detach()
        kl = hp.kl_factor * F.kl_div(init_kl, kl_lp, log_target=True, reduction="batchmean")
        loss = nll + kl + hp.v_weight_decay * delta.norm() / v0.norm() ** 2
        if loss.item() < hp.early_stop or it == hp.v_num_grad_steps - 1: break
        opt.zero_grad(); loss.backward(); opt.step()
        with torch.no_grad():
            max_norm = hp.clamp_norm_factor * v0.norm()
            if delta.norm() > max_norm: delta.mul_(max_norm / delta.norm())
    return store["v0"] + delta.detach(), it + 1


def value_kwargs(hp: ROMEHparams) -> dict:
    "compute_value's settings from ROME's hyper-parameters (those the reference loop uses too)."
    return dict(steps=hp.v_num_grad_steps, lr=hp.v_lr, kl_factor=hp.kl_factor, weight_decay=hp.v_weight_decay,
                clamp_norm_factor=hp.clamp_norm_factor, early_stop=hp.early_stop)


def peak_memory() -> str:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    s = f"peak CPU resident memory {rss:,.0f} MiB"
    if torch.cuda.is_available(): s += f"; peak GPU memory allocated {torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB"
    return s


def matmul_gflop(fn):
    "`fn()` under torch's FlopCounterMode: (its result, GFLOP of its matrix products, GFLOP by op); attention on CPU is not counted."
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as fc: out = fn()
    ops = {str(k): v / 1e9 for k, v in fc.get_flop_counts()["Global"].items()}
    return out, fc.get_total_flops() / 1e9, ops


def count_work(model, tok, hp, templates, kw, save=None):
    """The FLOPs of the matrix products of the two value optimisations (same request, templates and steps), not their time:
    the ratio they would show at equal efficiency. Prints `work_ratio=<reference / replay>`."""
    (_, n_ref), g_ref, ops_ref = matmul_gflop(lambda: reference_value(model, tok, EIFFEL, hp.layer, templates, hp))
    val, g_fast, ops_fast = matmul_gflop(lambda: compute_value(model, tok, EIFFEL, hp.layer, templates, **kw))
    if n_ref != val.steps: raise SystemExit(f"the two optimisations took {n_ref} and {val.steps} steps: not comparable")
    out = dict(model=model_name_of(model), layer=hp.layer, steps=n_ref, gflop_reference=g_ref, gflop_replay=g_fast,
               ratio=g_ref / g_fast, ops_reference=ops_ref, ops_replay=ops_fast)
    print(f"matrix-product work over {n_ref} steps: reference {g_ref:,.0f} GFLOP, replay {g_fast:,.0f} GFLOP")
    print(f"work_ratio={g_ref / g_fast:.2f}")
    if save:
        import json, pathlib
        pathlib.Path(save).write_text(json.dumps(out, indent=1))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--layer", type=int, default=None, help="edit layer (default: the model's preset)")
    ap.add_argument("--stats-tokens", type=int, default=20_000, help="keys for the statistics timing and the edit's C")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    ap.add_argument("--repeats", type=int, default=1, help="time the value optimisations this many times each (best time counts)")
    ap.add_argument("--save", default=None, help="write the measurements as JSON here (the chapter reads experiments/results/edit_benchmark.json)")
    ap.add_argument("--work", default=None, metavar="JSON", help="only count the FLOPs of the matrix products of both value optimisations "
                    "(no timing) and write it here (the chapter reads experiments/results/edit_work.json)")
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    model, tok = load_model(a.model)
    hp = hparams_for(model)
    hp = hp.replace(layer=a.layer if a.layer is not None else hp.layer, mom2_n_tokens=a.stats_tokens)
    dev = input_device(model)
    print(f"model {a.model} on {dev}, layer {hp.layer}, torch threads {torch.get_num_threads()}")
    if a.work:
        templates = context_templates(model, tok, hp.context_template_length_params, hp.template_top_k, hp.template_seed)
        return count_work(model, tok, hp, templates, value_kwargs(hp), a.work)

    # 1. statistics throughput (a first cached call warms up; the second, uncached, times the key pass alone)
    key_stats(model, tok, hp.layer, n_tokens=a.stats_tokens, progress=False, cache=True)
    st = key_stats(model, tok, hp.layer, n_tokens=a.stats_tokens, progress=False, cache=False)
    print(f"statistics: {st.count:,} keys at layer {hp.layer} in {st.seconds:.2f}s = {st.keys_per_second:,.0f} keys/s "
          f"= {100_000 / st.keys_per_second:.1f} s per 100k keys")

    # 2. one edit with cached statistics (the first call fills the in-memory caches: templates, C)
    e = edit(model, tok, EIFFEL, hp, progress=False); e.undo()
    e = edit(model, tok, EIFFEL, hp, progress=False)
    t = e.timings
    print("edit with cached statistics: " + ", ".join(f"{k} {v:.2f}s" for k, v in t.items()) + f"; total {sum(t.values()):.2f}s")
    print(f"  p(' Rome') {e.before['target_new']:.4f} -> {e.after['target_new']:.4f}; "
          f"p(' Paris') {e.before['target_true']:.4f} -> {e.after['target_true']:.4f}; value steps {len(e.history)}")
    e.undo()

    # 3. value optimisation: replay vs full model each step (interleaved, best of `repeats`)
    templates = context_templates(model, tok, hp.context_template_length_params, hp.template_top_k, hp.template_seed)
    kw = value_kwargs(hp)
    fast_t, ref_t = [], []
    for _ in range(a.repeats):
        t0 = time.perf_counter(); ref, n_ref = reference_value(model, tok, EIFFEL, hp.layer, templates, hp); ref_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); val = compute_value(model, tok, EIFFEL, hp.layer, templates, **kw); fast_t.append(time.perf_counter() - t0)
    rel = ((val.v_star - ref.to(val.v_star.device)).norm() / ref.norm()).item()
    speedup = min(ref_t) / min(fast_t)
    print(f"value optimisation ({val.steps} forward passes each): reference (full model each step) {min(ref_t):.2f}s, "
          f"rome_nb {min(fast_t):.2f}s, ratio {speedup:.2f}x, relative difference of v* {rel:.1e}")
    fixed = sum(v for k, v in t.items() if k != "values")  # templates, statistics, keys, solve: counted the same for both
    full = (min(ref_t) + fixed) / (min(fast_t) + fixed)
    print(f"one full edit (templates, keys, values, solve; statistics cached; the parts other than the values at rome_nb's "
          f"{fixed:.2f}s for both): reference {min(ref_t) + fixed:.2f}s, rome_nb {min(fast_t) + fixed:.2f}s, ratio {full:.2f}x")
    print(peak_memory())
    print(f"speedup={speedup:.2f} reldiff={rel:.1e}")
    if a.save:
        import json, pathlib
        pathlib.Path(a.save).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(a.save).write_text(json.dumps(dict(
            model=a.model, layer=hp.layer, threads=torch.get_num_threads(), repeats=a.repeats, stats_keys=st.count,
            stats_seconds=st.seconds, keys_per_second=st.keys_per_second, edit_timings=t, edit_total=sum(t.values()),
            p_new=[e.before["target_new"], e.after["target_new"]], p_true=[e.before["target_true"], e.after["target_true"]],
            value_steps=len(e.history), reference_seconds=ref_t, fast_seconds=fast_t, speedup=speedup, reldiff=rel, full_edit_ratio=full,
            peak=peak_memory()), indent=1))


if __name__ == "__main__":
    main()
