"""The reverse-mode engine: run the recorded graph backwards.

1. Walk the graph from the outputs (iteratively: no recursion, so a 100,000-op chain is
   fine) and count, for every node, how many edges point into it.
2. Start with the given gradients in the root nodes' buffers. A node is *ready* when every
   node that feeds it a gradient has run (its count reaches zero); then its buffered
   gradients are complete, and its ``backward`` produces the gradients of its inputs, which
   are added into the buffers of the next nodes.
3. At the leaves, ``AccumulateGrad`` adds into ``.grad`` (``backward``), or the gradient is
   captured and returned (``autograd.grad``).

The backward functions are Tensor code: with ``create_graph=True`` grad mode stays on while
they run, so the gradient has a graph of its own and can be differentiated again.
"""

from __future__ import annotations

from .. import _backend
from .._dtype import _FROM_NUMPY
from .._tensor import Tensor
from .function import AccumulateGrad
from .grad_mode import _State


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _make_root_grads(outputs, grad_outputs):
    """Check the outputs and give each its starting gradient (ones for a scalar)."""
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs: got {len(outputs)} "
            f"outputs and {len(grad_outputs)} gradients"
        )
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            from .._creation import ones_like

            g = ones_like(out)
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradient must be a Tensor or None, got {type(g).__name__}")
        elif g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
                f"output[{i}] has a shape of {tuple(out.shape)}."
            )
        roots.append((out._gradient_edge(), g))
    return roots


def _collect(roots, targets):
    """Count incoming edges per node, and find the nodes that lead to a target.

    ``targets`` is None for ``backward`` (every node is needed) or the set of nodes whose
    gradients ``autograd.grad`` returns; nodes from which no target can be reached are
    skipped there, so unrelated parts of the graph cost nothing.
    """
    dependencies: dict = {}  # also the set of nodes seen so far (besides the roots)
    children: dict | None = None if targets is None else {}
    starts = {edge[0]: None for edge, _ in roots}  # the root nodes, each once, in order
    stack = list(starts)
    while stack:
        node = stack.pop()
        kids = [e[0] for e in node._edges if e is not None and e[0] is not None]
        if children is not None:
            children[node] = kids
        for child in kids:
            if child in dependencies:
                dependencies[child] += 1
            else:
                dependencies[child] = 1
                if child not in starts:
                    stack.append(child)
    if targets is None:
        return dependencies, None
    # A node is needed if it is a target or any child is needed. Walk a post-order.
    needed = set()
    visited = set()
    for start in starts:
        if start in visited:
            continue
        visited.add(start)
        work = [(start, iter(children[start]))]
        while work:
            node, it = work[-1]
            child = next(it, None)
            if child is None:
                work.pop()
                if node in targets or any(c in needed for c in children[node]):
                    needed.add(node)
            elif child not in visited:
                visited.add(child)
                work.append((child, iter(children[child])))
    return dependencies, needed


def run_backward(roots, retain_graph: bool, create_graph: bool, capture=None):
    """Execute the graph from ``roots`` (``[((node, output_nr), grad), ...]``).

    ``capture`` maps ``(node, output_nr)`` edges to a slot index: their total gradients are
    returned in a list instead of being accumulated into leaves.
    """
    capture_nodes = None if capture is None else {edge[0] for edge in capture}
    dependencies, needed = _collect(roots, capture_nodes)
    buffers: dict = {}
    for (node, nr), g in roots:
        _add_to_buffer(buffers, node, nr, g)
    ready = [node for node in {edge[0]: None for edge, _ in roots} if not dependencies.get(node)]
    captured = None if capture is None else [None] * len(capture)

    prev_mode = _State.grad_enabled
    _State.grad_enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            input_grads = None
            if grads is not None and (needed is None or node in needed):
                if node._tensor_hooks:
                    grads = _call_tensor_hooks(node, grads)
                if capture is not None:
                    for nr, g in enumerate(grads):
                        slot = capture.get((node, nr))
                        if slot is not None:
                            captured[slot] = g
                if node.__class__ is AccumulateGrad:
                    if capture is None and grads[0] is not None:
                        node.accumulate(grads[0], create_graph)
                else:
                    input_grads = _call_backward(node, grads)
            if not retain_graph and node._saved:
                node._release()
            for i, edge in enumerate(node._edges):
                if edge is None or edge[0] is None:
                    continue
                child = edge[0]
                # (no local name for the gradient: a leftover reference would make AccumulateGrad
                # think someone else holds it, and copy it)
                if input_grads is not None and input_grads[i] is not None:
                    if child in buffers or len(child._output_meta) > 1:
                        _add_to_buffer(buffers, child, edge[1], input_grads[i])
                    else:
                        buffers[child] = [input_grads[i]]  # a one-output node's first gradient
                left = dependencies[child] - 1
                dependencies[child] = left
                if left == 0:
                    ready.append(child)
    finally:
        _State.grad_enabled = prev_mode
    return captured


def _add_to_buffer(buffers, node, nr, grad):
    """Sum gradients arriving at the same output of a node.

    Without ``create_graph`` the sum needs no graph: the second gradient makes a new array
    that the buffer owns (``_OwnedSum``), and later ones are added into it in place.
    """
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node._output_meta)
    old = slots[nr]
    if old is None:
        slots[nr] = grad
    elif _State.grad_enabled:
        slots[nr] = old + grad  # create_graph: the sum is part of the new graph
    elif old.__class__ is _OwnedSum:
        old._array += grad._array
    else:
        total = old._array.copy()  # copy, then add in place: a 0-d sum stays an array
        total += grad._array
        slots[nr] = _OwnedSum._make(total)


class _OwnedSum(Tensor):
    """A gradient sum created by the engine itself, safe to add into in place."""


def _call_tensor_hooks(node, grads):
    grads = list(grads)
    for nr, fns in node._tensor_hooks.items():
        if nr < len(grads) and grads[nr] is not None:
            for fn in list(fns):
                new = fn(grads[nr])
                if new is not None:
                    grads[nr] = new
    return grads


def _call_backward(node, grads):
    """Run one node's backward; return a gradient (or None) per edge, checked."""
    if len(grads) > 1 and any(g is None for g in grads):
        if all(g is None for g in grads):
            return None
        if node._materialize_grads:
            B = _backend.backend_of(next(g for g in grads if g is not None)._array)
            grads = [
                Tensor._make(B.zeros(shape, dtype=np_dtype)) if g is None else g
                for g, (shape, np_dtype) in zip(grads, node._output_meta)
            ]
    result = node._fn.backward(node, *grads)
    if type(result) is not tuple:
        result = (result,)
    edges = node._edges
    if len(result) != len(edges):
        if len(result) > len(edges) and all(g is None for g in result[len(edges):]):
            result = result[:len(edges)]  # extra trailing Nones are allowed, as in PyTorch
        else:
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients "
                f"(expected {len(edges)}, got {len(result)})"
            )
    checked = None  # becomes a list when a gradient has to be changed
    for i, g in enumerate(result):
        if g is None:
            continue
        edge = edges[i]  # (node, output_nr, shape, dtype)
        if edge is None or edge[0] is None:  # not a tensor, or one that needs no gradient
            g = None
        elif not isinstance(g, Tensor):
            raise TypeError(
                f"function {node.name()} returned a gradient of type {type(g).__name__} at "
                f"index {i}; expected a Tensor or None"
            )
        elif g._array.shape == edge[2] and g._array.dtype == edge[3] and not _State.anomaly:
            continue  # the usual case: nothing to change
        else:
            g = _conform(g, edge, node, i)
        if checked is None:
            checked = list(result)
        checked[i] = g
    return result if checked is None else checked


def _conform(g, edge, node, i):
    """Give gradient ``g`` the shape (undoing broadcasting) and dtype of the input it is
    for; in anomaly mode, also check it for NaN."""
    shape, np_dtype = edge[2], edge[3]
    if g._array.shape != shape:
        g = _sum_to_or_raise(g, shape, node, i)
    if g._array.dtype != np_dtype:
        g = g.to(_FROM_NUMPY[np_dtype])
    if _State.anomaly:
        _check_nan(node, i, g)
    return g


def _sum_to_or_raise(g, shape, node, i):
    from .._ops.reduce import sum_to_size

    gshape = tuple(g._array.shape)
    lead = len(gshape) - len(shape)
    fits = lead >= 0 and all(s in (1, gs) for s, gs in zip(shape, gshape[lead:]))
    if not fits:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {i} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )
    return sum_to_size(g, shape)


def _check_nan(node, i, g):

    B = _backend.backend_of(g._array)
    if g.dtype.is_floating_point and bool(B.any(B.isnan(g._array))):
        trace = getattr(node, "_forward_trace", "")
        raise RuntimeError(
            f"Function '{node.name()}' returned nan values in its {i}th output.\n"
            f"The forward call that created it:\n{trace}"
        )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute gradients of ``tensors`` and accumulate them into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    roots = _make_root_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        grads = grad(tensors, inputs, grad_tensors, retain_graph, create_graph, allow_unused=True)
        for t, g in zip(inputs, grads):
            if g is None:
                continue
            if t.is_leaf:
                t._gradient_edge()[0].accumulate(g, create_graph)
            else:
                t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(roots, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (leaves untouched).

    ``grad(y, x)`` is ``dy/dx`` for a scalar ``y``. ``.grad`` fields are not changed.
    With ``create_graph=True`` the result has a graph, for higher derivatives.
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (index {i}) does not "
                               "require grad")
    roots = _make_root_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {}
    for i, t in enumerate(inputs):
        capture.setdefault(t._gradient_edge(), i)
    captured = run_backward(roots, retain_graph, create_graph, capture)
    result = []
    for t in inputs:
        g = captured[capture[t._gradient_edge()]]
        if g is None:
            if materialize_grads:
                from .._creation import zeros_like

                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
