"""Run every benchmark against PyTorch; write benchmarks/results/latest.md and latest.json.

Each benchmark script runs in a FRESH PROCESS for every repetition, so no run inherits
another's warm caches, memory or thread pools. At one thread the scripts time nbtorch and
PyTorch interleaved inside that process, so each ratio (nbtorch time / PyTorch time)
compares the same minute of a shared machine. At more threads each library runs in a
process of its own, the two one after the other (thread pools that spin while idle would
otherwise take each other's cores; see ``schedule``). The repetitions are interleaved across
the benchmarks. The table shows the median and the min-max over the repetitions, at each
thread count (``OMP_NUM_THREADS`` and friends in the child's environment, plus the
script's ``--threads``, which calls ``nbtorch.set_num_threads`` and
``torch.set_num_threads``).

Measured besides the scripts' own ratios, at the first thread count, one library per
process: ``import`` (time of ``import nbtorch``; Numba must not be imported),
``first_step`` (the first training step of a fresh process, Numba's cache warmed by one
untimed run) and ``peak_memory`` (of an mlp_epoch process).

    .venv/bin/python benchmarks/run.py                  # everything (7 min, quiet 2 cores)
    .venv/bin/python benchmarks/run.py --quick          # small sizes: a smoke test
    .venv/bin/python benchmarks/run.py --only matmul,import --repeats 3 --threads 1
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBSET = HERE.parent / "nbtorch" / "vision" / "data" / "MNIST" / "raw"  # 6,000 images
MARK = "@@result "  # a child's last line: MARK + its figures as JSON


@dataclass
class Benchmark:
    """One row kind of the table: a script in benchmarks/ and what it is judged against."""

    name: str
    unit: str
    target: float | None  # the most nbtorch/PyTorch may be (None: judged by ``limit``)
    quick: list[str]  # arguments added for --quick (small sizes)
    argv: list[str] = field(default_factory=list)  # arguments always given
    script: str = ""  # defaults to the name
    per_lib: bool = False  # one process per library (--lib), first thread count only
    warm: bool = False  # one untimed run per library first (warms Numba's cache)
    repeats: int | None = None  # fixed repetitions (None: --repeats)
    limit: float | None = None  # the most nbtorch's own figure may be
    target_text: str = ""

    def describe_target(self) -> str:
        return self.target_text or f"<= {self.target}"


BENCHMARKS = [
    Benchmark("mlp_epoch", "s", 0.9, quick=["--data", str(SUBSET)]),
    Benchmark("cnn_epoch", "s", 1.5, quick=["--data", str(SUBSET)]),
    Benchmark("matmul", "ms", 1.05, quick=["--size", "128", "--repeats", "3"]),
    Benchmark("conv2d", "ms", 2.0, quick=["--batch", "4", "--repeats", "3"]),
    Benchmark("softmax_ce", "ms", 1.2, quick=["--rows", "256", "--classes", "100",
                                              "--repeats", "3"]),
    Benchmark("overhead", "us/op", 2.0, quick=["--ops", "100", "--repeats", "3"]),
    Benchmark("import", "s", None, quick=[], script="import_time", per_lib=True, limit=0.5,
              target_text="<= 0.5 s, no Numba"),
    Benchmark("first_step_mlp", "s", None, quick=[], argv=["--model", "mlp"],
              script="first_step", per_lib=True, warm=True, limit=1.0,
              target_text="<= 1 s"),
    Benchmark("first_step_lenet", "s", None, quick=[], argv=["--model", "lenet"],
              script="first_step", per_lib=True, warm=True, limit=1.0,
              target_text="<= 1 s"),
    Benchmark("peak_memory", "MiB", 1.0, quick=["--data", str(SUBSET)], script="peak_memory",
              per_lib=True, repeats=1, target_text="<= PyTorch's"),
]


# -- the child: one benchmark script in a fresh process --------------------------------------


def child(script: str, argv: list[str]) -> None:
    """Run ``benchmarks/<script>.py``'s ``main(argv)``; print its figures on the last line."""
    sys.path.insert(0, str(HERE))
    spec = importlib.util.spec_from_file_location(script, HERE / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print(MARK + json.dumps(module.main(argv)), flush=True)


def run_child(bench: Benchmark, argv: list[str], threads: int, timeout: float) -> dict:
    """One fresh process; its figures, or ``{"error": ...}`` when it failed."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)  # read by each BLAS library (and PyTorch) when it loads
    cmd = [sys.executable, __file__, "--child", bench.script or bench.name, *argv,
           "--threads", str(threads)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                              cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith(MARK):
        tail = (proc.stderr.strip().splitlines() or lines or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}
    for line in lines[:-1]:
        print("   ", line, flush=True)
    return json.loads(lines[-1][len(MARK):])


# -- the parent: schedule, summarise, write ---------------------------------------------------


def seconds_of(value) -> float:
    """A script's figure for one library: a number, or (time, accuracy) for the epochs."""
    return value[0] if isinstance(value, list) else value


def spread(values: list[float]) -> dict | None:
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values)} if values else None


def summarise(bench: Benchmark, threads: int, runs: list[dict], have_torch: bool) -> dict:
    """One table row from the repetitions' figures."""
    ok = [r for r in runs if "error" not in r]
    row = {"benchmark": bench.name, "threads": threads, "unit": bench.unit,
           "target": bench.describe_target(), "runs": runs,
           "errors": [r["error"] for r in runs if "error" in r]}
    for lib in ("nbtorch", "pytorch"):
        row[lib] = spread([seconds_of(r[lib]) for r in ok if lib in r])
    both = [r for r in ok if "nbtorch" in r and "pytorch" in r]
    row["ratio"] = spread([seconds_of(r["nbtorch"]) / seconds_of(r["pytorch"]) for r in both])
    if row["nbtorch"] is None:
        row["met"] = None
    elif bench.limit is not None:
        row["met"] = row["nbtorch"]["median"] <= bench.limit and not any(
            r.get("numba_imported") for r in ok)
    else:
        row["met"] = row["ratio"]["median"] <= bench.target if row["ratio"] else None
    notes = []
    accuracies = {lib: r[lib][1] for r in ok for lib in ("nbtorch", "pytorch")
                  if isinstance(r.get(lib), list)}
    if accuracies:
        notes.append("test acc " + " / ".join(f"{a:.4f}" for a in accuracies.values()))
    if any("numba_imported" in r for r in ok):
        notes.append("numba imported" if any(r.get("numba_imported") for r in ok)
                     else "no numba")
    for lib in ("nbtorch", "pytorch"):
        grown = [r[f"{lib}_training"] for r in ok if f"{lib}_training" in r]
        if grown:
            notes.append(f"{lib} epoch +{statistics.median(grown):.0f} MiB")
    if not have_torch:
        notes.append("PyTorch not installed")
    row["notes"] = "; ".join(notes + row["errors"])
    return row


def schedule(benches: list[Benchmark], args, have_torch: bool) -> list[dict]:
    """Run every (benchmark, threads) pair ``repeats`` times, the repetitions interleaved.

    At one thread both libraries run in the same process, taking turns. At more threads each
    library has a process of its own: an idle thread pool does not always sleep (PyTorch's
    OpenMP threads, and BLAS's, spin for a while after their work, waiting for more), and in
    one process the library that runs second would find its cores taken by the other's
    spinning threads. The two processes of a repetition run one after the other, in turns
    (nbtorch first in odd repetitions, PyTorch first in even ones).
    """
    libs = ["nbtorch", "pytorch"] if have_torch else ["nbtorch"]
    timeout = 600 if args.quick else 3600
    jobs = []  # (benchmark, threads, extra argv): a process, or a group of one per library
    for bench in benches:
        argv = bench.argv + (bench.quick if args.quick else [])
        if bench.per_lib:
            jobs.append((bench, args.threads[0], [argv + ["--lib", lib] for lib in libs]))
            continue
        for t in args.threads:
            alone = t > 1 and len(libs) > 1
            jobs.append((bench, t, [argv + ["--lib", lib] for lib in libs] if alone else [argv]))
    for bench, threads, group in jobs:
        if bench.warm:
            for argv in group:
                print(f"warming {bench.name} {' '.join(argv)}", flush=True)
                run_child(bench, argv, threads, timeout)
    runs = {}  # (name, threads) -> one figure dict per repetition (libraries joined)
    for rep in range(args.repeats):
        for bench, threads, group in jobs:
            if rep >= (bench.repeats or args.repeats):
                continue
            joined = {}
            for argv in (group if rep % 2 == 0 else group[::-1]):
                print(f"[{rep + 1}/{args.repeats}] {bench.name}, {threads} thread(s) "
                      f"{' '.join(argv)}", flush=True)
                result = run_child(bench, argv, threads, timeout)
                if "error" in result:
                    print("    error:", result["error"], flush=True)
                    joined.setdefault("error", result["error"])
                joined.update({k: v for k, v in result.items() if k != "error"})
            runs.setdefault((bench.name, threads), []).append(joined)
    rows = []
    for bench in benches:
        for threads in args.threads:
            if (bench.name, threads) in runs:
                rows.append(summarise(bench, threads, runs[(bench.name, threads)], have_torch))
    return rows


def machine() -> dict:
    """What the figures were measured on (the CPU, its load, and the library versions)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    found = {}
    for name in ("numpy", "numba", "torch"):
        try:
            from importlib.metadata import version

            found[name] = version(name)
        except Exception:
            found[name] = None
    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                         text=True, cwd=HERE).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "system": f"{platform.system()} "
            f"{platform.release()}", "python": platform.python_version(), **found,
            "commit": git or None, "load_average_at_start": os.getloadavg()}


def fmt(stats: dict | None, digits: int) -> str:
    if stats is None:
        return "—"
    return (f"{stats['median']:.{digits}f} ({stats['min']:.{digits}f}–"
            f"{stats['max']:.{digits}f})")


def markdown(report: dict) -> str:
    """The table, under a line saying when, on what, and how loaded the machine was."""
    m = report["machine"]
    lines = [
        f"{report['date']}{', --quick (small sizes)' if report['quick'] else ''}: "
        f"{m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}, "
        f"numpy {m['numpy']}, numba {m['numba']}, PyTorch {m['torch'] or 'not installed'}, "
        f"nbtorch at {m['commit']}. "
        f"Median (min–max) of {report['repeats']} fresh processes per row; load average "
        f"{m['load_average_at_start'][0]:.1f} at the start, "
        f"{m['load_average_at_end'][0]:.1f} at the end.",
        "",
        "| benchmark | threads | nbtorch | PyTorch | ratio | target | met | notes |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for row in report["rows"]:
        digits = {"s": 3, "us/op": 2, "ms": 2, "MiB": 0}[row["unit"]]
        met = {True: "yes", False: "**no**", None: "—"}[row["met"]]
        lines.append(f"| {row['benchmark']} ({row['unit']}) | {row['threads']} | "
                     f"{fmt(row['nbtorch'], digits)} | {fmt(row['pytorch'], digits)} | "
                     f"{fmt(row['ratio'], 2)} | {row['target']} | {met} | {row['notes']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help="comma-separated names: " +
                   ", ".join(b.name for b in BENCHMARKS))
    p.add_argument("--repeats", type=int, default=5, help="fresh processes per row")
    p.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    p.add_argument("--out", type=Path, default=HERE / "results", help="folder for the results")
    args = p.parse_args(argv)
    args.threads = [int(t) for t in args.threads.split(",")]
    benches = BENCHMARKS
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {b.name for b in BENCHMARKS}
        if unknown:
            p.error(f"unknown benchmark(s) {sorted(unknown)}")
        benches = [b for b in BENCHMARKS if b.name in names]
    have_torch = importlib.util.find_spec("torch") is not None
    if not have_torch:
        print("PyTorch is not installed: nbtorch's figures only, no ratios.", flush=True)
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
              "quick": args.quick, "repeats": args.repeats, "threads": args.threads}
    report["rows"] = schedule(benches, args, have_torch)
    report["machine"]["load_average_at_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=1))
    table = markdown(report)
    (args.out / "latest.md").write_text(table)
    print(table)
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3:])
    else:
        main()
