"""Shared test fixtures: seeding, and PyTorch as an optional oracle."""

import numpy as np
import pytest

import nbtorch


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    nbtorch.manual_seed(0)
    np.random.seed(0)


@pytest.fixture
def torch():
    """PyTorch, for differential tests; the test is skipped when it is not installed."""
    return pytest.importorskip("torch")
