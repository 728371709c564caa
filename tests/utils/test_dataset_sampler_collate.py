"""Datasets, samplers and default_collate."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import nbtorch
from nbtorch.utils.data import (
    BatchSampler,
    ConcatDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)


def test_tensor_dataset():
    x, y = nbtorch.arange(12).reshape(6, 2), nbtorch.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8, 9] and yi.item() == 4
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(x, nbtorch.arange(5))


def test_subset_concat_and_add():
    ds = TensorDataset(nbtorch.arange(5))
    sub = Subset(ds, [4, 0])
    assert len(sub) == 2 and sub[0][0].item() == 4
    cat = ConcatDataset([ds, sub])
    assert len(cat) == 7 and cat.cumulative_sizes == [5, 7]
    assert [cat[i][0].item() for i in range(7)] == [0, 1, 2, 3, 4, 4, 0]
    assert cat[-1][0].item() == 0
    assert len(ds + sub) == 7


def test_random_split_lengths_fractions_and_generator():
    ds = TensorDataset(nbtorch.arange(10))
    a, b = random_split(ds, [7, 3], generator=nbtorch.Generator().manual_seed(0))
    ids = sorted([a[i][0].item() for i in range(7)] + [b[i][0].item() for i in range(3)])
    assert ids == list(range(10))
    a2, _ = random_split(ds, [7, 3], generator=nbtorch.Generator().manual_seed(0))
    assert a.indices == a2.indices
    parts = random_split(TensorDataset(nbtorch.arange(11)), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [6, 3, 2]  # floors 5, 3, 2, then the remainder 1 to the first
    assert [len(p) for p in random_split(ds, [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])


def test_samplers():
    data = list(range(10))
    assert list(SequentialSampler(data)) == data
    g = nbtorch.Generator().manual_seed(3)
    perm = list(RandomSampler(data, generator=g))
    assert sorted(perm) == data
    draws = list(RandomSampler(data, replacement=True, num_samples=25))
    assert len(draws) == 25 and all(0 <= d < 10 for d in draws)
    assert len(list(RandomSampler(data, num_samples=23))) == 23
    assert sorted(SubsetRandomSampler([3, 5, 7])) == [3, 5, 7]
    w = list(WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 6))
    assert w == [2] * 6
    assert sorted(WeightedRandomSampler([1, 1, 1], 3, replacement=False)) == [0, 1, 2]
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, drop_last=True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(5), 0, False)


def test_random_sampler_uses_default_generator():
    nbtorch.manual_seed(7)
    a = list(RandomSampler(range(20)))
    nbtorch.manual_seed(7)
    assert list(RandomSampler(range(20))) == a


def test_default_collate_types():
    out = default_collate([(nbtorch.ones(2), 1, 0.5, "a"), (nbtorch.zeros(2), 2, 1.5, "b")])
    assert isinstance(out, list)
    assert out[0].tolist() == [[1, 1], [0, 0]]
    assert out[1].dtype == nbtorch.int64 and out[1].tolist() == [1, 2]
    assert out[2].dtype == nbtorch.float64 and out[2].tolist() == [0.5, 1.5]
    assert out[3] == ["a", "b"]
    arrays = default_collate([np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)])
    assert arrays.shape == (2, 2, 2) and arrays.dtype == nbtorch.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == nbtorch.int32
    assert default_collate([True, False]).dtype == nbtorch.bool
    d = default_collate([OrderedDict(a=1, b=[1.0, 2.0]), OrderedDict(a=2, b=[3.0, 4.0])])
    assert isinstance(d, OrderedDict) and d["a"].tolist() == [1, 2]
    assert [t.tolist() for t in d["b"]] == [[1.0, 3.0], [2.0, 4.0]]
    P = namedtuple("P", "x y")
    p = default_collate([P(1, 2), P(3, 4)])
    assert isinstance(p, P) and p.x.tolist() == [1, 3]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([nbtorch.ones(2), nbtorch.ones(3)])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float64(2.0), "s")})
    assert isinstance(out["a"], nbtorch.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"][0], nbtorch.Tensor) and out["b"][1] == "s"


@pytest.mark.oracle
def test_collate_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    batch = [{"x": (1, 2.5), "s": "a"}, {"x": (3, 4.5), "s": "b"}]
    ours, theirs = default_collate(batch), torch_collate(batch)
    assert type(ours["x"]) is type(theirs["x"])
    for a, b in zip(ours["x"], theirs["x"]):
        assert a.tolist() == b.tolist() and str(a.dtype) .split(".")[-1] == \
            str(b.dtype).split(".")[-1]
    assert ours["s"] == theirs["s"]
    _ = torch
