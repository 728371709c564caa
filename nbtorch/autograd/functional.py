"""``autograd.functional``: Jacobians, Hessians and their products for a function of tensors.

The older interface to what ``nbtorch.func`` does with transforms: here you pass the function
*and* the point, ``jacobian(f, x)``, and get numbers back. ``inputs`` is a tensor or a tuple
of tensors (the arguments of ``func``); results mirror that structure, as in PyTorch.

* ``vjp(f, x, v)``: v^T J, one backward pass (reverse mode, 反向模式).
* ``jvp(f, x, v)``: J v, one forward pass with dual tensors (forward mode, 前向模式).
* ``jacobian``: the whole J, row by row (reverse) or column by column (forward).
* ``hessian``, ``hvp`` (H v, forward over reverse), ``vhp`` (v^T H, reverse over reverse).

Results are detached unless ``create_graph=True``. ``strict`` and ``vectorize`` are accepted
for compatibility and ignored (an output independent of the input gets zeros).
"""

from __future__ import annotations

from typing import Callable

from .. import func as _func
from .._tensor import Tensor


def _as_tuple(inputs, what: str, fn_name: str) -> tuple[tuple, bool]:
    """``inputs`` as a tuple of tensors, and whether it was a tuple already."""
    if isinstance(inputs, Tensor):
        return (inputs,), False
    if isinstance(inputs, tuple) and all(isinstance(t, Tensor) for t in inputs):
        return inputs, True
    raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the given {what} has type {type(inputs)}.")


def _finish(result, create_graph: bool):
    """Detach every tensor in ``result`` (nested tuples) unless a graph was asked for."""
    if isinstance(result, tuple):
        return tuple(_finish(r, create_graph) for r in result)
    return result if create_graph or result is None else result.detach()


def _default_v(v, like: tuple, what: str):
    """The vector ``v`` as a tuple; None is allowed only for a single one-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {what} is a single "
                               "Tensor with a single element.")
        from .._creation import ones_like

        return (ones_like(like[0]),)
    return _as_tuple(v, "v", "the function")[0]


def _scalar(func: Callable, fn_name: str) -> Callable:
    """``func`` checked to return one element, returned as a 0-d tensor."""

    def scalar(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                               "contain a single element")
        return out.reshape(())

    return scalar


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product, one backward pass.

    ``v`` has the shape of the output (it may be omitted for a one-element output).
    """
    xs, is_tuple = _as_tuple(inputs, "inputs", "vjp")
    out, vjp_fn = _func.vjp(func, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    vs = _default_v(v, outs, "user-provided function returns")
    grads = vjp_fn(vs if isinstance(out, tuple) else vs[0])
    return _finish(out, create_graph), _finish(grads if is_tuple else grads[0], create_graph)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, one forward pass with dual
    tensors. ``v`` has the shape of the inputs (it may be omitted for one-element inputs)."""
    xs, _ = _as_tuple(inputs, "inputs", "jvp")
    vs = _default_v(v, xs, "input to the user-provided function")
    out, tangent = _func.jvp(func, xs, vs)
    return _finish(out, create_graph), _finish(tangent, create_graph)


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian (雅可比矩阵) of ``func`` at ``inputs``: for output y and input x, a tensor
    of shape ``y.shape + x.shape`` holding dy_i/dx_j.

    ``strategy="reverse-mode"`` builds it one row per backward pass (cheap for few outputs),
    ``"forward-mode"`` one column per forward pass (cheap for few inputs). Several inputs or
    outputs give tuples: ``result[i][j]`` is output i by input j.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: '
                         'If your function has more outputs than inputs, "forward-mode" tends to '
                         'be more performant. Otherwise, prefer to use "reverse-mode".')
    xs, is_tuple = _as_tuple(inputs, "inputs", "jacobian")
    transform = _func.jacrev if strategy == "reverse-mode" else _func.jacfwd
    jac = transform(func, argnums=tuple(range(len(xs))))(*xs)
    if not is_tuple:  # one input: drop the per-input tuple level
        jac = tuple(j[0] for j in jac) if isinstance(jac[0], tuple) else jac[0]
    return _finish(jac, create_graph)


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian (黑塞矩阵) of a scalar ``func``: the Jacobian of its gradient, of shape
    ``x.shape + x.shape``; ``result[i][j]`` for inputs i and j when ``inputs`` is a tuple."""
    xs, is_tuple = _as_tuple(inputs, "inputs", "hessian")
    nums = tuple(range(len(xs)))
    inner = _func.jacrev(_scalar(func, "hessian"), argnums=nums)
    outer = _func.jacfwd if outer_jacobian_strategy == "forward-mode" else _func.jacrev
    h = outer(inner, argnums=nums)(*xs)
    return _finish(h if is_tuple else h[0][0], create_graph)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)``: the Hessian-vector product without forming H, by forward
    mode over reverse mode: the jvp (along v) of the gradient. Costs about two gradients."""
    xs, is_tuple = _as_tuple(inputs, "inputs", "hvp")
    vs = _default_v(v, xs, "input to the user-provided function")
    grad_and_value = _func.grad_and_value(_scalar(func, "hvp"), argnums=tuple(range(len(xs))))
    _, hv, value = _func.jvp(grad_and_value, xs, vs, has_aux=True)
    return _finish(value, create_graph), _finish(hv if is_tuple else hv[0], create_graph)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)``: the vector-Hessian product, by reverse mode over reverse
    mode: the vjp (with v) of the gradient. Equal to ``hvp`` as H is symmetric."""
    xs, is_tuple = _as_tuple(inputs, "inputs", "vhp")
    vs = _default_v(v, xs, "input to the user-provided function")
    grad_and_value = _func.grad_and_value(_scalar(func, "vhp"), argnums=tuple(range(len(xs))))
    _, vjp_fn, value = _func.vjp(grad_and_value, *xs, has_aux=True)
    vh = vjp_fn(vs)
    return _finish(value, create_graph), _finish(vh if is_tuple else vh[0], create_graph)


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
