"""Special functions on cuda arrays, the gamma family and the modified Bessel functions: the
elementwise kernels of ``elementwise.py`` around the one-number functions of
``_backend/gamma_bessel.py`` (the same code as on the CPU, compiled as device functions).

Their result dtype is that of ``exp`` (of ``divide`` for the two-operand ``zeta``): a
float32 array gives float32 results, computed in float64 by the device functions.
"""

from __future__ import annotations

import math

from .. import gamma_bessel as one
from .elementwise import make_binary, make_unary
from .runtime import cuda

_abs = abs
# device functions the lambdas below call (a kernel calls only code compiled for the GPU)
_i0e = cuda.jit(device=True)(one.i0e)
_i1e = cuda.jit(device=True)(one.i1e)

lgamma = make_unary("lgamma", one.lgamma, dtype_like="exp")
digamma = make_unary("digamma", one.digamma, dtype_like="exp")
zeta = make_binary("zeta", one.zeta, dtype_like="divide")
i0e = make_unary("i0e", one.i0e, dtype_like="exp")
i1e = make_unary("i1e", one.i1e, dtype_like="exp")
i0 = make_unary("i0", lambda x: math.exp(_abs(x)) * _i0e(x), dtype_like="exp")
i1 = make_unary("i1", lambda x: math.exp(_abs(x)) * _i1e(x), dtype_like="exp")
