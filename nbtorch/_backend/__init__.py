"""Backends: the arrays that hold tensor data, and the kernels that compute on them.

Every backend is a module with the same interface: numpy's function names
(``add``, ``exp``, ``sum``, ``matmul``, ...) plus a few kernels of our own
(``scatter_add``, ``col2im``, ...). Ops in ``nbtorch._ops`` never import numpy
directly for math; they ask ``backend_of(array)`` and call through it, so the
same op runs on a numpy array (cpu) or a Numba device array (cuda).
"""

from __future__ import annotations

import sys

import numpy as np

from . import cpu


def backend_of(array):
    """The backend module that owns ``array``."""
    if type(array) is np.ndarray:
        return cpu
    return _cuda()


def backend_for(device):
    """The backend module for an ``nbtorch.device``."""
    if device.type == "cpu":
        return cpu
    return _cuda()


def _cuda():
    """The cuda backend module, imported on first use: ``import nbtorch`` never loads
    numba.cuda. (Once imported it is looked up in ``sys.modules``: an ``import`` statement
    costs about a microsecond even then, and this runs in every cuda op.)"""
    cuda = sys.modules.get(__name__ + ".cuda")
    if cuda is None:
        from . import cuda
    return cuda
