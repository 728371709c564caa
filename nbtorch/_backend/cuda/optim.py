"""Fused optimizer updates on the GPU: one launch per parameter instead of one per term.

SGD with momentum as separate array ops is four or five kernel launches per parameter
(``buf *= m``, ``buf += g``, ``lr * buf``, ``p -= ...``); here one thread per element does
the whole step. The scalars are passed in the parameter's dtype, so a float32 parameter is
updated in float32 arithmetic, as on the CPU.
"""

from __future__ import annotations

from . import layout, runtime
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
    CPU backend's signature; see ``cpu_kernels/optim.py`` for the formulas). The kernel
    reads flat memory: a strided ``p`` or ``buf`` is updated through a contiguous copy."""
    f = p.dtype.type
    g = layout.contiguous(g.astype(p.dtype, copy=False))
    p_flat, buf_flat = layout.contiguous(p), layout.contiguous(buf)
    if p.size:
        with runtime.using(p.device_index):
            runtime.launch(_sgd_momentum_kernel, p.size)(
                p_flat.buf, p_flat.offset, g.buf, g.offset, buf_flat.buf, buf_flat.offset,
                f(lr), f(momentum), f(1 - dampening), f(weight_decay), bool(nesterov),
                bool(maximize), p.size)
    for target, flat in ((p, p_flat), (buf, buf_flat)):
        if flat is not target:
            layout.copy_into(target, flat)
