"""Keep each chapter's two files in step.

NN_topic.py (jupytext py:percent) is the source you edit; NN_topic.ipynb is
the same cells with their outputs, committed so that nbval can compare a
fresh run against them.

    python notebooks/sync.py --execute 03_computational_graphs   # or 03, or all
    python notebooks/sync.py --check                             # what `make test` runs

--execute runs the .py top to bottom and writes both files (like
`jupytext --sync --execute` then `nbstripout --keep-output --keep-count`).
--check fails, naming the pair, when the two files hold different cells or
tags, when a code cell was not run (or not in order, or raised an error that
no ``raises-exception`` tag allows), or when nbstripout would change the .ipynb.
"""

import argparse
import os
import subprocess
import sys
from itertools import zip_longest
from pathlib import Path

import jupytext
import nbformat
from run_course import execute

HERE = Path(__file__).resolve().parent
PAIRING = "ipynb,py:percent"
NBSTRIPOUT = [sys.executable, "-m", "nbstripout", "--keep-output", "--keep-count"]


def chapter_names(folder: Path) -> list[str]:
    """The names NN_topic of every chapter that has a .py or an .ipynb file."""
    files = folder.glob("[0-9][0-9]_*")
    return sorted({p.stem for p in files if p.suffix in (".py", ".ipynb")})


def _cell_difference(a, b) -> str | None:
    """How cell ``a`` of the .py differs from cell ``b`` of the .ipynb, or None."""
    if a.cell_type != b.cell_type:
        return f"is {a.cell_type} in the .py, {b.cell_type} in the .ipynb"
    py_tags, ipynb_tags = a.metadata.get("tags", []), b.metadata.get("tags", [])
    if py_tags != ipynb_tags:
        return f"tags differ: .py has {py_tags}, .ipynb has {ipynb_tags}"
    py_lines, ipynb_lines = a.source.splitlines(), b.source.splitlines()
    for n, (x, y) in enumerate(zip_longest(py_lines, ipynb_lines, fillvalue=""), 1):
        if x != y:
            return f"source differs at line {n}: .py has {x!r:.70}, .ipynb has {y!r:.70}"
    if a.source != b.source:
        return "source differs in its trailing whitespace"
    return None


def _first_difference(py_cells: list, ipynb_cells: list) -> list[str]:
    """The first cell whose kind, tags or source differ between the two files, if any."""
    for i, (a, b) in enumerate(zip(py_cells, ipynb_cells)):
        difference = _cell_difference(a, b)
        if difference:
            return [f"cell {i} {difference}"]
    return []


def problems(folder: Path, name: str) -> list[str]:
    """Everything wrong with the pair ``name``.py / ``name``.ipynb (empty if nothing)."""
    py, ipynb = folder / f"{name}.py", folder / f"{name}.ipynb"
    missing = [p.name for p in (py, ipynb) if not p.exists()]
    if missing:
        return [f"{' and '.join(missing)} missing: run sync.py --execute {name}"]
    found = []
    source = jupytext.read(py).cells
    nb = nbformat.read(ipynb, as_version=4)
    if len(source) != len(nb.cells):
        found.append(f".py has {len(source)} cells, .ipynb has {len(nb.cells)}")
    found += _first_difference(source, nb.cells)
    run = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()
           and "nbval-skip" not in c.metadata.get("tags", [])]
    counts = [c.execution_count for c in run]
    if None in counts:
        found.append(f"code cell {nb.cells.index(run[counts.index(None)])} was not run")
    elif counts != sorted(set(counts)):
        found.append(f"cells were not run top to bottom (execution counts {counts})")
    for i, c in enumerate(nb.cells):
        errors = [o for o in c.get("outputs", []) if o.output_type == "error"]
        if errors and "raises-exception" not in c.metadata.get("tags", []):
            found.append(f"cell {i} raised {errors[0].ename} but has no raises-exception tag")
    return found


def unstripped(folder: Path) -> set[str]:
    """The names of the notebooks in ``folder`` that nbstripout would change (one run for all)."""
    paths = [str(p) for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]
    if not paths:
        return set()
    result = subprocess.run([*NBSTRIPOUT, "--verify", *paths], capture_output=True, text=True)
    marker = "would have stripped "
    names = {Path(line.split(marker)[1]).stem for line in result.stdout.splitlines()
             if marker in line}
    if result.returncode and not names:  # an nbstripout that words it differently
        raise RuntimeError(f"nbstripout --verify failed:\n{result.stdout}{result.stderr}")
    return names


def check(folder: Path) -> int:
    """Print one line per chapter pair; return 1 if any pair has a problem."""
    bad, to_strip = 0, unstripped(folder)
    for name in chapter_names(folder):
        found = problems(folder, name)
        if name in to_strip:
            found.append("not stripped: run nbstripout --keep-output --keep-count on it")
        bad += bool(found)
        print(f"{'FAIL' if found else 'ok  '} {name} (.py/.ipynb)")
        for problem in found:
            print(f"     {name}: {problem}")
    return 1 if bad else 0


def refresh(folder: Path, name: str) -> int:
    """Run ``name``.py and write it back with its outputs as ``name``.ipynb."""
    py = folder / f"{name}.py"
    nb = jupytext.read(py)
    nb.metadata["jupytext"] = {"formats": PAIRING}  # both files carry the pairing
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3 (ipykernel)",
                                          "language": "python", "name": "python3"})
    print(f"running {py.name}", flush=True)
    error = execute(nb, folder)
    if error:
        print(f"{name} failed, {name}.ipynb left as it was:\n{error}", file=sys.stderr)
        return 1
    jupytext.write(nb, py, fmt="py:percent")
    jupytext.write(nb, folder / f"{name}.ipynb")
    return subprocess.run([*NBSTRIPOUT, str(folder / f"{name}.ipynb")]).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="check every pair")
    action.add_argument("--execute", metavar="NAME", help="refresh a pair (NN_topic, NN or all)")
    parser.add_argument("--dir", type=Path, default=HERE, help="the notebooks folder")
    args = parser.parse_args()

    if args.check:
        return check(args.dir)
    # Stored outputs are what `make test` sees: CUDA kernels on Numba's simulator.
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    names = [n for n in chapter_names(args.dir) if (args.dir / f"{n}.py").exists()]
    if args.execute != "all":
        stem = Path(args.execute).stem
        names = [n for n in names if n == stem] or [n for n in names if n.startswith(stem)]
        if len(names) != 1:
            print(f"--execute {args.execute}: matches {names or 'no .py'}", file=sys.stderr)
            return 1
    return max((refresh(args.dir, name) for name in names), default=0)


if __name__ == "__main__":
    sys.exit(main())
