"""End to end: every exercise's reference solution and a wrong answer, autograded by
nbgrader through exercises/grade.py (one grading run for all of them)."""

from __future__ import annotations

import csv

import pytest
from _grading import EXERCISES, WRONG, grade, solution, submit, wrong_answer


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submitted")
    for exercise in EXERCISES:
        submit(submissions, "solution", exercise, solution(exercise))
        submit(submissions, "wrong", exercise, wrong_answer(exercise))
    out = tmp_path_factory.mktemp("grades")
    results = grade.grade(submissions, out, html=False)
    return {(r.student, r.exercise): r for r in results}, out


def test_every_exercise_has_a_wrong_answer():
    assert len(EXERCISES) >= 10
    assert set(WRONG) == set(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_solution_gets_full_marks(graded, exercise):
    r = graded[0]["solution", exercise]
    assert not r.error
    assert r.max_score > 0 and r.score == r.max_score, r.tests


@pytest.mark.parametrize("exercise", EXERCISES)
def test_wrong_answer_gets_partial_marks_naming_the_failed_test(graded, exercise):
    r = graded[0]["wrong", exercise]
    assert not r.error
    assert 0 < r.score < r.max_score, r.tests
    assert set(r.failed) == WRONG[exercise][2], r.tests
    report = (graded[1] / "wrong" / "report.md").read_text()
    for name in r.failed:
        assert f"✗ {name} (0/" in report


def test_grades_csv_has_a_row_per_submission(graded):
    results, out = graded
    with open(out / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    assert {(row["student"], row["exercise"]) for row in rows} == set(results)
    for row in rows:
        r = results[row["student"], row["exercise"]]
        assert float(row["score"]) == r.score and float(row["max_score"]) == r.max_score
        assert row["failed_tests"].split() == r.failed
