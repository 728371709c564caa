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
# # 05 · Reverse-mode autograd · 反向模式自动微分
#
# Chapter 03 showed the computational graph (计算图) that nbtorch records while you compute,
# and chapter 04 walked a graph *forwards* with dual numbers. This chapter is about the way
# deep learning really computes gradients: **reverse mode** (反向模式), `loss.backward()`.
# One backward pass gives the gradient of a scalar loss with respect to *all* parameters, at
# the cost of about one more forward pass.
#
# **Goals of this notebook (学习目标)**
#
# 1. Use `requires_grad`, `backward()` and `.grad`; know that gradients **accumulate** and
#    must be reset with `zero_()`.
# 2. Stop recording with `no_grad()` and `detach()`.
# 3. Call `backward(gradient)` on a non-scalar output: a vector-Jacobian product.
# 4. Understand why the graph is freed after `backward()`, and `retain_graph=True`.
# 5. Take **higher-order** gradients with `create_graph=True` (d²/dx² x³ = 6x).
# 6. Write your own `autograd.Function` and check it with `gradcheck`.
# 7. See that the graph is built at run time, so it can change with the data.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | reverse mode, backpropagation | 反向模式, 反向传播 | `loss.backward()` |
# | gradient | 梯度 | `x.grad` |
# | leaf tensor | 叶子张量 | `x.is_leaf` |
# | gradient accumulation | 梯度累加 | `.grad` adds up; `x.grad.zero_()` |
# | vector-Jacobian product (VJP) | 向量-雅可比积 | `y.backward(v)` |
# | chain rule | 链式法则 | each `grad_fn`'s `backward` |
# | higher-order gradient | 高阶导数 | `autograd.grad(..., create_graph=True)` |
# | custom function | 自定义函数 | `class F(autograd.Function)` |
# | gradient check | 梯度检验 | `autograd.gradcheck` |
# | define-by-run, dynamic graph | 动态图 | the graph follows your Python code |

# %%
import nbtorch as torch

torch.manual_seed(0)
torch.set_printoptions(precision=4)

# %% [markdown]
# ## 1 · `requires_grad`, `backward()`, `.grad`
#
# Mark the tensors you want gradients for with `requires_grad=True`. Every operation on them is
# recorded; `backward()` on a scalar result applies the chain rule (链式法则) through the
# recorded graph, from the output back to the leaves, and stores d(result)/d(leaf) in
# `leaf.grad`.
#
# For y = x³ + 2x we expect dy/dx = 3x² + 2, which is 14 at x = 2.

# %%
x = torch.tensor(2.0, requires_grad=True)
y = x**3 + 2 * x
print("y =", y.item(), " grad_fn:", y.grad_fn.name())
y.backward()
print("dy/dx =", x.grad.item(), " expected:", 3 * 2.0**2 + 2)

# %% [markdown]
# `x` is a **leaf** (叶子张量): made by you, not by an operation. Only leaves keep `.grad`;
# intermediate results pass their gradient on and forget it.

# %%
print("x.is_leaf:", x.is_leaf, " y.is_leaf:", y.is_leaf)

# %% [markdown]
# ## 2 · Gradients accumulate · 梯度累加
#
# `backward()` **adds** into `.grad`; it does not overwrite it. This is on purpose (a
# parameter used in several places, or gradients summed over several small batches), but it
# means a training loop must reset the gradients every step: `optimizer.zero_grad()`, or by
# hand `x.grad.zero_()`.

# %%
for step in range(3):
    y = x**3 + 2 * x
    y.backward()
    print(f"after backward #{step + 1}: x.grad = {x.grad.item()}")

x.grad.zero_()
(x**3 + 2 * x).backward()
print("after zero_() and one more backward:", x.grad.item())

# %% [markdown]
# ## 3 · Not recording: `no_grad()` and `detach()`
#
# Inside `with torch.no_grad():` nothing is recorded: that is how we evaluate a model, or
# update parameters, without building a graph. `detach()` returns the same data cut off from
# the graph (a constant as far as autograd is concerned). (The course notes write
# `with torch.no_grad:`; `no_grad` must be *called*: `with torch.no_grad():`.)

# %%
with torch.no_grad():
    z = x * 10
print("under no_grad: z.requires_grad =", z.requires_grad)

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
c = (w * 2).detach()  # treated as a constant
loss = (w * c).sum()  # d loss / dw = c (not 2c + 2w: c does not depend on w any more)
loss.backward()
print("c =", c, "\nw.grad =", w.grad)

# %% [markdown]
# ## 4 · Non-scalar outputs: `backward(gradient)` · 向量-雅可比积
#
# For a vector output y = f(x), the derivative is a Jacobian matrix J with
# J[i, j] = dy_i/dx_j. Reverse mode never builds J; it computes a **vector-Jacobian product**
# vᵀJ for a vector v you choose, the `gradient` argument. For a scalar loss v = 1, which is why
# `loss.backward()` needs no argument.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x**2  # J = diag(2x)

# %% tags=["raises-exception"]
y.backward()  # y has 3 elements: which combination of their gradients do you want?

# %%
v = torch.tensor([1.0, 0.1, 0.01])
y.backward(gradient=v)
print("vᵀJ =", x.grad, " expected 2·x·v =", 2 * x.detach() * v)

# %% [markdown]
# `y.backward(v)` is the same as `(y * v).sum().backward()`: the weights v pick the
# combination of outputs whose gradient you get.
#
# ## 5 · The graph is freed after backward · `retain_graph`
#
# To compute the gradient, backward needs values saved during the forward pass (for x², it
# needs x). To save memory they are freed as soon as `backward()` has used them. A second
# backward through the same graph therefore fails...

# %%
x = torch.tensor(3.0, requires_grad=True)
y = x.exp() * x

# %%
y.backward()
print(f"first backward: {x.grad.item():.4f}")

# %% tags=["raises-exception"]
y.backward()

# %% [markdown]
# ... unless you ask to keep them with `retain_graph=True`. (Usually you do not need to: build
# a new graph by running the forward pass again.)

# %%
x.grad = None
y = x.exp() * x
y.backward(retain_graph=True)
y.backward()
expected = 2 * (3.0 + 1) * torch.tensor(3.0).exp().item()  # twice d/dx x·e^x = (x + 1) e^x
print(f"two backward passes, gradients added: {x.grad.item():.4f} = {expected:.4f}")

# %% [markdown]
# ## 6 · Higher-order gradients · 高阶导数
#
# With `create_graph=True`, the backward pass is itself recorded as a graph (every backward
# formula in nbtorch is written with tensor operations). The gradient is then a tensor with a
# `grad_fn`, and we can differentiate it again. `autograd.grad` returns gradients instead of
# adding them into `.grad`.
#
# For y = x³: dy/dx = 3x², d²y/dx² = 6x, d³y/dx³ = 6.

# %%
x = torch.tensor(2.0, requires_grad=True)
y = x**3
(dy,) = torch.autograd.grad(y, x, create_graph=True)
(d2y,) = torch.autograd.grad(dy, x, create_graph=True)
(d3y,) = torch.autograd.grad(d2y, x)
print(f"dy/dx = {dy.item()} (3x² = {3 * 2.0**2})")
print(f"d²y/dx² = {d2y.item()} (6x = {6 * 2.0})")
print(f"d³y/dx³ = {d3y.item()}")

# %% [markdown]
# The same works for whole tensors: here the second derivative of sin, at many points at once,
# equals -sin.

# %%
x = torch.linspace(0, 3, 7, dtype=torch.float64, requires_grad=True)
(first,) = torch.autograd.grad(x.sin().sum(), x, create_graph=True)
(second,) = torch.autograd.grad(first.sum(), x)
print("d²/dx² sin(x):", second)
print("-sin(x):      ", -x.detach().sin())
print("equal:", torch.allclose(second, -x.detach().sin()))

# %% [markdown]
# ## 7 · Your own `autograd.Function` · 自定义函数
#
# Every operation in nbtorch is an `autograd.Function` with a `forward` and a `backward`
# (open `nbtorch/_ops/pointwise.py`: `Exp`, `Sin`, `Tanh`, ... are a few lines each). You can
# write your own in the same way. `ctx` is where forward leaves what backward will need.
#
# As an example, the softsign function f(x) = x / (1 + |x|), whose derivative is
# 1 / (1 + |x|)².

# %%
class Softsign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x.abs()) ** 2


x = torch.tensor([-2.0, 0.5, 3.0], requires_grad=True)
y = Softsign.apply(x)
y.sum().backward()
print("softsign(x) =", y)
print("grad        =", x.grad, " expected:", 1 / (1 + x.detach().abs()) ** 2)

# %% [markdown]
# Is the hand-written backward right? `gradcheck` compares it with **finite differences**
# (f(x + ε) - f(x - ε)) / 2ε for every input element. Use float64: float32 rounding is larger
# than the differences being measured. Since our backward is written with tensor operations,
# it can even be differentiated again: `gradgradcheck` checks the second derivatives.

# %%
x64 = torch.randn(5, dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(Softsign.apply, (x64,)))
print("gradgradcheck:", torch.autograd.gradgradcheck(Softsign.apply, (x64,)))

# %% [markdown]
# A wrong backward is caught at once. Here the derivative forgot the square:

# %%
class WrongSoftsign(Softsign):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x.abs())  # should be (1 + |x|)**2


print("gradcheck:", torch.autograd.gradcheck(WrongSoftsign.apply, (x64,), raise_exception=False))

# %% [markdown]
# ## 8 · The graph is built at run time · 动态图
#
# nbtorch records operations *as they run*. Ordinary Python `if` and `for` therefore decide
# which graph gets built, and it can be different for every input. Here the branch depends on
# the data:

# %%
def f(x):
    if x.sum() > 0:  # a Python `if` on the data
        y = x.exp()
    else:
        y = x * x
    for _ in range(2):  # a Python loop: two more multiplications in the graph
        y = y * 0.5
    return y.sum()


for values in ([1.0, 2.0], [-1.0, -2.0]):
    x = torch.tensor(values, requires_grad=True)
    out = f(x)
    out.backward()
    node, names = out.grad_fn, []
    while node is not None and node.next_functions:
        names.append(node.name())
        node = node.next_functions[0][0]
    print(f"x = {values}: graph {' <- '.join(names)}\n    grad = {x.grad}")

# %% [markdown]
# Positive sum: the graph contains `ExpBackward0` and the gradient is exp(x)/4; negative
# sum: `MulBackward0` for x·x and the gradient is 2x/4. The same function built two different
# graphs.
#
# ## 9 · Gradients of reductions: who gets the gradient?
#
# For `sum`, every element gets the whole gradient; for `mean`, 1/n of it. For `max` it
# depends. The maximum of all elements shares the gradient equally between the elements
# that tie for the maximum; `max(dim)` also returns indices, and the gradient goes only to the
# element at the returned index. The derivative of a product is the product of the *other*
# elements, which is still right when an element is zero.

# %%
x = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
x.max().backward()
print("max():       ", x.grad)

x.grad = None
values, indices = x.max(dim=0)
values.backward()
print("max(dim=0):  ", x.grad, " index", indices.item())

x = torch.tensor([2.0, 0.0, 5.0], requires_grad=True)
x.prod().backward()
print("prod() with a zero:", x.grad)

# %% [markdown]
# ## Summary · 小结
#
# - `requires_grad=True` starts the recording; `backward()` applies the chain rule from the
#   output back to the leaves and **adds** into their `.grad`: reset it with `zero_()` (or
#   `optimizer.zero_grad()`).
# - `no_grad()` and `detach()` stop the recording.
# - For a non-scalar output, `backward(v)` computes the vector-Jacobian product vᵀJ.
# - The saved values are freed after `backward()`; `retain_graph=True` keeps them.
# - `create_graph=True` records the backward pass too, so gradients can be differentiated
#   again (x³ → 3x² → 6x → 6).
# - A custom `autograd.Function` needs `forward` and `backward`; check it with `gradcheck`
#   (and `gradgradcheck`) in float64.
# - The graph is built while the code runs, so Python control flow shapes it.
#
# **Exercises (练习):** the autograd exercises in `exercises/source/` ask you to write the
# backward of a Function and pass `gradcheck`. Try first: add a `jvp` to `Softsign`, and write
# a `Function` for f(x) = x·sigmoid(x) (SiLU). Then read `nbtorch/_ops/pointwise.py` and
# `nbtorch/_ops/reduce.py`: every derivative in this chapter is a few lines there. Next chapter: `06_nn_module_and_functional`,
# where the parameters whose gradients we computed get organised into layers.
