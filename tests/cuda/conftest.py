"""cuda tests run on a GPU, or on the CPU under Numba's simulator (NUMBA_ENABLE_CUDASIM=1,
which `make test` sets); without either they are skipped."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    import nbtorch

    if nbtorch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set to 1")
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)
