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



@pytest.fixture
def launches():
    """A Counter of kernel launches by kernel name, from the moment the fixture is made
    (on the simulator, or on a GPU). Call ``launches.clear()`` to start counting again."""
    from nbtorch._backend.cuda.runtime import count_launches

    with count_launches() as counts:
        yield counts
