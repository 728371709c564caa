"""searchsorted, bucketize, isin, histc: values against numpy (np.searchsorted, np.isin,
np.histogram), dtypes and shapes, and values and errors against PyTorch."""

import numpy as np
import pytest

import nbtorch

rng = np.random.default_rng(0)


def sorted_with_duplicates(n, seed=0):
    return np.sort(np.random.default_rng(seed).integers(0, n, n)).astype(np.float64)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 9, 33])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_numpy(n, side):
    seq = sorted_with_duplicates(n, seed=n)
    values = np.concatenate([rng.uniform(-2, n + 2, 20), seq, [np.nan, -np.inf, np.inf]])
    values = values.reshape(-1, 1)[: (len(values) // 2) * 2].reshape(2, -1)  # 2-D values
    got = nbtorch.searchsorted(nbtorch.tensor(seq), nbtorch.tensor(values),
                               right=side == "right")
    assert got.dtype == nbtorch.int64 and got.shape == values.shape
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(seq, values, side=side))
    by_side = nbtorch.searchsorted(nbtorch.tensor(seq), nbtorch.tensor(values), side=side)
    np.testing.assert_array_equal(by_side.numpy(), got.numpy())


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_one_sorted_row_per_row_of_values(right):
    seq = np.sort(rng.integers(0, 6, (2, 3, 7)), axis=-1)
    values = rng.integers(-1, 8, (2, 3, 5))
    got = nbtorch.searchsorted(nbtorch.tensor(seq), nbtorch.tensor(values), right=right)
    want = np.stack([np.searchsorted(s, v, side="right" if right else "left")
                     for s, v in zip(seq.reshape(-1, 7), values.reshape(-1, 5))])
    np.testing.assert_array_equal(got.numpy(), want.reshape(values.shape))


def test_searchsorted_sorter_scalars_mixed_dtypes_and_int32():
    unsorted = rng.permutation(10).astype(np.float64) / 2
    sorter = np.argsort(unsorted)
    values = rng.uniform(-1, 6, 8)
    got = nbtorch.searchsorted(nbtorch.tensor(unsorted), nbtorch.tensor(values),
                               sorter=nbtorch.tensor(sorter))
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(unsorted, values, sorter=sorter))
    ints = np.arange(0, 20, 3)
    for v in (7, 7.5, 9):
        out = nbtorch.searchsorted(nbtorch.tensor(ints), v, right=True)
        assert out.shape == () and out.item() == np.searchsorted(ints, v, side="right")
    out = nbtorch.searchsorted(nbtorch.tensor(ints), nbtorch.tensor([2.5, 3.0]), out_int32=True)
    assert out.dtype == nbtorch.int32
    assert out.tolist() == np.searchsorted(ints, [2.5, 3.0]).tolist()


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_is_searchsorted_with_swapped_arguments(right):
    boundaries = np.array([-1.0, 0.0, 0.5, 2.0, 2.0, 7.0])
    x = np.concatenate([rng.uniform(-3, 9, (12,)), boundaries])
    got = nbtorch.bucketize(nbtorch.tensor(x), nbtorch.tensor(boundaries), right=right)
    side = "right" if right else "left"
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(boundaries, x, side=side))
    assert nbtorch.bucketize(1.0, nbtorch.tensor(boundaries)).item() == \
        np.searchsorted(boundaries, 1.0)


def test_searchsorted_errors():
    seq, row = nbtorch.tensor([[1.0, 2, 3], [4, 5, 6]]), nbtorch.tensor([1.0, 2, 3])
    with pytest.raises(RuntimeError, match="first N-1 dimensions.*\\[2, 3\\].*\\[3, 1\\]"):
        nbtorch.searchsorted(seq, nbtorch.zeros(3, 1))
    with pytest.raises(RuntimeError, match="scalar only when boundaries tensor dimension is 1"):
        nbtorch.searchsorted(seq, 2.0)
    with pytest.raises(RuntimeError, match="should have positive dimension"):
        nbtorch.searchsorted(nbtorch.tensor(1.0), row)
    with pytest.raises(RuntimeError, match="side can only be 'left' or 'right'"):
        nbtorch.searchsorted(row, row, side="middle")
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        nbtorch.searchsorted(row, row, side="left", right=True)
    with pytest.raises(RuntimeError, match="sorter must be a tensor of long dtype"):
        nbtorch.searchsorted(row, row, sorter=row)
    with pytest.raises(RuntimeError, match="sorter index out of range"):
        nbtorch.searchsorted(row, row, sorter=nbtorch.tensor([0, 1, 3]))
    with pytest.raises(RuntimeError, match="boundary and sorter must have the same size"):
        nbtorch.searchsorted(row, row, sorter=nbtorch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="boundaries tensor must be 1 dimension"):
        nbtorch.bucketize(row, seq)


def test_isin_matches_numpy():
    elements = rng.integers(0, 10, (3, 4))
    tests = rng.integers(0, 10, 5)
    for invert in (False, True):
        got = nbtorch.isin(nbtorch.tensor(elements), nbtorch.tensor(tests), invert=invert)
        assert got.dtype == nbtorch.bool
        np.testing.assert_array_equal(got.numpy(), np.isin(elements, tests, invert=invert))
    floats = np.array([1.0, np.nan, 2.5, 3.0, -0.0])
    test_floats = np.array([np.nan, 3, 0.0, 1])
    np.testing.assert_array_equal(
        nbtorch.isin(nbtorch.tensor(floats), nbtorch.tensor(test_floats)).numpy(),
        np.isin(floats, test_floats))
    np.testing.assert_array_equal(  # no test element: nothing is found
        nbtorch.isin(nbtorch.tensor(elements), nbtorch.tensor([])).numpy(),
        np.isin(elements, []))
    assert nbtorch.isin(3, nbtorch.tensor(tests)).item() == (3 in tests)
    np.testing.assert_array_equal(nbtorch.isin(nbtorch.tensor(elements), 4).numpy(),
                                  elements == 4)
    with pytest.raises(TypeError):
        nbtorch.isin(1, 2)


@pytest.mark.parametrize("bins", [1, 4, 7, 100])
def test_histc_matches_numpy_histogram(bins):
    a = rng.standard_normal(500)
    got = nbtorch.histc(nbtorch.tensor(a), bins=bins, min=-1.5, max=2.0)  # some fall outside
    want, _ = np.histogram(a, bins=bins, range=(-1.5, 2.0))
    assert got.dtype == nbtorch.float64
    np.testing.assert_array_equal(got.numpy(), want)
    data_range = nbtorch.tensor(a).histc(bins)  # min == max: the data's own range
    np.testing.assert_array_equal(data_range.numpy(), np.histogram(a, bins=bins)[0])


def test_histc_on_the_edges():
    """Elements lying exactly on bin edges (where a division can round them into the
    neighbouring bin) land in the bin that starts there; the last edge in the last bin."""
    for low, high, bins in ((0.0, 1.0, 10), (-0.3, 0.7, 7), (1e-3, 3.3, 33)):
        edges = np.linspace(low, high, bins + 1)
        got = nbtorch.histc(nbtorch.tensor(edges), bins, low, high)
        np.testing.assert_array_equal(got.numpy(), np.histogram(edges, bins, (low, high))[0])
    one_value = nbtorch.histc(nbtorch.tensor([2.0, 2.0]), bins=4)  # range [1, 3]
    np.testing.assert_array_equal(one_value.numpy(),
                                  np.histogram([2.0, 2.0], bins=4, range=(1, 3))[0])
    with_nan = nbtorch.histc(nbtorch.tensor([1.0, np.nan, 2.0, np.inf]), 3, 0, 3)
    np.testing.assert_array_equal(with_nan.numpy(), np.histogram([1.0, 2.0], 3, (0, 3))[0])
    assert nbtorch.histc(nbtorch.zeros(0), bins=5).tolist() == [0.0] * 5


def test_histc_errors():
    x = nbtorch.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        nbtorch.histc(nbtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        nbtorch.histc(x, bins=0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        nbtorch.histc(x, 4, min=3, max=1)
    with pytest.raises(RuntimeError, match="range of \\[1, inf\\] is not finite"):
        nbtorch.histc(nbtorch.tensor([1.0, np.inf]))
    with pytest.raises(TypeError, match="'bins' must be int"):
        nbtorch.histc(x, bins=2.5)


# -- PyTorch as the oracle -------------------------------------------------------------------

ORACLE_CALLS = [
    lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor([[2.0, 2.5], [-1, 9]])),
    lambda L: L.searchsorted(L.tensor([1, 2, 2, 3]), L.tensor([2.0, 2.5]), right=True),
    lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor([2, 3]), side="right"),
    lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), 2),
    lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor(2.5), out_int32=True),
    lambda L: L.searchsorted(L.tensor([[1.0, 2, 3], [4, 5, 6]]), L.tensor([[2.0], [5]])),
    lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([2.5, 0]),
                             sorter=L.tensor([1, 2, 0])),
    lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), L.tensor([np.nan, np.inf, -np.inf])),
    lambda L: L.searchsorted(L.tensor([]), L.tensor([1.0])),
    lambda L: L.searchsorted(L.tensor([1, 2, 3]), L.tensor([True, False])),
    lambda L: L.searchsorted(L.tensor([[1.0, 2, 3], [4, 5, 6]]), L.tensor([[2.0], [5], [3]])),
    lambda L: L.searchsorted(L.tensor([[1.0, 2, 3], [4, 5, 6]]), 2),
    lambda L: L.searchsorted(L.tensor(1.0), L.tensor([2.0])),
    lambda L: L.searchsorted(L.tensor([1.0, 2]), L.tensor([2.0]), right=True, side="left"),
    lambda L: L.searchsorted(L.tensor([1.0, 2]), L.tensor([2.0]), side="middle"),
    lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.0]), sorter=L.tensor([1, 2])),
    lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.0]), sorter=L.tensor([1, 2, 5])),
    lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.0]),
                             sorter=L.tensor([1.0, 2, 0])),
    lambda L: L.bucketize(L.tensor([[2.0, 3], [5, 1]]), L.tensor([1.0, 2, 3])),
    lambda L: L.bucketize(L.tensor([2.0, 2.5]), L.tensor([1.0, 2, 3]), right=True,
                          out_int32=True),
    lambda L: L.bucketize(2, L.tensor([1.0, 2, 3])),
    lambda L: L.bucketize(L.tensor([2.0]), L.tensor([[1.0, 2, 3]])),
    lambda L: L.isin(L.tensor([1, 2, 3]), L.tensor([2.0, 5])),
    lambda L: L.isin(L.tensor([1, 2, 3]), 2),
    lambda L: L.isin(2, L.tensor([1, 2, 3])),
    lambda L: L.isin(L.tensor([1.0, np.nan]), L.tensor([np.nan, 1.0])),
    lambda L: L.isin(L.tensor([[1, 2], [3, 4]]), L.tensor([[4]]), invert=True),
    lambda L: L.isin(L.tensor([1, 2]), L.tensor([])),
    lambda L: L.isin(L.tensor([1.0, 2]), L.tensor([1, 2]), assume_unique=True),
    lambda L: L.histc(L.tensor([1.0, 2, 1]), bins=4, min=0, max=3),
    lambda L: L.histc(L.tensor([1.0, 2, 1]), bins=4),
    lambda L: L.histc(L.tensor([1.0, 1]), bins=4),
    lambda L: L.histc(L.tensor([1.0, 2]), bins=4, min=5, max=5),
    lambda L: L.histc(L.tensor([1.0, np.nan, 2, np.inf]), bins=4, min=0, max=3),
    lambda L: L.histc(L.tensor([]), bins=4),
    lambda L: L.histc(L.tensor([1.0, 2], dtype=L.float64), bins=3),
    lambda L: L.tensor(np.linspace(-2, 3, 101, dtype=np.float32)).histc(10, -2, 3),
    lambda L: L.histc(L.tensor([1, 2, 1]), bins=4),
    lambda L: L.histc(L.tensor([1.0, 2, 1]), bins=0),
    lambda L: L.histc(L.tensor([1.0, 2, 1]), bins=4, min=3, max=1),
    lambda L: L.histc(L.tensor([1.0, np.nan]), bins=4),
    lambda L: L.histc(L.tensor([1.0, 2]), bins=4, min=0, max=np.inf),
]


@pytest.mark.oracle
@pytest.mark.parametrize("index", range(len(ORACLE_CALLS)))
def test_matches_torch(torch, index):
    def outcome(lib):
        try:
            out = ORACLE_CALLS[index](lib)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e)
        return str(out.dtype).split(".")[-1], tuple(out.shape), out.tolist()

    assert outcome(nbtorch) == outcome(torch)
