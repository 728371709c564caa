"""Autograde a folder of submitted exercise notebooks with nbgrader.

    python exercises/grade.py SUBMISSIONS [--out build/grades] [--timeout 60]
    make grade SUBMISSIONS=path                    (the same, from the repository root)

``SUBMISSIONS`` is laid out like nbgrader's ``submitted/`` folder:
``SUBMISSIONS/<student>/<exercise>/<exercise>.ipynb``. Grading happens in a temporary copy
of the course (the source notebooks with their hidden tests, and a fresh gradebook); the
submitted folders themselves are only read. Written to ``--out``:

* ``grades.csv``: one row per student and exercise: score, max_score, the tests that
  failed, and the error when the notebook could not be graded at all;
* ``<student>/report.md``: the same for one student, with the error message of each failed
  test, and ``<student>/<exercise>.html``: nbgrader's feedback (the graded notebook).

A notebook that cannot be read, or whose grading fails, scores zero with the reason in the
report; the other submissions are still graded. A cell that runs longer than ``--timeout``
seconds is interrupted (its test fails) and the notebook goes on with the next cell.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from build import HERE, copy_course, generate, nbgrader_api


@dataclass
class Result:
    """The grade of one exercise of one student."""

    student: str
    exercise: str
    max_score: float
    score: float = 0.0
    tests: list = field(default_factory=list)  # (grade_id, score, max_score, message)
    error: str = ""  # why the notebook could not be graded

    @property
    def failed(self) -> list[str]:
        return [name for name, score, top, _ in self.tests if score < top]


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _error_of(cell, timeout: float) -> str:
    """The error a graded cell printed, as 'Name: message' (empty if none)."""
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            if out.ename in ("KeyboardInterrupt", "CellTimeoutError"):
                return f"stopped: the cell ran longer than the time limit ({timeout:g} s)"
            return _short(f"{out.ename}: {out.evalue}")
    return ""


def _log_error(result: dict) -> str:
    """Why nbgrader could not grade a notebook: the last 'SomeError: ...' line of its log."""
    lines = [line.strip() for line in result.get("log", "").splitlines()]
    errors = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line)]
    return _short(errors[-1] if errors else "nbgrader could not grade this notebook")


def _max_score(source: Path) -> float:
    nb = nbformat.read(source, as_version=4)
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade"))


def _collect(course: Path, gb, student: str, exercise: str, result: Result,
             timeout: float) -> None:
    """Fill ``result`` from the gradebook and the autograded notebook."""
    graded = course / "autograded" / student / exercise / f"{exercise}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    scores = {g.name: g for g in gb.find_submission_notebook(exercise, exercise, student).grades}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in scores and cell.metadata["nbgrader"].get("grade"):
            g = scores[grade_id]
            score = g.score or 0.0
            message = _error_of(cell, timeout) if score < g.max_score else ""
            result.tests.append((grade_id, score, g.max_score, message))
    result.score = sum(t[1] for t in result.tests)


def grade(submissions: Path, out: Path, timeout: int | None = None, html: bool = True,
          course_dir: Path = HERE) -> list[Result]:
    """Grade every ``submissions/<student>/<exercise>``; write grades.csv and the reports."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's, harmless

    known = {p.name for p in (course_dir / "source").iterdir() if p.is_dir()}
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir())
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        course = copy_course(Path(tmp), course_dir)
        settings = {} if timeout is None else {"Execute.timeout": timeout}
        api = nbgrader_api(course, **settings)
        todo = [(s, e.name) for s in students for e in sorted((submissions / s).iterdir())
                if e.is_dir()]
        for exercise in sorted({e for _, e in todo} & known):
            generate(api, exercise)
        for student, exercise in todo:
            if exercise not in known:
                results.append(Result(student, exercise, 0.0, error="no such exercise"))
                continue
            source = course / "source" / exercise / f"{exercise}.ipynb"
            result = Result(student, exercise, _max_score(source))
            results.append(result)
            shutil.copytree(submissions / student / exercise,
                            course / "submitted" / student / exercise)
            print(f"grading {student}/{exercise} ...", end=" ", flush=True)
            outcome = api.autograde(exercise, student, force=True, create=True)
            if outcome["success"]:
                with Gradebook(api.coursedir.db_url) as gb:
                    _collect(course, gb, student, exercise, result,
                             api.config.Execute.timeout)
                if html:
                    _feedback_html(api, course, out, student, exercise)
            else:
                result.error = _log_error(outcome)
            print(f"{result.score:g}/{result.max_score:g}" + (" (error)" if result.error else ""))
    write_csv(results, out / "grades.csv")
    for student in students:
        write_report([r for r in results if r.student == student], out / student / "report.md")
    return results


def _feedback_html(api, course: Path, out: Path, student: str, exercise: str) -> None:
    if api.generate_feedback(exercise, student)["success"]:
        html = course / "feedback" / student / exercise / f"{exercise}.html"
        (out / student).mkdir(parents=True, exist_ok=True)
        shutil.copy(html, out / student / f"{exercise}.html")


def write_csv(results: list[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "score", "max_score", "failed_tests", "error"])
        for r in results:
            w.writerow([r.student, r.exercise, f"{r.score:g}", f"{r.max_score:g}",
                        " ".join(r.failed), r.error])


def write_report(results: list[Result], path: Path) -> None:
    """A markdown summary for one student: each exercise, each test, each error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    total, top = sum(r.score for r in results), sum(r.max_score for r in results)
    lines = [f"# Grades of {results[0].student}" if results else "# Grades", "",
             f"Total: {total:g} / {top:g}", ""]
    for r in results:
        lines += [f"## {r.exercise}: {r.score:g} / {r.max_score:g}", ""]
        if r.error:
            lines += [f"Not graded (scored 0): {r.error}", ""]
            continue
        for name, score, best, message in r.tests:
            mark = "✓" if score >= best else "✗"
            lines.append(f"- {mark} {name} ({score:g}/{best:g})" +
                         (f": {message}" if message else ""))
        if (path.parent / f"{r.exercise}.html").exists():
            lines += ["", f"Your graded notebook: [{r.exercise}.html]({r.exercise}.html)"]
        lines.append("")
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path,
                        help="folder of <student>/<exercise>/<exercise>.ipynb")
    parser.add_argument("--out", type=Path, default=Path("build/grades"),
                        help="where grades.csv and the reports go (default build/grades)")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds a cell may run (default: nbgrader_config.py, 60)")
    parser.add_argument("--no-html", dest="html", action="store_false",
                        help="skip nbgrader's HTML feedback (faster)")
    args = parser.parse_args()
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    results = grade(args.submissions, args.out, args.timeout, args.html)
    print(f"graded {len(results)} notebooks: {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
