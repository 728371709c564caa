"""Shared helpers of the exercise tests: submission folders and wrong answers.

Every exercise is graded in three versions: the reference solution (the source notebook,
full marks), the released stub (zero) and a plausible wrong answer (partial marks, with
the failing tests named). The wrong answers are made from the solution by replacing one
piece of code in one solution cell.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "exercises"
sys.path.insert(0, str(COURSE))

build = importlib.import_module("build")  # exercises/build.py
grade = importlib.import_module("grade")  # exercises/grade.py

EXERCISES = build.exercise_names(COURSE)

_RECURSIVE_ORDER = """
        def visit(node):
            if id(node) not in visited:
                visited.add(id(node))
                for c in node.children:
                    visit(c)
                order.append(node)

        visit(self)
        return order
"""

# exercise: (solution cell grade_id, [(code in the solution, its wrong version)], failed tests)
WRONG = {
    "ex01_tensor_ops": ("standardize_columns", [("x.std(0, unbiased=False)", "x.std(0)")],
                        {"test_standardize_columns"}),
    "ex02_dual_numbers": (  # the product rule missing a term
        "dual", [("self.tangent * other.primal + self.primal * other.tangent",
                  "self.tangent * other.primal")], {"test_add_mul", "test_example"}),
    "ex03_custom_backward": ("hypot", [("grad_output * y / out", "grad_output * x / out")],
                             {"test_hypot_backward"}),
    "ex04_scalar_autograd": (  # recursion: right on small graphs, too deep on a long chain
        "value", [("        order, visited = [], set()\n",
                   "        order, visited = [], set()\n" + _RECURSIVE_ORDER)], {"test_order"}),
    "ex05_custom_layer": ("low_rank_linear", [("(self.V, self.in_features)",
                                               "(self.V, self.rank)")], {"test_init"}),
    "ex06_sgd_momentum": (  # weight decay applied to p directly, not through the momentum
        "sgd", [('g = g + group["weight_decay"] * p', "pass"),
                ('p -= group["lr"] * g', 'p -= group["lr"] * (g + group["weight_decay"] * p)')],
        {"test_weight_decay"}),
    "ex07_csv_dataset": ("csv_dataset", [("torch.tensor(rows[:, t].astype(np.int64))",
                                          "torch.tensor(rows[:, t])")], {"test_item"}),
    "ex08_im2col_conv": ("conv2d", [("oh = (x.shape[2] + 2 * padding - kh)",
                                     "oh = (x.shape[2] - kh)")], {"test_conv2d_stride_padding"}),
    "ex09_cuda_kernel": ("axpy", [("    if i < out.shape[0]:\n        out[i] = a * x[i] + y[i]",
                                   "    out[i] = a * x[i] + y[i]")], {"test_axpy"}),
    "ex10_mnist_mlp": ("accuracy", [("argmax(dim=1)", "argmax(dim=0)")], {"test_accuracy"}),
}


def solution(exercise: str) -> Path:
    return COURSE / "source" / exercise / f"{exercise}.ipynb"


def stub(exercise: str) -> Path:
    return COURSE / "release" / exercise / f"{exercise}.ipynb"


def wrong_answer(exercise: str) -> nbformat.NotebookNode:
    """The solution notebook with the wrong code of WRONG[exercise] in place."""
    grade_id, edits, _ = WRONG[exercise]
    nb = nbformat.read(solution(exercise), as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == grade_id]
    for right, wrong in edits:
        assert cell.source.count(right) == 1, f"{exercise}: {right!r} not once in {grade_id}"
        cell.source = cell.source.replace(right, wrong)
    return nb


def submit(folder: Path, student: str, exercise: str, notebook) -> None:
    """Put ``notebook`` (a path or a NotebookNode) where grade.py expects a submission."""
    dest = folder / student / exercise
    dest.mkdir(parents=True)
    if isinstance(notebook, Path):
        dest.joinpath(f"{exercise}.ipynb").write_bytes(notebook.read_bytes())
    else:
        nbformat.write(notebook, dest / f"{exercise}.ipynb")
