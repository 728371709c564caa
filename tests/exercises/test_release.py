"""The released notebooks: up to date with the sources, worth zero as released, and
graded safely whatever a student hands in (broken JSON, crashes, endless loops)."""

from __future__ import annotations

import csv

import nbformat
import pytest
from _grading import COURSE, EXERCISES, build, grade, solution, stub, submit

FAST = "ex01_tensor_ops"


def test_source_notebooks_and_release_are_up_to_date():
    assert build.problems(COURSE) == []


def test_cells_carry_nbgrader_metadata():
    for exercise in EXERCISES:
        nb = nbformat.read(solution(exercise), as_version=4)
        meta = [c.metadata["nbgrader"] for c in nb.cells]
        assert all(m["schema_version"] == 3 for m in meta)
        tests = [m for m in meta if m["grade"]]
        assert tests and all(m["points"] > 0 and m["locked"] for m in tests)
        assert any(m["solution"] and not m["locked"] for m in meta)
        assert any("### BEGIN HIDDEN TESTS" in c.source for c in nb.cells)
        assert any(f"Chapter {n:02d}" in nb.cells[0].source for n in range(13)), exercise


def test_release_has_no_solutions_or_hidden_tests():
    for exercise in EXERCISES:
        text = stub(exercise).read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in text, exercise
        assert "raise NotImplementedError()" in text
        assert not (COURSE / "release" / exercise / f"{exercise}.py").exists()


@pytest.fixture(scope="module")
def stubs_graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submitted")
    for exercise in EXERCISES:
        submit(submissions, "stub", exercise, stub(exercise))
    return {r.exercise: r for r in grade.grade(submissions, tmp_path_factory.mktemp("out"),
                                               html=False)}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_released_stub_gets_zero(stubs_graded, exercise):
    r = stubs_graded[exercise]
    assert not r.error
    assert r.score == 0 and r.max_score > 0
    assert all(message for *_, message in r.tests)  # every failed test says why


def _with_solution_code(exercise: str, grade_id: str, code: str):
    nb = nbformat.read(solution(exercise), as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == grade_id]
    cell.source = code
    return nb


def test_broken_crashing_and_endless_submissions_are_graded_zero_for_that_part(tmp_path):
    submissions, out = tmp_path / "submitted", tmp_path / "out"
    submit(submissions, "good", FAST, solution(FAST))
    broken = submissions / "broken" / FAST
    broken.mkdir(parents=True)
    (broken / f"{FAST}.ipynb").write_text('{"cells": [')
    endless = "def pick(x, idx):\n    while True:\n        pass\n"
    submit(submissions, "endless", FAST, _with_solution_code(FAST, "pick", endless))
    crash = "import os\nos._exit(1)\n"  # the kernel dies
    submit(submissions, "crash", FAST, _with_solution_code(FAST, "one_hot", crash))
    submit(submissions, "good", "ex99_unknown", solution(FAST))

    results = {(r.student, r.exercise): r for r in grade.grade(submissions, out, timeout=5)}

    assert results["good", FAST].score == results["good", FAST].max_score == 5
    assert results["broken", FAST].score == 0
    assert "JSON" in results["broken", FAST].error
    assert "JSON" in (out / "broken" / "report.md").read_text()
    endless = results["endless", FAST]
    assert endless.failed == ["test_pick"] and endless.score == 4
    assert "time limit (5 s)" in (out / "endless" / "report.md").read_text()
    assert results["crash", FAST].score < 5
    assert results["good", "ex99_unknown"].error == "no such exercise"
    assert (out / "good" / f"{FAST}.html").exists()
    with open(out / "grades.csv") as f:
        assert len(list(csv.DictReader(f))) == 5
