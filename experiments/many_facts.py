"""Editing many facts on the embedded model: the layer/lambda sweep, the batch comparison, and sequential editing.

Every sub-command is resumable (rows already written are kept; a sequential run re-applies its saved updates) and
writes under experiments/results/many_facts/ (the JSONL rows are committed; the updates' factors go to the cache).

    python experiments/many_facts.py sweep --data counterfact_reduced_train.json -n 30 --ranges 2-6,0-4,4-8 --lams 1000,5000,15000
    python experiments/many_facts.py batch --data counterfact_reduced_train.json -n 200 --methods memit,emmet,alphaedit,rome \
        --probe ME-PPL_1k.json
    python experiments/many_facts.py sequential --data counterfact_reduced_train.json -n 1000 --method alphaedit --batch-size 10 \
        --every 50 --probe ME-PPL_1k.json
    python experiments/many_facts.py summary          # tables (JSON) and figures from whatever rows exist

Cases: the first `n` records of a CounterFact file (any schema `rome_nb.evaluation.load_cases` reads). Scores:
CounterFact's ES / PS / NS (teacher-forced, `rome_nb.evaluation.case_metrics`) and S, their harmonic mean; perplexity
on a probe (a JSON list of {"Text": ...}; default: the shipped probe) as a ratio to the unedited model's.
"""
from __future__ import annotations
import argparse, json, math, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "experiments" / "results" / "many_facts"


def _setup(a):
    import torch
    torch.set_num_threads(a.threads)
    from rome_nb.core import load_model
    return load_model()


def _cases(a, skip: int = 0):
    from rome_nb.evaluation import load_cases
    cases = load_cases(a.data)
    if len(cases) < skip + a.n: print(f"only {len(cases)} cases in {a.data}", file=sys.stderr)
    return cases[skip:skip + a.n]


def _probe(a):
    from rome_nb.core import load_probe
    texts = load_probe(a.probe) if a.probe else load_probe()
    return texts[:a.probe_n] if a.probe_n else texts


def _scores(model, tok, cases) -> dict:
    "Mean ES, PS, NS (percent) over `cases` on the current model, and S."
    from rome_nb.evaluation import case_metrics, harmonic_mean, score_cases
    ms = [case_metrics(c, s) for c, s in zip(cases, score_cases(model, tok, cases))]
    out = {k: 100 * sum(m[k] for m in ms) / len(ms) for k in ("ES", "PS", "NS")}
    out["S"] = harmonic_mean([out["ES"], out["PS"], out["NS"]])
    return out


def _rows(path: Path) -> list:
    from rome_nb.core import read_jsonl
    return read_jsonl(path)


def _parse_range(s: str) -> tuple:
    lo, hi = (int(x) for x in s.split("-"))
    return tuple(range(lo, hi + 1))


def _target_key(hp) -> tuple:
    "What a batch edit's targets depend on: methods with the same key can share them (MEMIT and AlphaEdit do)."
    return (hp.site, hp.layers[-1], hp.v_num_grad_steps, hp.v_lr, hp.kl_factor, hp.v_weight_decay, hp.clamp_norm_factor,
            hp.early_stop, hp.fact_token, hp.context_template_length_params, hp.template_seed, hp.template_text)


def sweep(a):
    "MEMIT's layer range and lambda on `n` cases at once: targets optimised once per top layer, every lambda solved from them."
    from rome_nb.core import append_jsonl, perplexity
    from rome_nb.many_facts import batch_edit, batch_hparams_for
    model, tok = _setup(a)
    cases, probe = _cases(a), _probe(a)
    out = RES / "sweep.jsonl"
    done = {(tuple(r["layers"]), r["lam"]) for r in _rows(out) if r.get("layers")}
    if not _rows(out): append_jsonl(out, dict(layers=None, n=len(cases), ppl=perplexity(model, tok, probe), **_scores(model, tok, cases)))
    ppl0 = _rows(out)[0]["ppl"]
    reqs = [c.request for c in cases]
    targets = {}
    for rng in [_parse_range(s) for s in a.ranges.split(",")]:
        for lam in [float(x) for x in a.lams.split(",")]:
            if (rng, lam) in done: continue
            hp = batch_hparams_for(model, "memit").replace(layers=rng, mom2_update_weight=lam, mom2_n_tokens=a.stats_tokens)
            t = time.time()
            e = batch_edit(model, tok, reqs, "memit", hp, targets=targets.get(rng[-1]), progress=True)
            targets.setdefault(rng[-1], e.targets)
            row = dict(layers=list(rng), lam=lam, n=len(cases), seconds=time.time() - t, **_scores(model, tok, cases))
            row["ppl_ratio"] = perplexity(model, tok, probe) / ppl0
            row["update_norm"] = max(e.update_norms().values())
            e.undo()
            append_jsonl(out, row)
            print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}), flush=True)


def batch(a):
    "All `n` cases at once with each batch method (and through sequential ROME): scores, perplexity ratio, wall time."
    from rome_nb.core import append_jsonl, perplexity
    from rome_nb.many_facts import Monitor, batch_edit, batch_hparams_for, sequential_edit
    model, tok = _setup(a)
    cases, probe = _cases(a), _probe(a)
    out = RES / f"batch_{a.n}.jsonl"
    rows = _rows(out)
    if not rows:
        append_jsonl(out, dict(method="none", n=len(cases), ppl=perplexity(model, tok, probe), ppl_ratio=1.0, seconds=0.0,
                               **_scores(model, tok, cases)))
        rows = _rows(out)
    ppl0, done = rows[0]["ppl"], {r["method"] for r in rows}
    reqs, targets = [c.request for c in cases], {}
    for m in a.methods.split(","):
        if m in done: continue
        hp = batch_hparams_for(model, m).replace(mom2_n_tokens=a.stats_tokens)
        key = _target_key(hp)
        t = time.time()
        if m == "rome":   # one after another: resumable through the sequential run's own folder
            run = sequential_edit(model, tok, reqs, "rome", 1, hp, monitor=Monitor(every=10 ** 9, retention=False, prompts=()),
                                  out=RES / f"batch_{a.n}_rome_run", progress=True)
            secs = sum(r.get("seconds", 0) for r in run.rows)
        else:
            reused = key in targets   # the same targets as a previous method's (MEMIT's for AlphaEdit): count their cost once more
            e = batch_edit(model, tok, reqs, m, hp, targets=targets[key][0] if reused else None, progress=True)
            secs = time.time() - t + (targets[key][1] if reused else 0.0)
            if not reused: targets[key] = (e.targets, e.timings["targets"])
        row = dict(method=m, n=len(cases), seconds=secs, **_scores(model, tok, cases))
        row["ppl"] = perplexity(model, tok, probe); row["ppl_ratio"] = row["ppl"] / ppl0
        (run if m == "rome" else e).undo()
        append_jsonl(out, row)
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}), flush=True)


def sequential(a):
    "`n` edits in batches, one after another, with the collapse monitor and windowed ES/PS/NS on the latest edits."
    from rome_nb.many_facts import Alarm, Monitor, batch_hparams_for, sequential_edit
    model, tok = _setup(a)
    cases, probe = _cases(a), _probe(a)
    pool = [c.request for c in _cases(argparse.Namespace(**{**vars(a), "n": a.pool}), skip=a.n)]  # unrelated: after the edited ones
    by_text = {c.request.text: c for c in cases}

    def windowed(model, tok, edited):
        window = [by_text[r.text] for r in edited[-a.every:]]
        return {f"w{k}": v for k, v in _scores(model, tok, window).items()}

    hp = batch_hparams_for(model, a.method).replace(mom2_n_tokens=a.stats_tokens,
                                                     **({"key_convention": a.key_convention} if a.method == "rome" else {}))
    name = a.name or f"{a.method}{'_' + a.key_convention if a.method == 'rome' else ''}_b{a.batch_size}"
    mon = Monitor(every=a.every, probe=probe, pool=pool, extra=windowed)
    alarm = Alarm(max_ppl_ratio=a.stop_ppl_ratio) if a.stop_ppl_ratio else None   # past collapse, more edits tell little
    run = sequential_edit(model, tok, [c.request for c in cases], a.method, a.batch_size, hp, monitor=mon, alarm=alarm,
                          out=RES / f"seq_{name}", progress=True)
    print(f"{name}: {run.rows[-1]['edits']} edits, stopped: {run.stopped}", flush=True)


def summary(a):
    "Tables (JSON) and figures from the rows that exist."
    from rome_nb.many_facts import collapse_point, plot_sequential
    runs = {p.name[4:]: _rows(p / "rows.jsonl") for p in sorted(RES.glob("seq_*")) if (p / "rows.jsonl").exists()}
    runs = {k: v for k, v in runs.items() if len(v) > 1}
    if runs:
        stand_in = RES / "batch_200_rome_run" / "rows.jsonl"   # the batch table's sequential ROME, until the real run exists
        extra = {"rome_consistent_b1 (batch table)": _rows(stand_in)} if stand_in.exists() and "rome_consistent_b1" not in runs else {}
        plot_sequential({**runs, **extra},
                        path=ROOT / "nbs" / "images" / "sequential_editing.png")
        measured = {k: [r for r in v[1:] if r.get("ppl_ratio") is not None] or v[:1] for k, v in runs.items()}   # behaviour rows
        info = {k: dict(edits=v[-1]["edits"], collapse=collapse_point(v), measured_at=measured[k][-1]["edits"],
                        last={x: measured[k][-1].get(x) for x in ("ppl_ratio", "retention", "ns", "gen_entropy", "wES", "wPS", "wNS")},
                        seconds=sum(r.get("seconds", 0) for r in v[1:])) for k, v in runs.items()}
        (RES / "sequential_summary.json").write_text(json.dumps(info, indent=1))
        print(json.dumps(info, indent=1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, fn in (("sweep", sweep), ("batch", batch), ("sequential", sequential), ("summary", summary)):
        s = sub.add_parser(name); s.set_defaults(fn=fn)
        if name == "summary": continue
        s.add_argument("--data", required=True, help="a CounterFact file (e.g. ../shared/data/counterfact/counterfact_reduced_train.json)")
        s.add_argument("-n", type=int, default=200)
        s.add_argument("--probe", default=None, help="perplexity probe (JSON list of {'Text': ...}); default: the shipped probe")
        s.add_argument("--probe-n", type=int, default=None, help="use only the first sentences of the probe")
        s.add_argument("--stats-tokens", type=int, default=None, help="keys for C per layer (default: key_stats' default)")
        s.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", 2)))
    sub.choices["sweep"].add_argument("--ranges", default="2-6,0-4,4-8")
    sub.choices["sweep"].add_argument("--lams", default="1000,5000,15000")
    sub.choices["batch"].add_argument("--methods", default="memit,emmet,alphaedit,rome")
    s = sub.choices["sequential"]
    s.add_argument("--method", default="alphaedit"); s.add_argument("--batch-size", type=int, default=10)
    s.add_argument("--every", type=int, default=50); s.add_argument("--pool", type=int, default=50)
    s.add_argument("--key-convention", default="consistent", choices=("consistent", "released"))
    s.add_argument("--name", default=None)
    s.add_argument("--stop-ppl-ratio", type=float, default=None,
                   help="stop once the probe perplexity exceeds this multiple of the unedited model's (default: never)")
    a = p.parse_args(argv)
    RES.mkdir(parents=True, exist_ok=True)
    a.fn(a)


if __name__ == "__main__":
    main()
