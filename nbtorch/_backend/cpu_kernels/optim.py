"""Fused optimizer updates: one pass over a parameter instead of one numpy call per term.

SGD with momentum written with numpy reads and writes the parameter's memory five times per
step (``buf *= m``, ``buf += g``, ``lr * buf`` into a new array, ``p -= ...``). The loop
below reads ``p``, ``g`` and ``buf`` once and writes ``p`` and ``buf`` once, doing exactly
the same float operations in the same order, so the results are the same bits as numpy's.
"""

from numba import njit


@njit(nogil=True, cache=True)
def sgd_momentum(p, g, buf, lr, momentum, damp, weight_decay, nesterov, maximize):
    """One SGD step with momentum on flat arrays (``torch.optim.SGD``'s formulas)::

        d = -g if maximize else g;  d = d + weight_decay * p
        buf = momentum * buf + (1 - dampening) * d       (damp = 1 - dampening)
        p = p - lr * (d + momentum * buf if nesterov else buf)

    The scalars must have the arrays' dtype (float32 with float32), as numpy would use.
    """
    for i in range(p.size):
        d = -g[i] if maximize else g[i]
        if weight_decay != 0:
            d = d + weight_decay * p[i]
        b = buf[i] * momentum
        b = b + (d * damp if damp != 1 else d)
        buf[i] = b
        p[i] = p[i] - lr * (d + momentum * b if nesterov else b)
