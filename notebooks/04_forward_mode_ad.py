# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Forward-mode automatic differentiation · 前向模式自动微分
#
# In chapter 03 gradients flowed *backwards* through the computational graph. There is a
# second way to apply the chain rule: carry derivatives *forwards*, alongside the values,
# in the same pass that computes the function. This is forward mode, and its natural
# number system is the dual numbers.
#
# **Goals of this notebook (学习目标)**
#
# 1. Build dual numbers by hand and differentiate the course's example with them.
# 2. Read the evaluation trace of the example in forward and in reverse mode (Baydin et al.
#    2018, Tables 2 and 3), made by `nbtorch.viz.trace`.
# 3. Use forward mode in nbtorch: `autograd.forward_ad` and `nbtorch.func.jvp`.
# 4. Know when forward mode wins (few inputs, many outputs) and when reverse mode wins.
# 5. Build a Jacobian two ways and count what each costs; compute a Hessian-vector product.
#
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | forward mode | 前向模式 | `autograd.forward_ad`, `func.jvp`, `func.jacfwd` |
# | reverse mode | 反向模式 | `backward()`, `func.vjp`, `func.jacrev` |
# | dual number | 对偶数 | `forward_ad.make_dual(x, v)` |
# | primal (value) | 原始值 | `unpack_dual(y).primal` |
# | tangent | 切线 (切向量) | `unpack_dual(y).tangent` |
# | adjoint | 伴随 (伴随值) | `x.grad` after `backward()` |
# | evaluation trace | 求值轨迹 | `nbtorch.viz.trace(f, ...)` |
# | Jacobian (matrix) | 雅可比矩阵 | `func.jacfwd(f)(x)`, `func.jacrev(f)(x)` |
# | Jacobian-vector product (JVP) | 雅可比向量积 | `func.jvp(f, (x,), (v,))` |
# | vector-Jacobian product (VJP) | 向量雅可比积 | `func.vjp(f, x)` |
# | Hessian (matrix) | 黑塞矩阵 (海森矩阵) | `func.hessian(f)(x)` |
# | Hessian-vector product | 黑塞向量积 | `autograd.functional.hvp(f, x, v)` |

# %%
import math
import time

import nbtorch as torch
from nbtorch import func, viz
from nbtorch.autograd import forward_ad as fwAD
from nbtorch.autograd.functional import hvp, jacobian

torch.manual_seed(0)
torch.set_printoptions(precision=4)

# %% [markdown]
# ## 1 · Dual numbers by hand · 手写对偶数
#
# A dual number is $a + b\,\varepsilon$ with the rule $\varepsilon^2 = 0$. Put a function
# through it and the $\varepsilon$ part comes out as the derivative:
#
# $$f(a + b\varepsilon) = f(a) + f'(a)\,b\,\varepsilon$$
#
# (Taylor's series stops after the linear term because $\varepsilon^2 = 0$.) So each
# operation only needs to know its own derivative: $(a + b\varepsilon)(c + d\varepsilon) =
# ac + (ad + bc)\varepsilon$ is the product rule, $\ln(a + b\varepsilon) = \ln a +
# \frac{b}{a}\varepsilon$, $\sin(a + b\varepsilon) = \sin a + b\cos a\,\varepsilon$.
# Twenty lines of Python are enough:

# %%
class Dual:
    """a + b·ε with ε² = 0: ``value`` is the primal a, ``tangent`` the derivative part b."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def __add__(self, other):
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other):
        return Dual(self.value - other.value, self.tangent - other.tangent)

    def __mul__(self, other):  # the product rule
        return Dual(self.value * other.value,
                    self.tangent * other.value + self.value * other.tangent)

    def __repr__(self):
        return f"Dual({self.value:.3f}, {self.tangent:.3f})"


def ln(x):
    return Dual(math.log(x.value), x.tangent / x.value)


def sin(x):
    return Dual(math.sin(x.value), x.tangent * math.cos(x.value))


# %% [markdown]
# The course's example: $f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2$ at $(2, 5)$. To get
# $\partial f/\partial x_1$ we *seed* $x_1$ with tangent 1 and $x_2$ with tangent 0:

# %%
def f(x1, x2):
    return ln(x1) + x1 * x2 - sin(x2)


print("seed x1:", f(Dual(2.0, 1.0), Dual(5.0, 0.0)))
print("seed x2:", f(Dual(2.0, 0.0), Dual(5.0, 1.0)))
print("closed forms: y =", round(math.log(2) + 10 - math.sin(5), 3),
      " dy/dx1 = 1/x1 + x2 =", 1 / 2 + 5, " dy/dx2 = x1 - cos x2 =", round(2 - math.cos(5), 3))

# %% [markdown]
# One pass gives the value **and** one directional derivative. For the second partial
# derivative we needed a second pass with another seed: forward mode computes
# **one column of the Jacobian per pass**.

# %% [markdown]
# ## 2 · The evaluation trace · 求值轨迹
#
# Written as a list of elementary operations, the function becomes an *evaluation trace*:
# inputs $v_{-1}, v_0$, intermediates $v_1 \ldots v_5$, output $y$. `viz.trace` records it
# by running the function on nbtorch tensors (every operation is one row) and puts the
# tangent $\dot v_i = \partial v_i / \partial x_1$ next to each value, as in Table 2 of
# Baydin et al. (2018):

# %%
def f(x1, x2):
    return torch.log(x1) + x1 * x2 - torch.sin(x2)


viz.trace(f, 2.0, 5.0, mode="forward", wrt=0)

# %% [markdown]
# Read it top to bottom: every tangent uses only tangents above it, in the same order as
# the values. Seeding $x_2$ instead gives the other partial derivative, in a second pass:

# %%
print(viz.trace(f, 2.0, 5.0, mode="forward", wrt=1))

# %% [markdown]
# **Reverse mode** (Table 3) first runs the primal trace forward, then propagates adjoints
# $\bar v_i = \partial y / \partial v_i$ from $\bar y = 1$ back to the inputs. A variable
# used twice ($v_{-1}$ feeds $v_1$ and $v_2$) sums the contributions of its users.
# One backward sweep gives **both** partial derivatives:

# %%
viz.trace(f, 2.0, 5.0, mode="reverse")

# %%
dx1, dx2 = viz.trace(f, 2.0, 5.0, mode="reverse").derivative  # the inputs' adjoints
print("dy/dx1 =", round(dx1.item(), 4), " dy/dx2 =", round(dx2.item(), 4))

# %% [markdown]
# ## 3 · Forward mode in nbtorch · nbtorch 中的前向模式
#
# `autograd.forward_ad` is the dual number of section 1, for tensors. Inside a
# `dual_level()`, `make_dual(x, v)` attaches the tangent `v` to `x`; every operation then
# also runs its `jvp` rule (written next to its `backward` in `nbtorch/_ops`), and
# `unpack_dual` reads the result.

# %%
x1 = torch.tensor(2.0, dtype=torch.float64)
x2 = torch.tensor(5.0, dtype=torch.float64)
with fwAD.dual_level():
    d1 = fwAD.make_dual(x1, torch.tensor(1.0, dtype=torch.float64))  # seed: x1 moves
    y = f(d1, x2)
    value, tangent = fwAD.unpack_dual(y)
print(value, tangent)

# %% [markdown]
# For a vector function the tangent of the output is a Jacobian-vector product $J v$:
# the derivative of all outputs along the direction $v$ in input space. `func.jvp` wraps
# the level handling:

# %%
A = torch.randn(3, 2, dtype=torch.float64)


def g(x):
    return torch.tanh(A @ x)


x = torch.tensor([0.5, -1.0], dtype=torch.float64)
v = torch.tensor([1.0, 0.0], dtype=torch.float64)
out, jv = func.jvp(g, (x,), (v,))
print("J v =", jv)
print("first column of the Jacobian:", func.jacrev(g)(x)[:, 0])

# %% [markdown]
# ## 4 · Which mode wins? · 哪种模式更快
#
# For $f: \mathbb{R}^n \to \mathbb{R}^m$ the Jacobian has $m \times n$ entries.
#
# * Forward mode: one pass per **input** (a column $J e_j$): $n$ passes.
# * Reverse mode: one forward pass, then one backward pass per **output** (a row
#   $e_i^\top J$): $m$ passes.
#
# A neural network's loss has millions of inputs (the parameters) and one output, so
# training uses reverse mode (backpropagation). Forward mode wins when there are few inputs
# and many outputs, for example a curve $t \mapsto (x(t), y(t), \ldots)$ or the sensitivity
# of a whole simulation to one parameter; it also needs no memory for a graph.
#
# Let us count. `counted` wraps a function to count its forward runs, and a hook on its
# output counts the backward passes through it.

# %%
calls = {"forward": 0, "backward": 0}


def counted(fn):
    def wrapper(x):
        calls["forward"] += 1
        y = fn(x)
        if y.requires_grad:
            y.register_hook(lambda grad: calls.__setitem__("backward", calls["backward"] + 1))
        return y
    return wrapper


W = torch.randn(100, 2, dtype=torch.float64)
wide = counted(lambda x: torch.sin(W @ x))          # R^2 -> R^100: few inputs, many outputs
V = torch.randn(2, 100, dtype=torch.float64)
tall = counted(lambda x: torch.sin(V @ x).sum())    # R^100 -> R^1: a loss

for name, fn, x in [("R^2 -> R^100", wide, torch.randn(2, dtype=torch.float64)),
                    ("R^100 -> R^1", tall, torch.randn(100, dtype=torch.float64))]:
    for mode, transform in [("jacfwd", func.jacfwd), ("jacrev", func.jacrev)]:
        calls.update(forward=0, backward=0)
        J = transform(fn)(x)
        print(f"{name}  {mode}: Jacobian {tuple(J.shape)}, {calls['forward']} forward runs, "
              f"{calls['backward']} backward passes")

# %% [markdown]
# The counts are the story: for the wide function forward mode needs 2 passes and reverse
# mode 100 backward passes; for the loss it is the other way round. Timings say the same
# (they vary from machine to machine):

# %% tags=["nbval-ignore-output"]
for name, fn, x in [("R^2 -> R^100", wide, torch.randn(2, dtype=torch.float64)),
                    ("R^100 -> R^1", tall, torch.randn(100, dtype=torch.float64))]:
    for mode, transform in [("jacfwd", func.jacfwd), ("jacrev", func.jacrev)]:
        start = time.perf_counter()
        transform(fn)(x)
        print(f"{name}  {mode}: {1000 * (time.perf_counter() - start):.1f} ms")

# %% [markdown]
# Both ways give the same Jacobian (up to rounding):

# %%
x = torch.randn(2, dtype=torch.float64)
J_fwd, J_rev = func.jacfwd(wide)(x), func.jacrev(wide)(x)
print("jacfwd and jacrev agree:", float((J_fwd - J_rev).abs().max()) < 1e-12)
J_old = jacobian(wide, x, strategy="forward-mode")  # the older torch.autograd API
print("autograd.functional agrees:", float((J_old - J_rev).abs().max()) < 1e-12)

# %% [markdown]
# ## 5 · Hessian-vector products · 黑塞向量积
#
# The Hessian $H = \nabla^2 f$ of a function of $n$ inputs has $n^2$ entries, too many to
# build for a network. But $H v$ is the directional derivative of the gradient along $v$:
# a JVP of the gradient. So *forward over reverse* gives $Hv$ for the cost of about two
# gradients, without ever forming $H$:

# %%
def loss(w):
    return (torch.sigmoid(V @ w) ** 2).sum() + 0.1 * (w ** 4).sum()


w = torch.randn(100, dtype=torch.float64)
v = torch.randn(100, dtype=torch.float64)
_, hv = func.jvp(func.grad(loss), (w,), (v,))         # forward over reverse
H = func.hessian(loss)(w)                              # the whole 100 x 100 matrix
print("H v from the full Hessian matches:", float((H @ v - hv).abs().max()) < 1e-10)
_, hv2 = hvp(loss, w, v)
print("autograd.functional.hvp matches:", float((hv2 - hv).abs().max()) < 1e-10)

# %% [markdown]
# `func.hessian(f)` itself is `jacfwd(jacrev(f))`: the gradient by reverse mode (one
# backward pass), then its Jacobian by forward mode. Transforms compose: `grad(grad(f))` is
# the second derivative of a scalar function.

# %%
d2 = func.grad(func.grad(lambda t: t * torch.sin(t)))(torch.tensor(1.0, dtype=torch.float64))
print(round(d2.item(), 6), "=", round(2 * math.cos(1.0) - math.sin(1.0), 6))

# %% [markdown]
# ## Summary · 小结
#
# * A **dual number** $a + b\varepsilon$ ($\varepsilon^2 = 0$) carries a value and a tangent;
#   each operation applies its own derivative, and the chain rule happens by itself.
# * **Forward mode** computes $J v$ (one column per pass) alongside the values; **reverse
#   mode** computes $v^\top J$ (one row per backward pass) after the values.
# * Cost of a full Jacobian of $f: \mathbb{R}^n \to \mathbb{R}^m$: $n$ forward passes or $m$
#   backward passes. Losses ($m = 1$) favour reverse mode; few inputs favour forward mode.
# * Hessian-vector products are forward over reverse: `func.jvp(func.grad(f), (w,), (v,))`.
# * In nbtorch every op has both rules: `backward` (VJP) and `jvp`, in `nbtorch/_ops`.
#
# **Exercises · 练习**
#
# 1. Add `exp` and `__truediv__` to the `Dual` class and check $\frac{d}{dx} e^x/x$ at
#    $x = 2$ against `func.grad`.
# 2. Extend `Dual` to carry a *vector* of tangents, one per input, and get both partial
#    derivatives of the course example in one pass. What does it cost?
# 3. Write the forward and the reverse evaluation trace of $f(x) = \sin(x^2)\,x$ by hand,
#    then check it with `viz.trace`.
# 4. Time `func.jacfwd` and `func.jacrev` for $f: \mathbb{R}^n \to \mathbb{R}^m$ over a
#    grid of $n, m$ and plot where the winner changes.
# 5. Read the `jvp` rules of `Mul` and `Log` in `nbtorch/_ops/` and compare them with the
#    product rule and $\ln$ in the `Dual` class.
