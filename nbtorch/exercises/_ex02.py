"""Checker of exercise 2 (chapter 04, forward-mode AD): dual numbers for +, *, sin, log."""

from __future__ import annotations

import numpy as np

from ._feedback import expect_close, fail, run_parts

_A, _DA = np.array([1.0, 2.0, 0.5]), np.array([0.5, -1.0, 2.0])
_B, _DB = np.array([3.0, -1.0, 4.0]), np.array([2.0, 0.25, -0.5])


def _dual(Dual, primal, tangent):
    import nbtorch

    return Dual(nbtorch.tensor(primal), nbtorch.tensor(tangent))


def _expect_dual(what: str, d, primal, tangent) -> None:
    if not hasattr(d, "primal") or not hasattr(d, "tangent"):
        fail(f"{what} should be a Dual (with .primal and .tangent), got {type(d).__name__}")
    expect_close(f"{what}.primal (the value)", d.primal, primal)
    expect_close(f"{what}.tangent (the derivative)", d.tangent, tangent)


def _add_mul(Dual) -> None:
    x, y = _dual(Dual, _A, _DA), _dual(Dual, _B, _DB)
    _expect_dual("x + y", x + y, _A + _B, _DA + _DB)
    _expect_dual("x + 2.0", x + 2.0, _A + 2.0, _DA)
    _expect_dual("x * y", x * y, _A * _B, _DA * _B + _A * _DB)
    _expect_dual("x * 3.0", x * 3.0, _A * 3.0, _DA * 3.0)


def _sin(Dual) -> None:
    _expect_dual("x.sin()", _dual(Dual, _A, _DA).sin(), np.sin(_A), np.cos(_A) * _DA)


def _log(Dual) -> None:
    _expect_dual("x.log()", _dual(Dual, _A, _DA).log(), np.log(_A), _DA / _A)


def _example(Dual) -> None:
    x1, x2 = 2.0, 5.0
    for seed, derivative, name in [((1.0, 0.0), 1 / x1 + x2, "df/dx1"),
                                   ((0.0, 1.0), x1 - np.cos(x2), "df/dx2")]:
        a, b = _dual(Dual, x1, seed[0]), _dual(Dual, x2, seed[1])
        out = a.log() + a * b - b.sin()
        _expect_dual(f"f(x1, x2) at (2, 5) seeded for {name}", out,
                     np.log(x1) + x1 * x2 - np.sin(x2), derivative)


def ex2(Dual, part: str | None = None) -> None:
    """Check your ``Dual`` class (exercise 2, chapter 04).

    Parts: ``add_mul`` (``x + y``, ``x * y``, with Duals and numbers), ``sin``, ``log``,
    ``example`` (f(x1, x2) = ln(x1) + x1 x2 - sin(x2) at (2, 5), both partial derivatives).
    """
    parts = {"add_mul": _add_mul, "sin": _sin, "log": _log, "example": _example}
    run_parts("ex2", {name: (lambda f=f: f(Dual)) for name, f in parts.items()}, part)
