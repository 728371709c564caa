"""Fused optimizer updates on the GPU: one launch per parameter instead of one per term.

SGD with momentum as separate array ops is four or five kernel launches per parameter
(``buf *= m``, ``buf += g``, ``lr * buf``, ``p -= ...``); here one thread per element does
the whole step. The scalars are passed in the parameter's dtype, so a float32 parameter is
updated in float32 arithmetic, as on the CPU.
"""

from __future__ import annotations

from . import runtime
from .runtime import cuda


@cuda.jit
def _sgd_momentum_kernel(p, p_off, g, g_off, buf, b_off, lr, momentum, damp, weight_decay,
                         nesterov, maximize, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        d = -g[g_off + i] if maximize else g[g_off + i]
        if weight_decay != 0:
            d = d + weight_decay * p[p_off + i]
        b = buf[b_off + i] * momentum
        b = b + (d * damp if damp != 1 else d)
        buf[b_off + i] = b
        p[p_off + i] = p[p_off + i] - lr * (d + momentum * b if nesterov else b)


def sgd_momentum_(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step with momentum on parameter ``p`` and its buffer ``buf``, in place (the
    CPU backend's signature; see ``cpu_kernels/optim.py`` for the formulas)."""
    if not (p.flags.c_contiguous and g.flags.c_contiguous and buf.flags.c_contiguous):
        raise ValueError("sgd_momentum_ needs contiguous arrays")
    f = p.dtype.type
    g = g.astype(p.dtype, copy=False)
    if p.size:
        with runtime.using(p.device_index):
            runtime.launch(_sgd_momentum_kernel, p.size)(
                p.buf, p.offset, g.buf, g.offset, buf.buf, buf.offset, f(lr), f(momentum),
                f(1 - dampening), f(weight_decay), bool(nesterov), bool(maximize), p.size)
