"""Special functions that numpy lacks: the error function ``erf`` (needed by GELU) and its
complement ``erfc``."""

import math

from numba import njit


@njit(cache=True)
def erf_flat(values, out):
    """``out[i] = erf(values[i])`` for 1-d arrays, with the C library's ``erf``."""
    for i in range(values.size):
        out[i] = math.erf(values[i])


@njit(cache=True)
def erfc_flat(values, out):
    """``out[i] = erfc(values[i]) = 1 - erf(values[i])``, accurate where it is tiny (large
    values[i]), with the C library's ``erfc``."""
    for i in range(values.size):
        out[i] = math.erfc(values[i])
