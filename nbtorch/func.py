"""Function transforms (函数变换), as in ``torch.func``: functions in, functions out.

``grad(f)`` is a new function that returns the gradient of ``f``; ``jacrev(f)`` and
``jacfwd(f)`` return its Jacobian (雅可比矩阵), by reverse mode (one backward pass per
*output* element) or by forward mode (one forward pass per *input* element);
``hessian(f) = jacfwd(jacrev(f))`` differentiates the gradient once more, forward over reverse.
Transforms compose: ``grad(grad(f))`` is the second derivative.

Underneath are the two mechanisms of ``nbtorch.autograd``: the reverse engine
(``autograd.grad`` with ``create_graph=True``, so an outer transform can differentiate the
result) and dual tensors (``autograd.forward_ad``, one nested level per ``jvp``).

Arguments and results may be tensors or (nested) tuples, lists and dicts of tensors.
"""

from __future__ import annotations

from typing import Any, Callable

from ._tensor import Tensor
from .autograd import forward_ad as fwad
from .autograd.engine import grad as _autograd_grad
from .autograd.grad_mode import enable_grad

_reverse_depth = 0  # how many reverse transforms (grad, vjp, jacrev) are running


# -- pytrees: tensors inside tuples, lists and dicts ---------------------------------------


def _flatten(tree) -> tuple[list, Any]:
    """The leaves of ``tree`` in order, and a spec to rebuild it with ``_unflatten``."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for child in tree:
            sub, spec = _flatten(child)
            leaves += sub
            specs.append((len(sub), spec))
        return leaves, (type(tree), None, specs)
    if isinstance(tree, dict):
        leaves, specs = _flatten(list(tree.values()))
        return leaves, (dict, list(tree.keys()), specs[2])
    return [tree], None


def _unflatten(leaves, spec):
    if spec is None:
        return leaves[0]
    kind, keys, specs = spec
    children, start = [], 0
    for n, sub in specs:
        children.append(_unflatten(leaves[start:start + n], sub))
        start += n
    if kind is dict:
        return dict(zip(keys, children))
    return kind(children)


def _map(fn, tree):
    leaves, spec = _flatten(tree)
    return _unflatten([fn(x) for x in leaves], spec)


def _argnums_tuple(argnums) -> tuple:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _pick(args, argnums):
    """The differentiated arguments: one, or a tuple of them when ``argnums`` is a tuple."""
    if isinstance(argnums, int):
        return args[argnums]
    return tuple(args[n] for n in argnums)


# -- reverse mode: grad, grad_and_value, vjp, jacrev ----------------------------------------


def _track(x):
    """``x`` as a tensor whose gradient can be asked for, keeping everything known about it:
    its reverse history (an alias when it already requires grad, so an outer ``grad`` still
    reaches it) and its forward-mode tangents."""
    if not isinstance(x, Tensor):
        return x
    if x.requires_grad:
        return fwad._Alias.apply(x)
    out = x.detach()
    fwad.copy_tangents(x, out)
    return out.requires_grad_()


def _release(x):
    """``x`` cut from the reverse graph (a plain result), keeping its tangents."""
    return fwad.detach_dual(x) if isinstance(x, Tensor) else x


def _zeros_for_none(grads, inputs):
    from ._creation import zeros_like

    return [zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


class _ReverseCall:
    """One call of ``func`` prepared for reverse mode: inputs tracked, output recorded."""

    def __init__(self, func, args, kwargs, argnums, has_aux, name):
        global _reverse_depth
        args = list(args)
        self.argnums = argnums
        self.keep_graph = _reverse_depth > 0  # an outer reverse transform will differentiate
        for n in _argnums_tuple(argnums):
            self.keep_graph |= any(isinstance(x, Tensor) and x.requires_grad
                                   for x in _flatten(args[n])[0])
            args[n] = _map(_track, args[n])
        self.inputs, self.input_spec = _flatten(_pick(args, argnums))
        _reverse_depth += 1
        try:
            with enable_grad():
                out = func(*args, **kwargs)
        finally:
            _reverse_depth -= 1
        self.aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError(f"{name}(f)(*args): output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")
            out, self.aux = out
        self.output = out
        self.outputs, self.output_spec = _flatten(out)
        for o in self.outputs:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{name}(f)(*args): Expected f(*args) to return only "
                                   f"tensors, got unsupported type {type(o)}")

    def finish(self, x):
        """A result as the caller should see it: with its graph only if someone needs it."""
        return _map(lambda t: t if self.keep_graph else _release(t), x)

    def pullback(self, cotangents: list) -> list:
        """The vector-Jacobian product: the gradient of sum(cotangent * output) per input."""
        global _reverse_depth
        pairs = [(o, v) for o, v in zip(self.outputs, cotangents)
                 if o.requires_grad and v is not None]
        inputs = [x for x in self.inputs if isinstance(x, Tensor)]
        if not pairs:
            return _zeros_for_none([None] * len(inputs), inputs)
        _reverse_depth += 1
        try:
            with enable_grad():
                grads = _autograd_grad([o for o, _ in pairs], inputs, [v for _, v in pairs],
                                       retain_graph=True, create_graph=True, allow_unused=True)
        finally:
            _reverse_depth -= 1
        return _zeros_for_none(grads, inputs)


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """Like ``grad``, but the new function returns ``(gradient, value)`` (with ``has_aux``:
    ``(gradient, (value, aux))``): the value comes for free from the same forward pass."""

    def wrapper(*args, **kwargs):
        call = _ReverseCall(func, args, kwargs, argnums, has_aux, "grad_and_value")
        out = call.output
        if not isinstance(out, Tensor):
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                               f"got {type(out)}")
        if out.dim() != 0:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               f"Tensor, got tensor with {out.dim()} dims. Maybe you wanted to "
                               "use the vjp or jacrev APIs instead?")
        from ._creation import ones_like

        grads = _unflatten(call.pullback([ones_like(out)]), call.input_spec)
        value = call.finish(out)
        if has_aux:
            return call.finish(grads), (value, call.finish(call.aux))
        return call.finish(grads), value

    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """The gradient transform: ``grad(f)(x)`` is df/dx for a function ``f`` returning a
    scalar tensor (梯度). ``argnums`` picks the argument(s) to differentiate (a tuple gives a
    tuple of gradients); with ``has_aux``, ``f`` returns ``(loss, aux)`` and the result is
    ``(gradient, aux)``. Nest it for higher derivatives: ``grad(grad(f))``.

    >>> grad(lambda x: (x ** 3).sum())(nbtorch.tensor([2.0]))   # 3 x^2
    tensor([12.])
    """
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False):
    """Run ``func(*primals)`` and return ``(output, vjp_fn)``; ``vjp_fn(v)`` is the
    vector-Jacobian product v^T J (one backward pass), a tuple with one entry per primal.
    ``v`` has the structure of ``output``. With ``has_aux``: ``(output, vjp_fn, aux)``.
    """
    call = _ReverseCall(func, primals, {}, tuple(range(len(primals))), has_aux, "vjp")

    def vjp_fn(cotangents):
        cots, spec = _flatten(cotangents)
        if len(cots) != len(call.outputs):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function")
        for o, v in zip(call.outputs, cots):
            if v.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output has a shape of "
                                   f"{tuple(v.shape)} and output has a shape of {tuple(o.shape)}")
        return call.finish(_unflatten(call.pullback(cots), call.input_spec))

    if has_aux:
        return call.finish(call.output), vjp_fn, call.finish(call.aux)
    return call.finish(call.output), vjp_fn


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False, chunk_size=None) -> Callable:
    """The Jacobian transform by reverse mode: one backward pass per output element.

    For f: R^n -> R^m this costs m vector-Jacobian products (rows of J), so it wins when
    there are few outputs (a loss: m = 1). The result has shape ``output.shape +
    input.shape``; a tuple per output / per argnum when there are several.
    """

    def wrapper(*args, **kwargs):
        call = _ReverseCall(func, args, kwargs, argnums, has_aux, "jacrev")
        per_output = []
        for m, out in enumerate(call.outputs):
            rows = []
            for r in range(out.numel()):
                cots = [None] * len(call.outputs)
                cots[m] = _basis(out, r)
                rows.append(call.pullback(cots))
            per_output.append(_unflatten(
                [_assemble([row[k] for row in rows], out.shape, x.shape, rows_first=True)
                 for k, x in enumerate(call.inputs)], call.input_spec))
        jac = call.finish(_unflatten(per_output, call.output_spec))
        return (jac, call.finish(call.aux)) if has_aux else jac

    return wrapper


def _basis(like: Tensor, index: int) -> Tensor:
    """The unit tensor e_index with the shape and dtype of ``like``."""
    from ._creation import zeros_like

    e = zeros_like(like)
    e._array.reshape(-1)[index] = 1
    return e


def _assemble(pieces, out_shape, in_shape, rows_first: bool) -> Tensor:
    """Stack Jacobian rows (each shaped like the input) or columns (shaped like the output)
    into one tensor of shape ``out_shape + in_shape``, differentiably."""
    from ._ops.join import stack

    jac = stack(pieces, 0 if rows_first else -1)
    return jac.reshape(tuple(out_shape) + tuple(in_shape))


# -- forward mode: jvp, jacfwd, hessian -----------------------------------------------------


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """Run ``func(*primals)`` with tangents and return ``(output, jvp_out)``: the
    Jacobian-vector product J v in one forward pass (dual tensors, 对偶数).
    ``primals`` and ``tangents`` are tuples with the same structure. With ``has_aux``:
    ``(output, jvp_out, aux)``.
    """
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. "
                           "it should be valid to call f(*primals).")
    flat_p, spec_p = _flatten(primals)
    flat_t, spec_t = _flatten(tangents) if isinstance(tangents, tuple) else ([], None)
    if spec_p != spec_t:
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure. For example, if primals is a tuple of "
                           "3 tensors, tangents also must be.")
    level = fwad._enter_level()
    try:
        duals = [fwad.make_dual(p, t, level=level) for p, t in zip(flat_p, flat_t)]
        out = func(*_unflatten(duals, spec_p))
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("jvp(f, primals, tangents): output of function f should be "
                                   "a tuple: (output, aux) if has_aux is True")
            out, aux = out
        outs, spec = _flatten(out)
        values, jvps = [], []
        for o in outs:
            if not isinstance(o, Tensor):
                raise RuntimeError("jvp(f, primals, tangents): Expected f(*primals) to return "
                                   f"only tensors, got unsupported type {type(o)}")
            value, tangent = fwad.unpack_dual(o, level=level)
            if tangent is None:
                from ._creation import zeros_like

                tangent = zeros_like(o)
            values.append(value)
            jvps.append(tangent)
    finally:
        fwad.exit_dual_level(level=level)
    result = (_unflatten(values, spec), _unflatten(jvps, spec))
    return (*result, aux) if has_aux else result


def jacfwd(func: Callable, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian transform by forward mode: one ``jvp`` per input element.

    For f: R^n -> R^m this costs n Jacobian-vector products (columns of J), so it wins when
    there are few inputs and many outputs. Same result layout as ``jacrev``.
    """

    def wrapper(*args, **kwargs):
        inputs, in_spec = _flatten(_pick(args, argnums))

        def along(*xs):  # func of the (flattened) differentiated arguments only
            full = list(args)
            chosen = _unflatten(list(xs), in_spec)
            for n, x in zip(_argnums_tuple(argnums), (chosen,) if isinstance(argnums, int)
                            else chosen):
                full[n] = x
            return func(*full, **kwargs)

        columns = [[] for _ in inputs]  # per input: per element, the flat output tangents
        for k, x in enumerate(inputs):
            for j in range(x.numel()):
                tangents = tuple(_basis(x, j) if i == k else _zeros(y)
                                 for i, y in enumerate(inputs))
                out, tangent_out, *aux = jvp(along, tuple(inputs), tangents, has_aux=has_aux)
                columns[k].append(_flatten(tangent_out)[0])
        outs, out_spec = _flatten(out)
        jac = _unflatten([
            _unflatten([_assemble([col[m] for col in columns[k]], o.shape, x.shape,
                                  rows_first=False) for k, x in enumerate(inputs)], in_spec)
            for m, o in enumerate(outs)], out_spec)
        return (jac, aux[0]) if has_aux else jac

    return wrapper


def _zeros(x):
    from ._creation import zeros_like

    return zeros_like(x)


def hessian(func: Callable, argnums=0) -> Callable:
    """The Hessian (黑塞矩阵) transform: ``jacfwd(jacrev(func))``, forward over reverse.

    The inner reverse pass gives the gradient (one backward pass for a scalar ``func``);
    the outer forward mode differentiates that gradient once per input element.
    """
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap ---------------------------------------------------------------------------------------


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size=None) -> Callable:
    """Vectorizing map: ``vmap(f)(xs)`` applies ``f`` to each slice ``xs[i]`` along
    ``in_dims`` and stacks the results along ``out_dims``.

    ``in_dims`` is an int for every argument, or one entry per argument (None: not batched,
    passed as it is). Here ``f`` runs once per slice (a loop), so ``f`` needs no batched
    version; the results equal PyTorch's.
    """

    def wrapper(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             f"compatible with the structure of `inputs`. in_dims has {len(dims)} "
                             f"entries but inputs has {len(args)}.")
        sizes = set()
        for a, d in zip(args, dims):
            if d is not None:
                sizes.update(t.shape[d] for t in _flatten(a)[0] if isinstance(t, Tensor))
        if not sizes:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): at least one input "
                             "must be a Tensor batched along an in_dim (in_dims all None?)")
        if len(sizes) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
        (size,) = sizes
        results = []
        for b in range(size):
            sliced = [a if d is None else _map(lambda t, d=d, b=b: _select(t, d, b), a)
                      for a, d in zip(args, dims)]
            results.append(_flatten(func(*sliced, **kwargs)))
        spec = results[0][1]
        outs = []
        n_out = len(results[0][0])
        odims = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * n_out
        from ._ops.join import stack

        for k in range(n_out):
            outs.append(stack([leaves[k] for leaves, _ in results], odims[k]))
        return _unflatten(outs, spec)

    return wrapper


def _select(t, dim: int, index: int):
    if not isinstance(t, Tensor):
        return t
    dim = dim + t.dim() if dim < 0 else dim
    return t[(slice(None),) * dim + (index,)]


__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp", "vmap"]
