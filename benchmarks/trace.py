"""Benchmark: causal tracing of the Eiffel Tower prompt on the embedded model, all three kinds, paper defaults
(10 noise samples, ν = 3σ, window 10 for MLP/attention), with rome_nb's tracer and with a straightforward reference.

The reference is the paper's procedure, the tracing chapter's `Tracer(method="reference")`: for every restored cell,
one forward pass of 1 clean + 10 corrupted rows; hooks add the noise to the subject's token embeddings of rows 1..10
and copy the restored state from row 0 into rows 1..10; the score is the answer's softmax probability at the last
position, averaged over rows 1..10. Both use the same noise draws, so the grids must agree to float precision.

    python benchmarks/trace.py                 # full run: both paths, all cells (the reference takes a while)
    python benchmarks/trace.py --ref-cells 60  # time the reference on 60 random cells and extrapolate

This machine's two cores are shared, so by default each path runs on one thread (two threads under contention make
both paths several times slower) and the runs are interleaved: `--rounds` times a full fast trace followed by a
1/rounds share of the reference's cells; the fast time is the mean of its runs, the reference's the sum of its parts.
Each run is its own subprocess so that its peak memory (max RSS; on CUDA, peak allocated) is its own.
Prints both wall times, the ratio, the largest absolute difference between the grids and peak memory; the last
line is `speedup=<ratio> maxdiff=<largest |Δ|>`.
"""
import argparse, json, os, random, resource, subprocess, sys, time
from pathlib import Path

PROMPT, SUBJECT = "The Eiffel Tower is located in the city of", "The Eiffel Tower"
KINDS = ("hidden", "mlp", "attn")


def _setup(args):
    import torch
    torch.set_num_threads(args.threads)
    from rome_nb.core import load_model
    from rome_nb.tracing import noise_scale
    model, tok = load_model(args.model)
    return torch, model, tok, noise_scale(model, tok)


def _peak():
    import torch
    if torch.cuda.is_available(): return torch.cuda.max_memory_allocated() / 2**20, "MiB CUDA allocated"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB max RSS"


def run_fast(args):
    torch, model, tok, nu = _setup(args)
    from rome_nb.tracing import Tracer
    t0, c0 = time.perf_counter(), time.process_time()
    tr = Tracer(model, tok, PROMPT, SUBJECT, samples=args.samples, noise=nu, seed=args.seed)
    res = tr.trace_many(KINDS, {"mlp": args.window, "attn": args.window})
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak, unit = _peak()
    return dict(secs=secs, cpu=cpu, peak=peak, unit=unit, nu=nu, low=tr.low, high=tr.high, answer=tr.answer,
                grids={k: r.scores.tolist() for k, r in res.items()})


def run_reference(args):
    torch, model, tok, nu = _setup(args)
    from rome_nb.tracing import Tracer, kind_cells
    t0, c0 = time.perf_counter(), time.process_time()
    tr = Tracer(model, tok, PROMPT, SUBJECT, samples=args.samples, noise=nu, seed=args.seed, method="reference")
    T, nL = tr.n_prompt, tr.layout.n_layers
    cells = [(k, t, l) for k in KINDS for t in range(T) for l in range(nL)]
    if args.ref_cells: cells = random.Random(0).sample(cells, args.ref_cells)
    cells = cells[args._part::args.rounds]  # this process's share of the cells (interleaved with the fast runs)
    patches = [kind_cells(k, [t], nL, 1 if k == "hidden" else args.window)[l] for k, t, l in cells]
    scores = tr.scores(patches)  # the paper's procedure: one forward pass of 1 clean + S corrupted rows per cell
    out = [(k, t, l, float(v)) for (k, t, l), v in zip(cells, scores)]
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak, unit = _peak()
    return dict(secs=secs, cpu=cpu, peak=peak, unit=unit, cells=out, n_cells_total=len(KINDS) * T * nL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads per path (1: the machine's 2 cores are shared)")
    ap.add_argument("--ref-cells", type=int, default=0, help="time the reference on this many random cells and extrapolate (0: all)")
    ap.add_argument("--rounds", type=int, default=3, help="interleave: fast run, 1/rounds of the reference, fast run, ...")
    ap.add_argument("--save", default=None, help="write the measurements as JSON here")
    ap.add_argument("--_child", choices=["fast", "reference"], help=argparse.SUPPRESS)
    ap.add_argument("--_part", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        res = run_fast(args) if args._child == "fast" else run_reference(args)
        print("RESULT " + json.dumps(res)); return

    def child(which, part=0):
        cmd = [sys.executable, __file__, "--_child", which, "--_part", str(part)] + [a for a in sys.argv[1:]]
        env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        line = [l for l in p.stdout.splitlines() if l.startswith("RESULT ")]
        if p.returncode or not line: sys.exit(f"{which} run failed:\n{p.stderr[-3000:]}")
        return json.loads(line[0][7:])

    print(f"Causal tracing benchmark: {PROMPT!r}, subject {SUBJECT!r}, model {args.model}, kinds {', '.join(KINDS)}, "
          f"{args.samples} samples, window {args.window}, {args.threads} thread(s); {args.rounds} rounds, each: one full "
          f"fast trace, then 1/{args.rounds} of the reference's cells (the machine is shared: interleaving exposes both "
          f"to the same load)")
    fasts, refs = [], []
    for r in range(args.rounds):
        fasts.append(child("fast"))
        refs.append(child("reference", r))
        print(f"  round {r + 1}: fast {fasts[-1]['secs']:.1f}s wall / {fasts[-1]['cpu']:.1f}s CPU; reference part "
              f"{len(refs[-1]['cells'])} cells {refs[-1]['secs']:.1f}s wall / {refs[-1]['cpu']:.1f}s CPU", flush=True)
    fast = fasts[0]
    f_secs = sum(f["secs"] for f in fasts) / len(fasts)
    f_cpu = sum(f["cpu"] for f in fasts) / len(fasts)
    f_peak = max(f["peak"] for f in fasts)
    cells = [c for r in refs for c in r["cells"]]
    n, total = len(cells), refs[0]["n_cells_total"]
    ref_secs = sum(r["secs"] for r in refs) * total / n
    ref_cpu = sum(r["cpu"] for r in refs) * total / n
    ref_peak = max(r["peak"] for r in refs)
    how = "" if n == total else f" (measured on {n} of {total} cells, extrapolated)"
    print(f"rome_nb tracer (mean of {len(fasts)} runs): {f_secs:.1f}s wall, {f_cpu:.1f}s CPU, peak memory {f_peak:.0f} {fast['unit']} "
          f"(answer {fast['answer']!r}, clean p={fast['high']:.4f}, corrupted p={fast['low']:.4f}, ν={fast['nu']:.4f})")
    print(f"reference (1 + {args.samples} rows per cell, one forward pass per cell, {total} cells): {ref_secs:.1f}s wall, "
          f"{ref_cpu:.1f}s CPU{how}, peak memory {ref_peak:.0f} {refs[0]['unit']}")
    maxdiff = max(max(abs(f["grids"][k][t][l] - v) for k, t, l, v in cells) for f in fasts)
    speedup = ref_secs / f_secs
    print(f"speedup {speedup:.2f}x wall ({ref_cpu / f_cpu:.2f}x CPU time); max |Δ| between the grids over {n} cells: {maxdiff:.2e}")
    if args.save:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save).write_text(json.dumps(dict(prompt=PROMPT, subject=SUBJECT, model=args.model, samples=args.samples,
            window=args.window, threads=args.threads, rounds=args.rounds, fast_secs=f_secs, reference_secs=ref_secs,
            fast_cpu_secs=f_cpu, reference_cpu_secs=ref_cpu, fast_runs_secs=[f["secs"] for f in fasts],
            reference_cells_measured=n, reference_cells_total=total, speedup=speedup, speedup_cpu=ref_cpu / f_cpu, maxdiff=maxdiff,
            fast_peak_mib=f_peak, reference_peak_mib=ref_peak, memory_unit=fast["unit"],
            high=fast["high"], low=fast["low"], nu=fast["nu"]), indent=1))
    print(f"speedup={speedup:.2f} maxdiff={maxdiff:.2e}")


if __name__ == "__main__":
    main()
