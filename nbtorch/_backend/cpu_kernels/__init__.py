"""Numba ``@njit`` kernels for the CPU backend, one module per kernel family.

They are imported lazily (inside the backend function that calls them), so that
``import nbtorch`` never imports numba.
"""
