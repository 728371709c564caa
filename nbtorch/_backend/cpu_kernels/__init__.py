"""Numba ``@njit`` kernels for the CPU backend, one module per kernel family.

They are imported lazily (inside the backend function that calls them), so that
``import nbtorch`` never imports numba.
"""

from nbtorch._threads import on_kernels_load

on_kernels_load()  # Numba uses at most nbtorch's thread count (see nbtorch/_threads.py)
