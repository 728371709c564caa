"""Special functions that numpy lacks: the error function ``erf`` (needed by GELU)."""

import math

from numba import njit


@njit(cache=True)
def erf_flat(values, out):
    """``out[i] = erf(values[i])`` for 1-d arrays, with the C library's ``erf``."""
    for i in range(values.size):
        out[i] = math.erf(values[i])
