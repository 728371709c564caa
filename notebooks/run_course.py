"""Run the whole course headless: every notebooks/NN_*.ipynb, in order.

    python notebooks/run_course.py              # all chapters (what `make course` does)
    python notebooks/run_course.py 03 04        # only the chapters whose names start so

Each notebook runs top to bottom in a fresh kernel of this Python (the
.venv's), with notebooks/ as its working folder, and offline. The executed
copies and an HTML page of each go to build/course/. Cells tagged
``nbval-skip`` are shown but not run (they need a network or a real GPU).
The exit status is 1 if any notebook failed.
"""

import argparse
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent


class ThisPython(KernelSpecManager):
    """Whatever kernel a notebook asks for, start this Python (the one running us)."""

    def get_kernel_spec(self, kernel_name):
        spec = ipykernel.kernelspec.get_kernel_dict()  # argv starts with sys.executable
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 1200) -> Exception | None:
    """Run every cell of ``nb`` in place, in a fresh kernel; return the error that stopped it.

    A cell tagged ``raises-exception`` may fail; any other error stops the run.
    ``timeout`` is per cell, in seconds.
    """
    client = NotebookClient(
        nb,
        km=KernelManager(kernel_spec_manager=ThisPython()),
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter
        timeout=timeout,
        skip_cells_with_tag="nbval-skip",
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except Exception as err:  # CellExecutionError, a dead kernel, a timeout
        return err
    return None


def course_notebooks(folder: Path, prefixes: list[str]) -> list[Path]:
    """The chapters NN_*.ipynb in ``folder``, in order; only those starting so if prefixes."""
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if not prefixes or p.name.startswith(tuple(prefixes))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only chapters whose names start so")
    parser.add_argument("--out", type=Path, default=HERE.parent / "build" / "course")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, even piped

    paths = course_notebooks(HERE, args.prefixes)
    if not paths:
        print(f"no notebooks NN_*.ipynb in {HERE} match {args.prefixes}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    html = HTMLExporter()
    rows = []
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {path.stem:<34}", end=" ")
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        error = execute(nb, HERE, args.timeout)
        seconds = time.perf_counter() - start
        cells = sum(1 for cell in nb.cells if cell.cell_type == "code")
        nbformat.write(nb, args.out / path.name)
        (args.out / f"{path.stem}.html").write_text(html.from_notebook_node(nb)[0], "utf-8")
        rows.append((path.stem, cells, seconds, "failed" if error else "ok"))
        print(f"{rows[-1][3]:<6} {seconds:6.1f} s")
        if error:
            print(error, file=sys.stderr)

    print(f"\n{'notebook':<34} {'cells':>5} {'seconds':>8}  result")
    for name, cells, seconds, result in rows:
        print(f"{name:<34} {cells:>5} {seconds:>8.1f}  {result}")
    failed = sum(result == "failed" for *_, result in rows)
    print(f"\n{len(rows) - failed} of {len(rows)} notebooks ok; executed copies and HTML "
          f"in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
