"""Convolution, its gradients and max pooling split a big batch over nbtorch's threads
(``nbtorch._threads.parallel_chunks``): the results are the same bits on any number of
threads (the weight gradient adds its per-part sums in one fixed order).
"""

import numpy as np
import pytest

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import _threads


@pytest.fixture
def threads(monkeypatch):
    """Run a function at a given thread count (restored afterwards); also return the largest
    number of threads that one op's work was split over."""
    before = nbtorch.get_num_threads()
    calls = []
    original = _threads.parallel_chunks

    def spy(work, n, count):
        calls.append(count)
        original(work, n, count)

    def run(count, fn):
        nbtorch.set_num_threads(count)
        calls.clear()
        try:
            return fn(), max(calls, default=1)
        finally:
            nbtorch.set_num_threads(before)

    monkeypatch.setattr(_threads, "PARALLEL_MIN_COST", 1000)  # split small test inputs too
    monkeypatch.setattr("nbtorch._ops.nn_conv.CHUNK_BYTES", 1)  # a part per sample
    monkeypatch.setattr(_threads, "parallel_chunks", spy)
    monkeypatch.setattr("nbtorch._ops.nn_conv.parallel_chunks", spy)
    return run


def _conv_step(x, w, b, padding, stride, groups):
    """Forward, backward and a double backward (its ConvWeightGrad makes its own columns)."""
    xt = nbtorch.tensor(x, requires_grad=True)
    wt = nbtorch.tensor(w, requires_grad=True)
    bt = nbtorch.tensor(b, requires_grad=True)
    y = F.conv2d(xt, wt, bt, stride=stride, padding=padding, groups=groups)
    gy = nbtorch.tensor(np.cos(np.arange(y.numel(), dtype=np.float32)).reshape(y.shape))
    gx, gw = nbtorch.autograd.grad(y, (xt, wt), gy, create_graph=True)
    (ggw,) = nbtorch.autograd.grad((gx * gx).sum(), wt)  # ConvWeightGrad without forward cols
    return [t.detach().numpy() for t in (y, gx, gw, ggw)]


@pytest.mark.parametrize("padding, stride, groups", [(1, 1, 1), (2, 2, 1), (0, 1, 2)])
def test_conv_results_do_not_depend_on_the_thread_count(threads, padding, stride, groups):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, 4, 12, 12)).astype(np.float32)  # 9 samples: uneven chunks
    w = rng.standard_normal((6, 4 // groups, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    one, split_one = threads(1, lambda: _conv_step(x, w, b, padding, stride, groups))
    three, split_three = threads(3, lambda: _conv_step(x, w, b, padding, stride, groups))
    assert split_one == 1 and split_three == 3  # the work really was split
    for a, c in zip(one, three):
        np.testing.assert_array_equal(a, c)


def test_max_pool_results_do_not_depend_on_the_thread_count(threads):
    x = np.random.default_rng(1).standard_normal((7, 5, 20, 20)).astype(np.float32)
    x[3, 2, 5, 5] = np.nan

    def pool():
        xt = nbtorch.tensor(x, requires_grad=True)
        y, idx = F.max_pool2d(xt, 3, stride=2, padding=1, return_indices=True)
        y.backward(nbtorch.ones_like(y))
        return y.detach().numpy(), idx.numpy(), xt.grad.numpy()

    one, split_one = threads(1, pool)
    three, split_three = threads(3, pool)
    assert split_one == 1 and split_three == 3
    for a, c in zip(one, three):
        np.testing.assert_array_equal(a, c)


def test_small_batches_stay_on_one_thread(threads):
    x = nbtorch.randn(2, 1, 6, 6)  # 2 x 16 x 9 = 288 column entries
    _, split = threads(3, lambda: F.conv2d(x, nbtorch.randn(2, 1, 3, 3)))
    assert split == 1


def test_conv_results_do_not_depend_on_the_chunk_size(monkeypatch):
    """Columns are made a few samples at a time (``CHUNK_BYTES``), kept for the weight
    gradient or remade there (``KEEP_COLS_BYTES``): the numbers are the same each way."""
    from nbtorch._ops import nn_conv

    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4, 10, 10)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    monkeypatch.setattr(nn_conv, "CHUNK_BYTES", 1 << 30)
    whole = _conv_step(x, w, b, 1, 1, 2)
    monkeypatch.setattr(nn_conv, "CHUNK_BYTES", 1)
    per_sample = _conv_step(x, w, b, 1, 1, 2)
    monkeypatch.setattr(nn_conv, "KEEP_COLS_BYTES", 0)  # the weight gradient remakes them
    remade = _conv_step(x, w, b, 1, 1, 2)
    for a, c, d in zip(whole, per_sample, remade):
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5 * np.abs(a).max())
        np.testing.assert_allclose(a, d, rtol=1e-5, atol=1e-5 * np.abs(a).max())
