# %% [markdown]
# # Exercise 4 · A tiny autograd engine · 微型自动微分引擎
#
# **Chapter 03 (computational graphs 计算图)**, with chapter 05 (reverse mode 反向模式).
#
# `Value` holds one number (`data`), its gradient (`grad`, 梯度) and the values it was
# computed from (`children`, its inputs). Each operation creates a new `Value` and a small
# function `_backward` that, knowing `out.grad`, **adds** the gradient contributions to the
# inputs' `.grad` (local derivative × `out.grad`, the chain rule 链式法则).
#
# Your tasks, marked `# YOUR CODE HERE`:
#
# 1. the `_backward` of `__mul__` and of `tanh` ($\tanh'(x) = 1 - \tanh^2(x)$);
# 2. `topological_order()`: every node of the graph exactly once, each node **after** all its
#    inputs (拓扑排序). Graphs can be thousands of nodes deep: use an explicit stack, not
#    recursion (递归);
# 3. `backward()`: set this node's gradient to 1, then call `_backward` of every node in
#    **reverse** topological order, so a node passes its gradient on only after everything
#    that uses it has added its part.
#
# `+=` (accumulation, 累加) matters: a value used twice receives two contributions.
# `check.ex4(Value)` compares your gradients with nbtorch's own autograd on the same
# expressions.

# %%
import math

from nbtorch.exercises import check


# %% solution="value"
class Value:
    """A scalar in a computational graph."""

    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self._backward = lambda: None  # adds this node's gradient into its children's

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
            ### END SOLUTION

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def _backward():
            ### BEGIN SOLUTION
            self.grad += (1 - t * t) * out.grad
            ### END SOLUTION

        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def topological_order(self):
        """Every node that self depends on (and self), each after all of its children."""
        ### BEGIN SOLUTION
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in node.children if id(c) not in visited)
        return order
        ### END SOLUTION

    def backward(self):
        """Fill .grad of every node: d(self)/d(node)."""
        ### BEGIN SOLUTION
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            node._backward()
        ### END SOLUTION


# %% [markdown]
# ## 4.1 The backward of `*` and `tanh` (1 point each)

# %% test="test_mul" points=1
check.ex4(Value, part="mul")
### BEGIN HIDDEN TESTS
_a, _b = Value(-1.25), Value(0.5)
_c = _a * _b * 3.0
_c.backward()
assert math.isclose(_a.grad, 1.5) and math.isclose(_b.grad, -3.75), (_a.grad, _b.grad)
### END HIDDEN TESTS

# %% test="test_tanh" points=1
check.ex4(Value, part="tanh")
### BEGIN HIDDEN TESTS
_a = Value(1.7)
_c = _a.tanh().tanh()
_c.backward()
_expected = (1 - math.tanh(math.tanh(1.7)) ** 2) * (1 - math.tanh(1.7) ** 2)
assert math.isclose(_a.grad, _expected, rel_tol=1e-12), _a.grad
### END HIDDEN TESTS

# %% [markdown]
# ## 4.2 Topological order and backward · 拓扑排序 (2 points)

# %% test="test_order" points=2
check.ex4(Value, part="order")
### BEGIN HIDDEN TESTS
# a deep chain: recursion would exceed Python's limit
_x = Value(0.5)
_y = _x
for _ in range(3000):
    _y = _y * 1.0 + 0.0
_y.backward()
assert math.isclose(_x.grad, 1.0), _x.grad
assert len(_y.topological_order()) == 1 + 3000 * 4
# a graph with shared sub-expressions
_a = Value(0.3)
_b = _a * _a
_c = _b * _b + _b
_c.backward()
assert math.isclose(_a.grad, 4 * 0.3 ** 3 + 2 * 0.3, rel_tol=1e-12), _a.grad
### END HIDDEN TESTS

# %% [markdown]
# ## 4.3 Accumulation · 梯度累加 (1 point)

# %% test="test_accumulation" points=1
check.ex4(Value, part="accumulation")
### BEGIN HIDDEN TESTS
_a, _b = Value(2.0), Value(-3.0)
_c = _a * _b + _a * _a * _b + _b
_c.backward()
assert math.isclose(_a.grad, -3.0 + 2 * 2.0 * -3.0), _a.grad
assert math.isclose(_b.grad, 2.0 + 4.0 + 1.0), _b.grad
### END HIDDEN TESTS
