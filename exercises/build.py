"""Build the exercises: source notebooks from their jupytext sources, and ``release/``.

Each exercise is written as ``source/<name>/<name>.py`` (jupytext py:percent). Its cells are
marked with short keys that this script turns into nbgrader's cell metadata (schema 3)::

    # %% [markdown]                        locked text
    # %%                                   locked code (imports, given helpers, demos)
    # %% solution="sigmoid"                the student's answer: ### BEGIN/END SOLUTION inside
    # %% test="test_sigmoid" points=2      a graded test: visible part + ### BEGIN HIDDEN TESTS

    python exercises/build.py            # write source/*/*.ipynb and regenerate release/
    python exercises/build.py --check    # fail, naming the file, if either is out of date

``release/`` (what students get: solutions replaced by stubs, hidden tests removed) is made
by ``nbgrader generate_assignment`` in a temporary copy of the course, with a temporary
gradebook.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_MARKS = ("solution", "test", "points")


def exercise_names(course: Path = HERE) -> list[str]:
    """The exercises: every folder of ``source/`` that has a ``<name>.py``."""
    return sorted(p.parent.name for p in (course / "source").glob("*/*.py")
                  if p.stem == p.parent.name)


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _cell_metadata(cell, k: int, name: str) -> dict:
    """nbgrader metadata for cell number ``k`` from its marks; checks the marks are sound."""
    marks = cell.metadata
    source = cell.source
    where = f"{name}.py cell {k}"
    if "### BEGIN HIDDEN TESTS" in source and "test" not in marks:
        raise ValueError(f"{where}: hidden tests outside a test cell")
    if "solution" in marks:
        if "### BEGIN SOLUTION" not in source:
            raise ValueError(f"{where}: a solution cell without ### BEGIN SOLUTION")
        return _nbgrader(marks["solution"], solution=True, locked=False)
    if "### BEGIN SOLUTION" in source:
        raise ValueError(f"{where}: ### BEGIN SOLUTION in a cell not marked solution=...")
    if "test" in marks:
        points = marks.get("points")
        if not isinstance(points, (int, float)) or points <= 0:
            raise ValueError(f"{where}: test cell {marks['test']!r} needs points=N (N > 0)")
        return _nbgrader(marks["test"], grade=True, points=points)
    kind = "md" if cell.cell_type == "markdown" else "code"
    return _nbgrader(f"{kind}_{k}")


def source_notebook(py: Path) -> nbformat.NotebookNode:
    """The nbgrader source notebook (no outputs) written by ``py``."""
    nb = jupytext.read(py, fmt="py:percent")
    ids = set()
    for k, cell in enumerate(nb.cells):
        meta = _cell_metadata(cell, k, py.stem)
        if meta["grade_id"] in ids:
            raise ValueError(f"{py.name}: grade_id {meta['grade_id']!r} used twice")
        ids.add(meta["grade_id"])
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.NotebookNode({"nbgrader": meta})
        if tags:
            cell.metadata["tags"] = tags
        cell.id = meta["grade_id"]
    nb.metadata = nbformat.NotebookNode({"kernelspec": KERNELSPEC,
                                         "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def notebook_text(nb) -> str:
    return nbformat.writes(nb) + "\n"


def nbgrader_api(course: Path, **settings):
    """An ``NbGraderAPI`` for the course folder ``course`` with a gradebook inside it,
    configured by its nbgrader_config.py and then by ``settings`` ({"Execute.timeout": 5})."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config, PyFileConfigLoader

    # nbgrader runs `alembic` (installed beside this Python) to create a gradebook.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(course)
    extra.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    for key, value in settings.items():
        section, trait = key.split(".")
        extra[section][trait] = value
    config.merge(extra)
    return NbGraderAPI(config=config)


def copy_course(dest: Path, course: Path = HERE) -> Path:
    """A copy of the course (config and source/) in ``dest``, ready for nbgrader."""
    shutil.copy(course / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(course / "source", dest / "source",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return dest


def generate(api, name: str) -> None:
    """``nbgrader generate_assignment name``; raises with nbgrader's log when it fails."""
    result = api.generate_assignment(name, force=True)
    if not result["success"]:
        raise RuntimeError(f"generate_assignment {name} failed:\n{result['log']}"
                           f"{result.get('error', '')}")


def generated_release(tmp: Path, names: list[str], course: Path = HERE) -> Path:
    """Run generate_assignment for ``names`` in a temporary copy of the course; the
    release folder it wrote."""
    copy = copy_course(tmp, course)
    for name in names:
        nb = source_notebook(copy / "source" / name / f"{name}.py")
        (copy / "source" / name / f"{name}.ipynb").write_text(notebook_text(nb))
    api = nbgrader_api(copy)
    for name in names:
        generate(api, name)
    return copy / "release"


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def problems(course: Path = HERE) -> list[str]:
    """Everything out of date in the course (empty if nothing)."""
    found = []
    names = exercise_names(course)
    for name in names:
        ipynb = course / "source" / name / f"{name}.ipynb"
        expected = notebook_text(source_notebook(ipynb.with_suffix(".py")))
        if not ipynb.exists() or ipynb.read_text() != expected:
            found.append(f"source/{name}/{name}.ipynb does not match {name}.py")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = _files(generated_release(Path(tmp), names, course))
        committed = _files(course / "release")
        for path in sorted(set(fresh) | set(committed)):
            if path not in committed:
                found.append(f"release/{path} is missing")
            elif path not in fresh:
                found.append(f"release/{path} is not made by generate_assignment")
            elif fresh[path].read_bytes() != committed[path].read_bytes():
                found.append(f"release/{path} differs from what generate_assignment makes")
    return found


def build(course: Path = HERE) -> None:
    """Write every source notebook and replace ``release/`` with a fresh one."""
    names = exercise_names(course)
    for name in names:
        py = course / "source" / name / f"{name}.py"
        py.with_suffix(".ipynb").write_text(notebook_text(source_notebook(py)))
        print(f"wrote source/{name}/{name}.ipynb")
    with tempfile.TemporaryDirectory() as tmp:
        release = generated_release(Path(tmp), names, course)
        shutil.rmtree(course / "release", ignore_errors=True)
        shutil.copytree(release, course / "release")
    print(f"wrote release/ ({len(names)} exercises)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    if not args.check:
        build()
        return 0
    found = problems()
    for problem in found:
        print(f"FAIL {problem}")
    print("exercises: up to date" if not found else "run: python exercises/build.py")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
