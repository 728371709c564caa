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
def launches(monkeypatch):
    """A Counter of kernel launches by kernel name, from the moment the fixture is made
    (on the simulator, or on a GPU). Call ``launches.clear()`` to start counting again."""
    import collections

    from nbtorch._backend.cuda import runtime

    if runtime.SIMULATOR:
        from numba.cuda.simulator.kernel import FakeCUDAKernel as launcher

        def name_of(k):  # device functions are called through the same class: skip them
            return None if k._device else k.fn.__name__
    else:
        from numba.cuda.dispatcher import _LaunchConfiguration as launcher

        def name_of(k):
            return k.dispatcher.py_func.__name__

    counts = collections.Counter()
    original = launcher.__call__

    def counted(self, *args):
        name = name_of(self)
        if name is not None:
            counts[name] += 1
        return original(self, *args)

    monkeypatch.setattr(launcher, "__call__", counted)
    return counts
