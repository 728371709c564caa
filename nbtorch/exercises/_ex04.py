"""Checker of exercise 4 (chapter 03, computational graphs): a tiny scalar autograd engine.

The oracle is nbtorch's own engine: the same expression is built from float64 tensors and
its gradients are compared with the ones the student's ``Value`` computes.
"""

from __future__ import annotations

from ._feedback import expect_close, fail, run_parts


def _compare(Value, what: str, build, inputs: list[float]) -> None:
    """Build the expression from Values and from tensors; compare value and gradients."""
    import nbtorch

    values = [Value(x) for x in inputs]
    out = build(*values)
    out.backward()
    tensors = [nbtorch.tensor(x, dtype=nbtorch.float64, requires_grad=True) for x in inputs]
    expected = build(*tensors)
    expected.backward()
    expect_close(f"{what}: value", out.data, expected.item())
    for k, (v, t) in enumerate(zip(values, tensors), 1):
        expect_close(f"{what}: gradient of input {k} (.grad)", v.grad, t.grad.item())


def _tanh(v):
    return v.tanh()


def _mul(Value) -> None:
    _compare(Value, "z = x * y", lambda x, y: x * y, [3.0, -2.0])
    _compare(Value, "z = x * y + x", lambda x, y: x * y + x, [1.5, 4.0])


def _tanh_part(Value) -> None:
    _compare(Value, "z = tanh(x)", _tanh, [0.7])
    _compare(Value, "z = tanh(x * y)", lambda x, y: _tanh(x * y), [0.5, -1.5])


def _reachable(root) -> list:
    seen, todo = {id(root): root}, [root]
    while todo:
        for child in todo.pop().children:
            if id(child) not in seen:
                seen[id(child)] = child
                todo.append(child)
    return list(seen.values())


def _order(Value) -> None:
    # a diamond: b and c both use a, d uses both; a's gradient needs d, b and c first.
    a = Value(0.3)
    b, c = (a * 2.0).tanh(), a + 1.0
    d = b * c
    order = d.topological_order()
    nodes = _reachable(d)
    if sorted(map(id, order)) != sorted(map(id, nodes)):
        fail(f"d.topological_order() should list each of the {len(nodes)} nodes of the graph "
             f"exactly once, got {len(order)} entries")
    position = {id(n): i for i, n in enumerate(order)}
    for node in nodes:
        for child in node.children:
            if position[id(child)] > position[id(node)]:
                fail(f"in d.topological_order(), Value(data={child.data:.4g}) comes after "
                     f"Value(data={node.data:.4g}), which uses it: inputs must come first")
    _compare(Value, "diamond a -> (b, c) -> d", lambda a: _tanh(a * 2.0) * (a + 1.0), [0.3])


def _accumulation(Value) -> None:
    _compare(Value, "z = x * x (x used twice)", lambda x: x * x, [3.0])
    _compare(Value, "z = x * x + x * y", lambda x, y: x * x + x * y, [1.25, -0.5])


def ex4(Value, part: str | None = None) -> None:
    """Check your ``Value`` class (exercise 4, chapter 03) against nbtorch's autograd.

    Parts: ``mul`` (the backward of ``*``), ``tanh``, ``order`` (``topological_order()``
    puts every node after its inputs, and backward follows it in reverse),
    ``accumulation`` (a value used twice gets both gradients added).
    """
    parts = {"mul": _mul, "tanh": _tanh_part, "order": _order, "accumulation": _accumulation}
    run_parts("ex4", {name: (lambda f=f: f(Value)) for name, f in parts.items()}, part)
