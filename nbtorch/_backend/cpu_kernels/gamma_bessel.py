"""The gamma family and the scaled modified Bessel functions on CPU arrays: Numba ufuncs made
from the one-number functions of ``_backend/gamma_bessel.py``.

``@vectorize`` turns a function of numbers into a ufunc, like numpy's ``np.exp``: it
broadcasts, accepts Python numbers, and compiles a loop for each input dtype when first
called. ``cpu.py`` calls them with float64 arrays (the one-number functions compute in
float64 anyway) and casts the results back to the inputs' dtype.

Each ufunc is made directly from one function of ``gamma_bessel.py`` (none calls another
compiled function): Numba's cache then belongs to that file, and is recompiled when it
changes.
"""

from numba import vectorize

from .. import gamma_bessel as one

lgamma = vectorize(cache=True)(one.lgamma)
digamma = vectorize(cache=True)(one.digamma)
zeta = vectorize(cache=True)(one.zeta)
i0e = vectorize(cache=True)(one.i0e)
i1e = vectorize(cache=True)(one.i1e)
