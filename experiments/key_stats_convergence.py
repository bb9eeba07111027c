"""How many keys, and which text, does ROME's second moment C = E[k k^T] need?

ROME's update W + Lambda u^T with u = C^-1 k* minimises the expected disturbance of the outputs of ordinary keys,
E[(u^T k)^2] / (u^T k*)^2 = u^T C u / (u^T k*)^2, and the minimum is reached at u = C^-1 k* for the *true* C.
With C estimated from n keys, u_n = C_n^-1 k* is suboptimal. This script measures, for the subject keys k* of
`--n-facts` known facts (key at the subject's last token of the bare prompt, at `--layer`):

- the **excess disturbance** of u_n: its disturbance under a reference C (from `--ref-tokens` keys of real
  Wikipedia text) divided by the optimum's; 1 is optimal, and C = I (u = k*) is the no-statistics baseline;
- the cosine similarity between u_n and the reference direction;

for the first n keys of real Wikipedia text and of rome_nb's own shipped text (the default corpus), with the
raw estimate (as the authors use it) and with Ledoit-Wolf shrinkage towards mu*I.

The keys for every n come from ONE pass over each corpus (snapshots of the running sums at each n), in exactly
the order `rome_nb.key_stats.key_stats` uses them; the script checks one snapshot against `key_stats` itself.
Snapshots are cached under `cache_dir()/experiments/`.

    python experiments/key_stats_convergence.py            # ~20-30 min on 2 CPU cores (cached: ~1 min)
    python experiments/key_stats_convergence.py --plot-only
"""
from __future__ import annotations
import argparse, json, os, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch
from tqdm.auto import tqdm
from safetensors.torch import load_file, save_file

from rome_nb.core import cache_dir, get_layout, load_model, subject_span, recording
from rome_nb.key_stats import (KeyStats, LocalText, key_fingerprint, key_stats, keys_at, open_corpus, _sha)
from rome_nb.core import pad_rows

ROOT = Path(__file__).resolve().parent.parent


def snapshots(model, tok, layer, corpus, ns, seq_len, truncate, batch_docs=8, desc=""):
    "{n: (C_n float64, E|k|^4 over the first n keys)} for each n in `ns`, from one pass over `corpus`."
    ns = sorted(ns)
    ident, docs = open_corpus(corpus, model, tok, ns[-1], seq_len, truncate)
    saved = cache_dir() / "experiments" / f"key_stats_snapshots-{_sha(ident, layer, ns, seq_len, key_fingerprint(model, layer))[:16]}.safetensors"
    if saved.is_file():
        got = load_file(str(saved))
        return {int(n): (C, float(got.get(f"{n}.norm4", torch.tensor(float("nan"))))) for n, C in got.items() if "." not in n}
    d = get_layout(model).weight(layer).shape[1]
    total, norm4 = torch.zeros(d, d, dtype=torch.float64), 0.0
    count, out, todo = 0, {}, list(ns)
    pbar = tqdm(total=ns[-1], desc=desc, unit="key")
    def flush(batch):
        nonlocal total, norm4, count
        ids, mask = pad_rows(batch, tok.pad_token_id, "right")
        k = keys_at(model, layer, ids, mask)[mask.bool()].float()  # doc order, then position: the library's order
        while k.shape[0]:
            take = min(k.shape[0], todo[0] - count)
            part, k = k[:take], k[take:]
            total += (part.T @ part).double(); norm4 += float((part * part).sum(-1).double().pow(2).sum())
            count += take; pbar.update(take)
            if count == todo[0]:
                out[todo.pop(0)] = (total / count, norm4 / count)
                if not todo: return True
        return False
    batch = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == batch_docs:
            if flush(batch): break
            batch = []
    else:
        if batch: flush(batch)
    pbar.close()
    if todo:
        print(f"  {desc}: corpus ran out at {count} keys; no snapshot for {todo}")
        if count: out[count] = (total / count, norm4 / count)
    saved.parent.mkdir(parents=True, exist_ok=True)
    tensors = {str(n): C.contiguous() for n, (C, _) in out.items()}
    tensors |= {f"{n}.norm4": torch.tensor(q, dtype=torch.float64) for n, (_, q) in out.items()}
    save_file(tensors, str(saved))
    return out


def fact_keys(model, tok, layer, facts):
    ks = []
    for f in facts:
        b, e = subject_span(tok, f["prompt"], f["subject"])
        with recording({"k": get_layout(model).mlp_out[layer]}, on="input") as got, torch.no_grad():
            model(**tok(f["prompt"], return_tensors="pt"))
        ks.append(got["k"][0, e - 1].double())
    return torch.stack(ks)  # [n_facts, d]


def metrics(C, K, C_ref):
    "Per fact: excess disturbance under C_ref of u = C^-1 k (u = k for C None), and cos(u, C_ref^-1 k)."
    U = torch.linalg.solve(C, K.T).T if C is not None else K
    U_ref = torch.linalg.solve(C_ref, K.T).T
    dist = torch.einsum("fi,ij,fj->f", U, C_ref, U) / (U * K).sum(1) ** 2
    opt = 1 / (K * U_ref).sum(1)
    return dist / opt, torch.nn.functional.cosine_similarity(U, U_ref, dim=1)


def summary(C, K, C_ref, **extra):
    ex, cos = metrics(C, K, C_ref)
    return dict(excess=float(ex.mean()), excess_max=float(ex.max()), cos=float(cos.mean()), cos_min=float(cos.min()), **extra)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--layer", type=int, default=5)
    p.add_argument("--wiki", required=True, help="Wikipedia articles as JSON lines {title, text} (see experiments/results/README.md)")
    p.add_argument("--facts", required=True, help="the authors' known_1000.json")
    p.add_argument("--n-facts", type=int, default=50)
    p.add_argument("--ns", default="2000,5000,10000,20000,50000,100000")
    p.add_argument("--ref-tokens", type=int, default=300_000)
    p.add_argument("--out", default=str(ROOT / "experiments/results/key_stats_convergence.json"))
    p.add_argument("--fig", default=str(ROOT / "nbs/images/key_stats_convergence.png"))
    p.add_argument("--plot-only", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if not a.plot_only: run(a)
    plot(json.loads(Path(a.out).read_text()), a.fig)


def run(a):
    model, tok = load_model()
    seq_len = 1024
    facts = json.loads(Path(a.facts).read_text())[: a.n_facts]
    K = fact_keys(model, tok, a.layer, facts)
    ns = [int(x) for x in a.ns.split(",")]
    t0 = time.time()
    wiki = LocalText((a.wiki,))
    # the reference: the first ref_tokens Wikipedia keys (pieces of 1024 tokens, all of each article)
    ref = snapshots(model, tok, a.layer, wiki, ns + [a.ref_tokens], seq_len, truncate=False, desc="wikipedia (reference)")
    ref_n = max(ref)
    C_ref = ref[ref_n][0]
    # the one-pass snapshots are the library's statistics: check one against key_stats itself
    check_n = ns[0]
    lib = key_stats(model, tok, a.layer, wiki, n_tokens=check_n, seq_len=seq_len, truncate=False, cache=False, progress=False)
    rel = float((lib.mom2.double() - ref[check_n][0]).norm() / ref[check_n][0].norm())
    print(f"snapshot vs key_stats at n={check_n}: relative difference {rel:.1e}")
    assert rel < 1e-5, rel
    corpora = {"Wikipedia": snapshots(model, tok, a.layer, wiki, ns, seq_len, truncate=False, desc="wikipedia"),
               "rome_nb's own text": snapshots(model, tok, a.layer, None, ns, seq_len, truncate=True, desc="own text")}
    res = dict(layer=a.layer, n_facts=len(facts), reference=f"{ref_n:,} Wikipedia keys", seq_len=seq_len,
               identity=summary(None, K, C_ref), check=dict(n=check_n, rel_diff=rel), corpora={})
    for name, sn in corpora.items():
        rows = res["corpora"][name] = {}
        for n, (C, q) in sorted(sn.items()):
            st = KeyStats(C.float(), n, a.layer, {}, None, False, 0.0, 0.0, q)
            alpha = st.ledoit_wolf()
            rows[str(n)] = dict(raw=summary(C, K, C_ref), ledoit_wolf=summary(st.shrunk(alpha).double(), K, C_ref, alpha=alpha))
    res["seconds"] = round(time.time() - t0)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


def plot(res, fig_path):
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    colors = {"Wikipedia": "C0", "rome_nb's own text": "C1"}
    for ax, metric, label in [(axes[0], "excess", "excess disturbance of ordinary keys\n(1 = optimal; lower is better)"),
                              (axes[1], "cos", r"cos($u_n$, $u_{ref}$)")]:
        for name, rows in res["corpora"].items():
            ns = sorted(int(n) for n in rows)
            for kind, ls, mk in [("raw", "-", "o"), ("ledoit_wolf", ":", "s")]:
                ax.plot(ns, [rows[str(n)][kind][metric] for n in ns], ls=ls, marker=mk, color=colors.get(name),
                        label=f"{name}, {'C as the authors use it' if kind == 'raw' else 'Ledoit-Wolf shrinkage'}")
        ax.axhline(res["identity"][metric], color="gray", ls="--", label="no statistics (C = I)")
        ax.set_xscale("log"); ax.set_xlabel("keys n used to estimate C"); ax.set_ylabel(label); ax.grid(alpha=0.3)
    axes[0].set_yscale("log")
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter
    axes[0].yaxis.set_major_locator(FixedLocator([1, 1.25, 1.5, 2, 3, 5, 8]))
    axes[0].yaxis.set_minor_locator(NullLocator())
    axes[0].yaxis.set_major_formatter(ScalarFormatter())
    axes[1].set_ylim(0, 1.02)
    axes[1].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"SmolLM2-135M, layer {res['layer']}: ROME's direction u = C⁻¹k* for {res['n_facts']} subject keys, "
                 f"against the reference from {res['reference']}", fontsize=9)
    fig.tight_layout()
    Path(fig_path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(fig_path, dpi=120)
    print("wrote", fig_path)


if __name__ == "__main__":
    main()
