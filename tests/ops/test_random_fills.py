"""The in-place random fills cauchy_, geometric_ and log_normal_: their distributions
(checked on many draws against the quantiles and moments they must have), their dtypes,
seeding, and PyTorch's errors."""

import math

import numpy as np
import pytest

import nbtorch

N = 40_000


def test_cauchy_quartiles_are_median_plus_and_minus_sigma():
    x = nbtorch.empty(N, dtype=nbtorch.float64).cauchy_(median=2.0, sigma=0.5).numpy()
    q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])  # the Cauchy CDF is 1/2 + atan(z)/pi
    assert q2 == pytest.approx(2.0, abs=0.03)
    assert q1 == pytest.approx(1.5, abs=0.03) and q3 == pytest.approx(2.5, abs=0.03)
    assert np.abs(x).max() > 1000  # heavy tails: far beyond any normal sample


def test_geometric_counts_tries_until_the_first_success():
    p = 0.3
    x = nbtorch.empty(N, dtype=nbtorch.int64).geometric_(p).numpy()
    assert x.dtype == np.int64 and x.min() == 1
    assert x.mean() == pytest.approx(1 / p, rel=0.03)
    assert (x == 1).mean() == pytest.approx(p, abs=0.01)
    assert (x == 3).mean() == pytest.approx((1 - p) ** 2 * p, abs=0.01)
    assert nbtorch.empty(3).geometric_(0.5).dtype == nbtorch.float32


def test_log_normal_is_e_to_a_normal():
    x = nbtorch.empty(N, dtype=nbtorch.float64).log_normal_(mean=0.5, std=0.25).numpy()
    assert (x > 0).all()
    assert np.log(x).mean() == pytest.approx(0.5, abs=0.01)
    assert np.log(x).std() == pytest.approx(0.25, rel=0.03)
    assert np.median(x) == pytest.approx(math.exp(0.5), rel=0.02)


@pytest.mark.parametrize("fill", [lambda t, **g: t.cauchy_(**g),
                                  lambda t, **g: t.geometric_(0.4, **g),
                                  lambda t, **g: t.log_normal_(**g)])
def test_fills_are_seeded_in_place_and_refuse_leaves_that_require_grad(fill):
    a = nbtorch.zeros(2, 3)
    assert fill(a) is a and a.shape == (2, 3)
    nbtorch.manual_seed(7)
    first = fill(nbtorch.zeros(5)).tolist()
    nbtorch.manual_seed(7)
    assert fill(nbtorch.zeros(5)).tolist() == first
    g1, g2 = nbtorch.Generator().manual_seed(3), nbtorch.Generator().manual_seed(3)
    assert fill(nbtorch.zeros(4), generator=g1).tolist() == \
        fill(nbtorch.zeros(4), generator=g2).tolist()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        fill(nbtorch.zeros(2, requires_grad=True))


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda lib: lib.empty(3).cauchy_(sigma=0),
    lambda lib: lib.empty(3).cauchy_(sigma=-1.5),
    lambda lib: lib.empty(3, dtype=lib.int64).cauchy_(),
    lambda lib: lib.empty(3, dtype=lib.uint8).cauchy_(),
    lambda lib: lib.empty(3).geometric_(0),
    lambda lib: lib.empty(3).geometric_(1),
    lambda lib: lib.empty(3).geometric_(1.5),
    lambda lib: lib.empty(3).log_normal_(std=0),
    lambda lib: lib.empty(3, dtype=lib.int64).log_normal_(),
])
def test_errors_match_pytorch(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(nbtorch)
    assert str(ours.value) == str(theirs.value)
