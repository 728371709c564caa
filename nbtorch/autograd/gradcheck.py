"""``gradcheck``: compare backward's gradients with finite differences.

For a function f and each input element x_j, the numerical derivative is the central
difference (f(x + eps e_j) - f(x - eps e_j)) / (2 eps); backward gives the analytical one,
one output element at a time (a vector-Jacobian product with a unit vector). Both Jacobians
must agree. Use float64 inputs: float32 rounding swamps the differences.
"""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when the Jacobians differ."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_inputs(inputs):
    from .._tensor import Tensor

    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    from .._tensor import Tensor

    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]


def _flat_outputs(func, inputs):
    return [o.detach()._array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]


def numerical_jacobian(func, inputs, eps: float = 1e-6):
    """Per (input, output) pair, the Jacobian by central differences (numpy arrays)."""
    # Grad mode stays on: ``func`` may itself differentiate (as in ``gradgradcheck``).
    which = _differentiable_inputs(inputs)
    outs = _outputs(func, inputs)
    jac = [[np.zeros((o.numel(), inputs[i].numel())) for o in outs] for i in which]
    for k, i in enumerate(which):
        array = inputs[i]._array  # perturbed in place; any strides (non-contiguous too)
        for j, idx in enumerate(np.ndindex(array.shape)):
            old = array[idx].copy()  # a number (numpy) or a 0-d view (cuda): keep a copy
            array[idx] = old + eps
            plus = _flat_outputs(func, inputs)
            array[idx] = old - eps
            minus = _flat_outputs(func, inputs)
            array[idx] = old
            for m in range(len(outs)):
                jac[k][m][:, j] = (plus[m] - minus[m]) / (2 * eps)
    return jac


def analytical_jacobian(func, inputs):
    """Per (input, output) pair, the Jacobian from backward, one output element at a time."""
    from .._creation import zeros_like
    from .engine import grad

    which = _differentiable_inputs(inputs)
    outs = _outputs(func, inputs)
    jac = [[np.zeros((o.numel(), inputs[i].numel())) for o in outs] for i in which]
    for m, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for r in range(out.numel()):
            v = zeros_like(out)
            v._array.reshape(-1)[r] = 1
            gs = grad(out, [inputs[i] for i in which], v, retain_graph=True, allow_unused=True)
            for k, g in enumerate(gs):
                if g is not None:
                    jac[k][m][r, :] = g._array.astype(np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, check_forward_ad: bool = False,
              check_backward_ad: bool = True, **_ignored) -> bool:
    """True when backward agrees with finite differences for every input element.

    ``check_forward_ad=True`` also compares forward-mode derivatives (``jvp``).
    """
    inputs = _as_tuple(inputs)
    numeric = numerical_jacobian(func, inputs, eps)
    checks = []
    if check_backward_ad:
        checks.append(("backward", analytical_jacobian(func, inputs)))
    if check_forward_ad:
        from .forward_ad import forward_jacobian

        checks.append(("forward AD", forward_jacobian(func, inputs)))
    which = _differentiable_inputs(inputs)
    for mode, analytic in checks:
        for k, i in enumerate(which):
            for m in range(len(numeric[k])):
                n, a = numeric[k][m], analytic[k][m]
                if not np.allclose(a, n, atol=atol, rtol=rtol):
                    bad = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
                    msg = (f"Jacobian mismatch ({mode}) for output {m} with respect to input "
                           f"{i},\nnumerical:{n}\nanalytical:{a}\nlargest difference at "
                           f"(output element, input element) {bad}: numerical "
                           f"{n[bad]:.6g}, analytical {a[bad]:.6g}")
                    if raise_exception:
                        raise GradcheckError(msg)
                    return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_ignored) -> bool:
    """``gradcheck`` of the gradient itself: checks second derivatives (``create_graph``)."""
    from .._creation import zeros_like
    from ..random import randn
    from .engine import grad

    inputs = _as_tuple(inputs)
    which = _differentiable_inputs(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [randn(*o.shape, dtype=o.dtype, device=o.device).requires_grad_()
                        for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)

    def first_derivative(*args):
        xs, vs = args[:n_in], args[n_in:]
        ys = _outputs(func, xs)
        pairs = [(y, v) for y, v in zip(ys, vs) if y.requires_grad]
        gs = grad([y for y, _ in pairs], [xs[i] for i in which], [v for _, v in pairs],
                  create_graph=True, allow_unused=True)
        return tuple(zeros_like(xs[i]) if g is None else g for g, i in zip(gs, which))

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
