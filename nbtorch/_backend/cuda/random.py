"""Random numbers made on the GPU with Numba's xoroshiro128+ generators.

Each thread owns one generator *state* (128 bits) and draws from it in its grid-stride
loop; the states are made from one seed by jumping ahead 2^64 steps per thread, so the
threads' streams never overlap. Same seed, same launch shape: same numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
from numba.cuda.random import (
    create_xoroshiro128p_states,
    xoroshiro128p_normal_float32,
    xoroshiro128p_normal_float64,
    xoroshiro128p_uniform_float32,
    xoroshiro128p_uniform_float64,
)

from . import runtime
from .array import empty
from .runtime import THREADS, cuda

BLOCKS = 1 if runtime.SIMULATOR else 64  # THREADS * BLOCKS generator states per device
_states: dict = {}  # device index -> its generator states


def manual_seed(seed: int, device_index: int = 0) -> None:
    """Restart the device's generators from ``seed``."""
    with runtime.using(device_index), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the simulator's CPU fallback warns about itself
        _states[device_index] = create_xoroshiro128p_states(THREADS * BLOCKS,
                                                            seed=seed % 2**64)


def seed_if_new(seed: int, device_index: int) -> None:
    """Seed the device's generators with ``seed`` unless they exist already (so the first
    random cuda tensor follows the last ``nbtorch.manual_seed``)."""
    if device_index not in _states:
        manual_seed(seed, device_index)


def _get_states(device_index: int):
    if device_index not in _states:
        manual_seed(67280421310721, device_index)  # PyTorch's default seed
    return _states[device_index]


@cuda.jit
def _uniform32(states, out, low, span, n):
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        out[i] = low + span * xoroshiro128p_uniform_float32(states, t)


@cuda.jit
def _uniform64(states, out, low, span, n):
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        out[i] = low + span * xoroshiro128p_uniform_float64(states, t)


@cuda.jit
def _normal32(states, out, mean, std, n):
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        out[i] = mean + std * xoroshiro128p_normal_float32(states, t)


@cuda.jit
def _normal64(states, out, mean, std, n):
    t = cuda.grid(1)
    for i in range(t, n, cuda.gridsize(1)):
        out[i] = mean + std * xoroshiro128p_normal_float64(states, t)


def _draw(kernels, shape, a, b, dtype, device_index):
    dtype = np.dtype(dtype)
    index = runtime.current_device() if device_index is None else device_index
    out = empty(shape, dtype, index)
    n = out.size
    if n:
        kernel = kernels[0] if dtype == np.float32 else kernels[1]
        with runtime.using(index), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # simulator: uint64 math wraps
            kernel[BLOCKS, THREADS](_get_states(index), out.buf, dtype.type(a), dtype.type(b),
                                    n)
    return out


def uniform(shape, low=0.0, high=1.0, dtype=np.float32, device_index=None):
    """Uniform numbers in [low, high) of ``shape``, made on the GPU."""
    return _draw((_uniform32, _uniform64), shape, low, high - low, dtype, device_index)


def normal(shape, mean=0.0, std=1.0, dtype=np.float32, device_index=None):
    """Normal numbers of ``shape`` (Box-Muller inside each thread), made on the GPU."""
    return _draw((_normal32, _normal64), shape, mean, std, dtype, device_index)
