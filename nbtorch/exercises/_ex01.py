"""Checker of exercise 1 (chapter 02, tensor operations): broadcasting and indexing puzzles."""

from __future__ import annotations

import numpy as np

from ._feedback import as_numpy, by_name, expect_close, expect_tensor, run_parts


def _tensor(array):
    import nbtorch

    return nbtorch.tensor(array)


def _outer_sum(fn) -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0])
    out = fn(_tensor(a), _tensor(b))
    expect_tensor("outer_sum(a, b)", out)
    expect_close("outer_sum(a, b) for a=[1, 2, 3], b=[10, 20]", out, a[:, None] + b[None, :])


def _pairwise_sq_dist(fn) -> None:
    x = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 2.0]])
    out = fn(_tensor(x), _tensor(y))
    expect_tensor("pairwise_sq_dist(x, y)", out)
    expected = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    expect_close("pairwise_sq_dist(x, y) with x of shape (3, 2), y of shape (2, 2)",
                 out, expected)


def _one_hot(fn) -> None:
    import nbtorch

    labels = np.array([2, 0, 1, 2])
    out = fn(_tensor(labels), 4)
    expect_tensor("one_hot(labels, 4)", out, nbtorch.float32)
    expect_close("one_hot([2, 0, 1, 2], 4)", out, np.eye(4, dtype=np.float32)[labels])


def _pick(fn) -> None:
    x = np.arange(12.0).reshape(4, 3)
    idx = np.array([0, 2, 1, 2])
    out = fn(_tensor(x), _tensor(idx))
    expect_tensor("pick(x, idx)", out)
    expect_close("pick(x, idx) with x = arange(12).reshape(4, 3), idx = [0, 2, 1, 2]",
                 out, x[np.arange(4), idx])


def _standardize_columns(fn) -> None:
    x = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
    before = x.copy()
    t = _tensor(x)
    out = fn(t)
    expect_tensor("standardize_columns(x)", out)
    expected = (x - x.mean(0)) / x.std(0)
    expect_close("standardize_columns(x)", out, expected)
    expect_close("the input x after standardize_columns(x) (it must not change)",
                 as_numpy(t), before)


PUZZLES = {"outer_sum": _outer_sum, "pairwise_sq_dist": _pairwise_sq_dist, "one_hot": _one_hot,
           "pick": _pick, "standardize_columns": _standardize_columns}


def ex1(*functions, part: str | None = None) -> None:
    """Check your puzzle functions (exercise 1, chapter 02): pass any of ``outer_sum``,
    ``pairwise_sq_dist``, ``one_hot``, ``pick``, ``standardize_columns``."""
    found = by_name("ex1", functions, PUZZLES)
    run_parts("ex1", {name: (lambda c=c, f=f: f(c)) for name, c, f in found}, part)
