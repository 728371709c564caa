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
# # 03 · Computational graphs · 计算图
#
# Every time you compute with tensors that require gradients, nbtorch writes down *what* you
# computed: a **computational graph** (计算图). Backpropagation (反向传播) is nothing but
# walking that graph backwards and applying the chain rule (链式法则) at every node.
#
# **Goals of this notebook (学习目标)**
#
# 1. Build the course notes' graph `y = sin(a·x + b)` by running code, and look at it.
# 2. Read the graph as nbtorch stores it: `grad_fn` and `next_functions`.
# 3. Use the graph backwards by hand, and check against `backward()`.
# 4. See that the graph is built anew on every run (define-by-run, 动态图) and may change
#    from run to run.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | computational graph | 计算图 | `y.grad_fn` and what it points to |
# | node, edge | 节点, 边 | an operation, and the tensor flowing between two operations |
# | operation node | 运算节点 | `MulBackward0`, `AddBackward0`, ... |
# | leaf (variable) node | 叶子节点 | a tensor you made with `requires_grad=True` |
# | chain rule | 链式法则 | what each `backward` applies locally |
# | backpropagation | 反向传播 | `y.backward()` |
# | define-by-run (dynamic graph) | 动态图 | the graph is recorded while your Python code runs |
# | static graph | 静态图 | a graph declared first and run later (TensorFlow 1, JAX's jit) |

# %%
import nbtorch as torch
from nbtorch import viz

torch.manual_seed(0)

# %% [markdown]
# ## 1. A graph built by running code
#
# The course notes draw three variable nodes `x`, `a`, `b` and three operation nodes `*`, `+`,
# `sin`: the function `y = sin(a·x + b)`. In nbtorch we just compute it. Because `x`, `a`
# and `b` require gradients, every operation on them is recorded.

# %%
x = torch.tensor(2.0, requires_grad=True)
a = torch.tensor(0.5, requires_grad=True)
b = torch.tensor(0.3, requires_grad=True)

u = a * x  # operation node: *
v = u + b  # operation node: +
y = torch.sin(v)  # operation node: sin
print(u, v, y, sep="\n")

# %% [markdown]
# Each result remembers the operation that made it in `grad_fn` (the *gradient function*:
# the node that knows how to send gradients back). Leaves (叶子节点) have none.

# %%
print("y.grad_fn:", y.grad_fn.name())
print("v.grad_fn:", v.grad_fn.name())
print("u.grad_fn:", u.grad_fn.name())
print("x.grad_fn:", x.grad_fn, " x.is_leaf:", x.is_leaf)

# %% [markdown]
# The edges are in `next_functions`: for every input of an operation, the node its gradient
# goes to next. At a leaf the gradient is collected by an `AccumulateGrad` node, which adds it
# into `.grad`. Here is a small function that walks the graph and prints it as a tree.


# %%
def print_graph(fn, names, indent=0):
    """Print an autograd graph from ``fn`` down to the leaves."""
    if fn is None:
        return
    label = fn.name()
    if label == "AccumulateGrad":
        label += f"  -> leaf {names.get(id(fn.variable), '?')}"
    print("    " * indent + label)
    for child, _ in fn.next_functions:
        print_graph(child, names, indent + 1)


names = {id(x): "x", id(a): "a", id(b): "b"}
print_graph(y.grad_fn, names)

# %% [markdown]
# `viz.draw_graph` draws the same graph: operation nodes are grey ellipses, tensors are boxes
# (leaves blue, the result green). Arrows go the way the data flowed forward. (The picture
# comes from graphviz when it is installed, otherwise from nbtorch's own layout.)

# %% tags=["nbval-ignore-output"]
viz.draw_graph(y, params={"x": x, "a": a, "b": b})

# %% [markdown]
# The drawing also exists as text, in graphviz's DOT language. It lists the same nodes
# and edges:

# %%
print(viz.draw_graph(y, params={"x": x, "a": a, "b": b}).source)

# %% [markdown]
# ## 2. Using the graph backwards · 反向使用计算图
#
# To get dy/dx, dy/da and dy/db we start at `y` with dy/dy = 1 and visit the nodes in
# reverse. Each node multiplies the incoming gradient by its *local* derivative
# (the chain rule):
#
# | node | forward | local derivatives | gradient sent back |
# |---|---|---|---|
# | sin | y = sin(v) | dy/dv = cos(v) | ḡ_v = 1 · cos(v) |
# | + | v = u + b | dv/du = 1, dv/db = 1 | ḡ_u = ḡ_v, ḡ_b = ḡ_v |
# | * | u = a · x | du/da = x, du/dx = a | ḡ_a = ḡ_u · x, ḡ_x = ḡ_u · a |
#
# By hand, with plain Python numbers:

# %%
import math

g_v = math.cos(v.item())
g_u, g_b = g_v, g_v
g_a, g_x = g_u * x.item(), g_u * a.item()
print(f"by hand:  dy/dx = {g_x:.6f}  dy/da = {g_a:.6f}  dy/db = {g_b:.6f}")

# %% [markdown]
# `y.backward()` does exactly this walk. The engine first counts, for every node, how many
# gradients will arrive, then runs each node once all its gradients are in (a topological
# order), and finally the `AccumulateGrad` nodes store the results in `.grad`.

# %%
y.backward()
print(f"backward: dy/dx = {x.grad.item():.6f}  dy/da = {a.grad.item():.6f}  "
      f"dy/db = {b.grad.item():.6f}")

# %% [markdown]
# After `backward()` the drawing shows the gradients in the leaf boxes:

# %% tags=["nbval-ignore-output"]
viz.draw_graph(y, params={"x": x, "a": a, "b": b})

# %% [markdown]
# The graph is freed after `backward()` (its saved values are released to save memory).
# A second call raises an error unless the first one was `backward(retain_graph=True)`:

# %% tags=["raises-exception"]
y.backward()

# %% [markdown]
# ## 3. A value used twice: gradients add up
#
# When a tensor feeds two operations, its node has two outgoing edges and the gradients
# from both paths are **summed** (求和). Here `z = x·x + sin(x)`, so dz/dx = 2x + cos(x).

# %%
x = torch.tensor(2.0, requires_grad=True)
z = x * x + torch.sin(x)
print_graph(z.grad_fn, {id(x): "x"})
z.backward()
print("dz/dx =", x.grad.item(), " expected:", 2 * 2.0 + math.cos(2.0))

# %% [markdown]
# ## 4. Define-by-run: the graph follows your Python code · 动态图
#
# nbtorch (like PyTorch) records the graph *while* your code runs. Ordinary Python — `if`,
# `for`, function calls — decides which operations happen, so the graph can be different
# every time. The function below squares its input until the value is larger than 10:
# how many `Pow`/`Mul` nodes the graph gets depends on the data.


# %%
def grow(t):
    """Multiply t by itself until it exceeds 10; the loop length depends on t's value."""
    while t.abs().item() <= 10:
        t = t * t
    return t


def count_ops(fn):
    """Count the operation nodes reachable from ``fn`` (leaves not counted)."""
    seen, stack = set(), [fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or node.name() == "AccumulateGrad":
            continue
        seen.add(id(node))
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)


for start in (1.5, 3.0, 11.0):
    t = torch.tensor(start, requires_grad=True)
    out = grow(t)
    n = count_ops(out.grad_fn) if out.grad_fn is not None else 0
    if out.requires_grad and out.grad_fn is not None:
        out.backward()
        grad = t.grad.item()
    else:
        grad = "none (no operation was recorded)"
    print(f"start {start:5}: result {out.item():12.1f}, {n} operation nodes, d out/d t = {grad}")

# %% [markdown]
# For `start = 11` the loop body never ran: `out` *is* the leaf `t`, there is no graph at all.
# A framework with a **static graph** (静态图) would have to express the loop as a graph
# operation of its own (`while_loop`), decided before seeing any data. Define-by-run is why
# PyTorch-style code is easy to debug: the graph is exactly the code that ran, and you can
# `print` anything in the middle.
#
# The graph of a small network looks the same, only bigger. A linear layer and a loss:

# %%
w = torch.randn(3, 2, requires_grad=True)
bias = torch.zeros(2, requires_grad=True)
inputs = torch.randn(4, 3)
target = torch.randn(4, 2)
loss = ((inputs @ w + bias - target) ** 2).mean()
print_graph(loss.grad_fn, {id(w): "w", id(bias): "bias"})

# %% tags=["nbval-ignore-output"]
viz.draw_graph(loss, params={"w": w, "bias": bias})

# %% [markdown]
# Notice what is *not* in the graph: `inputs` and `target` do not require gradients, so no
# gradient is sent to them and they appear only as constants inside the operations.
#
# ## Summary · 小结
#
# - Computing with tensors that require gradients records a **computational graph**:
#   operation nodes (`grad_fn`) linked by `next_functions` down to the leaves.
# - `backward()` walks it in reverse topological order, applying the chain rule locally at each
#   node; gradients of a value used several times are summed.
# - The graph is freed after `backward()` unless `retain_graph=True`.
# - nbtorch builds the graph **by running your code** (define-by-run): control flow decides its
#   shape, and it can change from one run to the next.
#
# **Exercises (练习):** `exercises/source/ex04_scalar_autograd` asks you to write a tiny scalar
# autograd engine — record a graph, sort it topologically, accumulate gradients. Next chapter:
# `04_forward_mode_ad`, the other way to walk a graph.
