# %% [markdown]
# # Exercise 2 · Dual numbers · 对偶数
#
# **Chapter 04 (forward-mode automatic differentiation 前向模式自动微分).**
#
# A **dual number (对偶数)** carries a value (`primal`, 原值) and a derivative (`tangent`,
# 切向量) together. Every operation computes its result *and* the result's derivative from
# the chain rule (链式法则), so after evaluating a function once we know its derivative in
# the direction we seeded.
#
# Write the four operations of the class `Dual` marked `# YOUR CODE HERE`:
#
# | operation | primal | tangent |
# |---|---|---|
# | `x + y` | `a + b` | `a' + b'` |
# | `x * y` | `a * b` | `a' * b + a * b'` (product rule 乘积法则) |
# | `x.sin()` | `sin(a)` | `cos(a) * a'` |
# | `x.log()` | `ln(a)` | `a' / a` |
#
# where `x = (a, a')` and `y = (b, b')`. Primal and tangent are nbtorch tensors (so one
# Dual can hold many numbers at once, elementwise); use `torch.sin`, `torch.cos`,
# `torch.log`. A plain number `c` in `x + c` or `x * c` is a constant: tangent 0
# (`Dual.lift(c)` does this for you).
#
# Check each step with `check.ex2(Dual)`; hidden tests (隐藏测试) with other values run
# when the notebook is graded.

# %%
import math

import numpy as np

import nbtorch as torch
from nbtorch.exercises import check


# %% solution="dual"
class Dual:
    """A value and its derivative (tangent), carried together through a computation."""

    def __init__(self, primal, tangent):
        self.primal = torch.as_tensor(primal, dtype=torch.float64)
        self.tangent = torch.as_tensor(tangent, dtype=torch.float64)

    @staticmethod
    def lift(c):
        """A number c as a Dual: a constant, its derivative is 0."""
        return c if isinstance(c, Dual) else Dual(c, torch.zeros_like(torch.as_tensor(c)))

    def __repr__(self):
        return f"Dual(primal={self.primal}, tangent={self.tangent})"

    def __add__(self, other):
        other = Dual.lift(other)
        ### BEGIN SOLUTION
        return Dual(self.primal + other.primal, self.tangent + other.tangent)
        ### END SOLUTION

    def __mul__(self, other):
        other = Dual.lift(other)
        ### BEGIN SOLUTION
        return Dual(self.primal * other.primal,
                    self.tangent * other.primal + self.primal * other.tangent)
        ### END SOLUTION

    def sin(self):
        ### BEGIN SOLUTION
        return Dual(torch.sin(self.primal), torch.cos(self.primal) * self.tangent)
        ### END SOLUTION

    def log(self):
        ### BEGIN SOLUTION
        return Dual(torch.log(self.primal), self.tangent / self.primal)
        ### END SOLUTION

    # Given: everything else follows from + and *.
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Dual.lift(other))

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return Dual.lift(other) - self


# %% [markdown]
# ## 2.1 Sum and product · 和与积 (2 points)

# %% test="test_add_mul" points=2
check.ex2(Dual, part="add_mul")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(21)
_a, _da, _b, _db = _rng.normal(size=(4, 6))
_x, _y = Dual(_a, _da), Dual(_b, _db)
for _z, _p, _t in [(_x + _y, _a + _b, _da + _db), (_x * _y, _a * _b, _da * _b + _a * _db),
                   (2.5 * _x, 2.5 * _a, 2.5 * _da), (_x - _y * _x, _a - _b * _a,
                                                     _da - (_db * _a + _b * _da))]:
    np.testing.assert_allclose(_z.primal.numpy(), _p, rtol=1e-12)
    np.testing.assert_allclose(_z.tangent.numpy(), _t, rtol=1e-12, atol=1e-14)
### END HIDDEN TESTS

# %% [markdown]
# ## 2.2 sin and log (1 point each)

# %% test="test_sin" points=1
check.ex2(Dual, part="sin")
### BEGIN HIDDEN TESTS
_a, _da = np.linspace(-4, 4, 9), np.linspace(2, -1, 9)
_z = Dual(_a, _da).sin().sin()
np.testing.assert_allclose(_z.primal.numpy(), np.sin(np.sin(_a)), rtol=1e-12)
np.testing.assert_allclose(_z.tangent.numpy(), np.cos(np.sin(_a)) * np.cos(_a) * _da,
                           rtol=1e-10, atol=1e-14)
### END HIDDEN TESTS

# %% test="test_log" points=1
check.ex2(Dual, part="log")
### BEGIN HIDDEN TESTS
_a, _da = np.linspace(0.1, 5, 7), np.linspace(-1, 3, 7)
_z = (Dual(_a, _da) * 3.0).log()
np.testing.assert_allclose(_z.primal.numpy(), np.log(3 * _a), rtol=1e-12)
np.testing.assert_allclose(_z.tangent.numpy(), _da / _a, rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 2.3 The course example · 课程例子 (1 point)
#
# $f(x_1, x_2) = \ln(x_1) + x_1 x_2 - \sin(x_2)$ at $(x_1, x_2) = (2, 5)$. Seeding
# $x_1$ with tangent 1 and $x_2$ with tangent 0 gives $\partial f / \partial x_1$ in one
# forward pass; seeding the other way gives $\partial f / \partial x_2$. Compare with the
# derivatives by hand: $1/x_1 + x_2 = 5.5$ and $x_1 - \cos(x_2) \approx 1.7163$.

# %%
def f(x1, x2):
    return x1.log() + x1 * x2 - x2.sin()


df_dx1 = f(Dual(2.0, 1.0), Dual(5.0, 0.0)).tangent
df_dx2 = f(Dual(2.0, 0.0), Dual(5.0, 1.0)).tangent
print(float(df_dx1), float(df_dx2))

# %% test="test_example" points=1
check.ex2(Dual, part="example")
### BEGIN HIDDEN TESTS
for _x1, _x2 in [(0.5, -1.0), (3.0, 0.25)]:
    _out = f(Dual(_x1, 1.0), Dual(_x2, 0.0))
    assert math.isclose(float(_out.tangent), 1 / _x1 + _x2, rel_tol=1e-12)
    _out = f(Dual(_x1, 0.0), Dual(_x2, 1.0))
    assert math.isclose(float(_out.tangent), _x1 - math.cos(_x2), rel_tol=1e-12)
### END HIDDEN TESTS
