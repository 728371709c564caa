"""nbtorch's test suite. A package, so that its folders import as ``tests.cuda`` and so on:
without it pytest would import tests/cuda as a top-level ``cuda``, which clashes with NVIDIA's
``cuda`` package (cuda-python, installed with numba-cuda on GPU machines)."""
