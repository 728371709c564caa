"""The cuda backend's shortcuts: flat (stride-free) kernels and the caching allocator must
give the same results as the general strided kernels and as numpy."""

import gc
import importlib

import numpy as np
import pytest

pytestmark = pytest.mark.cuda


@pytest.fixture(scope="module")
def B():
    from nbtorch._backend import cuda

    return cuda


def test_flat_and_strided_kernels_agree_with_numpy(B):
    from nbtorch._backend.cuda.array import is_flat

    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 5)).astype(np.float32)
    row, col = rng.standard_normal(5).astype(np.float32), rng.standard_normal((6, 1))
    da, drow, dcol = B.from_numpy(a), B.from_numpy(row), B.from_numpy(col.astype(np.float32))
    part = da[2:5]  # flat, but starts at an offset
    assert is_flat(part) and part.offset == 10 and not is_flat(da.T)
    cases = [
        (B.exp(part), np.exp(a[2:5])),  # flat unary at an offset
        (B.exp(da.T), np.exp(a.T)),  # strided unary
        (part + drow, a[2:5] + row),  # flat, the row repeats for every row
        (drow * da, row * a),
        (da - dcol, a - col.astype(np.float32)),  # a column: strided
        (2.0 - part, 2.0 - a[2:5]),
        (part / 4.0, a[2:5] / 4.0),
        (B.maximum(da.T, 0.0), np.maximum(a.T, 0.0)),
        (B.ascontiguousarray(da.T), a.T),
    ]
    for got, want in cases:
        np.testing.assert_allclose(got.get(), want, rtol=1e-6)
    out = B.zeros((3, 6, 5), np.float32)
    out[1:] = da  # flat copy with repetition
    out[0, :, 1:3] = 7.0  # strided fill
    want = np.zeros((3, 6, 5), np.float32)
    want[1:] = a
    want[0, :, 1:3] = 7.0
    np.testing.assert_array_equal(out.get(), want)


def test_allocator_reuses_buffers_only_after_they_die(B):
    array = importlib.import_module("nbtorch._backend.cuda.array")  # not the function

    first = B.full((7, 3), 1.0, np.float32)
    alive = B.full((7, 3), 2.0, np.float32)
    raw_first = first.buf
    ints = first.view(np.int32)  # a dtype view must keep the buffer in use
    del first, raw_first
    gc.collect()
    third = B.full((7, 3), 3.0, np.float32)
    np.testing.assert_array_equal(ints.view(np.float32).get(), 1.0)
    np.testing.assert_array_equal(alive.get(), 2.0)
    before = len(array._free.get((0, np.dtype(np.float32), 21), []))
    del ints
    gc.collect()
    assert len(array._free[(0, np.dtype(np.float32), 21)]) == before + 1
    fourth = B.full((3, 7), 4.0, np.float32)  # same length: takes the freed buffer
    np.testing.assert_array_equal(third.get(), 3.0)
    np.testing.assert_array_equal(fourth.get(), 4.0)
    array.empty_cache()
    assert not array._free


def test_a_pooled_buffer_outlives_cyclic_garbage_holding_its_handle(B):
    # Numba frees device memory from a weakref.finalize on the buffer's memory object. Here
    # a stand-in memory object, held like that by the pooled buffer, records its "free".
    # The array's handle dies in a reference cycle: the collector runs the finalizers of
    # everything in the garbage before any __del__, so a buffer reachable only from that
    # handle would be "freed" and then go back on its free list to be lent again.
    import weakref

    array = importlib.import_module("nbtorch._backend.cuda.array")

    class Memory:
        pass

    x = B.empty((5, 3), np.float32)
    raw = x.buf._return_to[1]
    freed = []
    raw.memory_stand_in = Memory()
    weakref.finalize(raw.memory_stand_in, freed.append, "freed")
    cycle = [x]
    cycle.append(cycle)
    raw_id = id(raw)
    del x, cycle, raw
    gc.collect()
    assert freed == []  # the memory is still there, for the buffer, back in the pool
    assert any(id(r) == raw_id for r in array._free[(0, np.dtype(np.float32), 15)])
    assert raw_id not in array._lent


def test_batched_im2col_and_col2im_equal_the_cpu_kernels(B):
    from nbtorch._backend import cpu_kernels

    conv = pytest.importorskip("nbtorch._backend.cpu_kernels.conv")
    if not hasattr(conv, "batched_im2col"):
        pytest.skip(f"{cpu_kernels.__name__}.conv has no batched_im2col yet")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    kh, kw, sh, sw, ph, pw, dh, dw = 3, 2, 2, 1, 1, 1, 1, 2
    ho, wo = (6 + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (5 + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    want = np.empty((2, 3, kh, kw, ho, wo), np.float32)
    conv.batched_im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, want)
    got = B.batched_im2col(B.from_numpy(x), kh, kw, sh, sw, ph, pw, dh, dw,
                           B.empty(want.shape, np.float32))
    np.testing.assert_array_equal(got.get(), want)
    back = np.zeros_like(x)
    conv.batched_col2im(want, sh, sw, ph, pw, dh, dw, back)
    got = B.batched_col2im(B.from_numpy(want), sh, sw, ph, pw, dh, dw, B.zeros(x.shape, np.float32))
    np.testing.assert_allclose(got.get(), back, rtol=1e-6)
