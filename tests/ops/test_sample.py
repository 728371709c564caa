"""bernoulli, bernoulli_ and multinomial: frequencies against the probabilities asked for
(a z-test or a chi-square test with a fixed seed and a generous bound), reproducibility with
``manual_seed`` and with a ``Generator``, shapes and dtypes, and errors against PyTorch."""

import numpy as np
import pytest

import nbtorch


def chi_square(counts, expected):
    counts, expected = np.asarray(counts, float), np.asarray(expected, float)
    return float(((counts - expected) ** 2 / expected).sum())


def chi_square_bound(categories):
    """dof + 6 standard deviations of the chi-square distribution (p-value below 1e-4)."""
    dof = categories - 1
    return dof + 6 * np.sqrt(2 * dof)


def test_bernoulli_frequencies():
    probs = np.array([0.0, 0.1, 0.5, 0.93, 1.0])
    n = 4000
    draws = nbtorch.bernoulli(nbtorch.tensor(np.tile(probs, (n, 1)))).numpy()
    assert set(np.unique(draws)) <= {0.0, 1.0}
    freq = draws.mean(0)
    assert freq[0] == 0 and freq[-1] == 1
    sigma = np.sqrt(probs * (1 - probs) / n)
    assert (np.abs(freq - probs) <= 5 * sigma).all(), (freq, probs)


def test_bernoulli_with_p_and_in_place():
    x = nbtorch.zeros(3000, dtype=nbtorch.float64)
    out = nbtorch.bernoulli(x, 0.3)  # the values of x are not used with p
    assert out.dtype == nbtorch.float64 and out.shape == x.shape
    assert abs(out.mean().item() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / 3000)
    assert x.bernoulli_(0.7) is x and abs(x.mean().item() - 0.7) < 5 * np.sqrt(0.21 / 3000)
    ints = nbtorch.zeros(2000, dtype=nbtorch.int64).bernoulli_(0.5)
    assert ints.dtype == nbtorch.int64 and set(ints.tolist()) == {0, 1}
    per_column = nbtorch.zeros(1000, 3).bernoulli_(nbtorch.tensor([0.0, 1.0, 0.5]))
    col = per_column.mean(0).tolist()
    assert col[0] == 0 and col[1] == 1 and abs(col[2] - 0.5) < 5 * np.sqrt(0.25 / 1000)


@pytest.mark.parametrize("draw", [
    lambda g: nbtorch.bernoulli(nbtorch.full((50,), 0.5), generator=g),
    lambda g: nbtorch.full((50,), 0.5).bernoulli(generator=g),
    lambda g: nbtorch.zeros(50).bernoulli_(0.5, generator=g),
    lambda g: nbtorch.multinomial(nbtorch.ones(2, 9), 30, True, generator=g),
    lambda g: nbtorch.ones(40).multinomial(40, generator=g),
])
def test_reproducible_with_manual_seed_and_generators(draw):
    nbtorch.manual_seed(5)
    first = draw(None)
    nbtorch.manual_seed(5)
    assert nbtorch.equal(draw(None), first)
    nbtorch.manual_seed(6)
    assert not nbtorch.equal(draw(None), first)
    g1, g2 = nbtorch.Generator().manual_seed(9), nbtorch.Generator().manual_seed(9)
    nbtorch.manual_seed(1)
    a = draw(g1)
    nbtorch.manual_seed(2)  # the default generator does not matter when one is given
    assert nbtorch.equal(draw(g2), a)


def test_multinomial_with_replacement_follows_the_weights():
    weights = np.array([1.0, 2.0, 3.0, 0.0, 4.0, 5.0])
    n = 20000
    draws = nbtorch.multinomial(nbtorch.tensor(weights), n, replacement=True)
    assert draws.dtype == nbtorch.int64 and draws.shape == (n,)
    counts = np.bincount(draws.numpy(), minlength=len(weights))
    assert counts[3] == 0  # weight 0: never drawn
    keep = weights > 0
    expected = n * weights[keep] / weights.sum()
    assert chi_square(counts[keep], expected) < chi_square_bound(keep.sum())


def test_multinomial_rows_are_independent_distributions():
    weights = np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 5.0]], dtype=np.float32)
    draws = nbtorch.tensor(weights).multinomial(6000, replacement=True).numpy()
    assert draws.shape == (2, 6000)
    for row, w in zip(draws, weights):
        counts = np.bincount(row, minlength=3)
        keep = w > 0
        assert (counts[~keep] == 0).all()
        assert chi_square(counts[keep], 6000 * w[keep] / w.sum()) < chi_square_bound(2)


def test_multinomial_without_replacement():
    """First draw ~ p_j; second draw j (after i) ~ p_i p_j / (1 - p_i), summed over i."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    rows = 4000
    draws = nbtorch.multinomial(nbtorch.tensor(np.tile(p * 7, (rows, 1))), 2).numpy()
    assert draws.shape == (rows, 2) and (draws[:, 0] != draws[:, 1]).all()
    first = np.bincount(draws[:, 0], minlength=4)
    assert chi_square(first, rows * p) < chi_square_bound(4)
    pair = p[:, None] * p[None, :] / (1 - p[:, None])
    np.fill_diagonal(pair, 0)
    second = np.bincount(draws[:, 1], minlength=4)
    assert chi_square(second, rows * pair.sum(0)) < chi_square_bound(4)


def test_multinomial_without_replacement_takes_zero_weights_last():
    w = nbtorch.tensor([[0.0, 2.0, 0.0, 1.0, 0.0]] * 50)
    draws = nbtorch.multinomial(w, 5).numpy()
    assert (np.sort(draws, axis=1) == np.arange(5)).all()  # each row: every category once
    assert (np.isin(draws[:, :2], [1, 3])).all()


def test_errors():
    def raises(exc, match, fn):
        with pytest.raises(exc, match=match):
            fn()

    probs = nbtorch.tensor([0.5, 0.5])
    raises(RuntimeError, "p_in >= 0 && p_in <= 1", lambda: nbtorch.bernoulli(probs * 3))
    raises(RuntimeError, "p_in >= 0 && p_in <= 1", lambda: nbtorch.bernoulli(probs - 1))
    raises(RuntimeError, "p_in >= 0 && p_in <= 1",
           lambda: nbtorch.bernoulli(nbtorch.tensor([np.nan])))
    raises(NotImplementedError, "not implemented for 'Long'",
           lambda: nbtorch.bernoulli(nbtorch.tensor([1, 0])))
    raises(RuntimeError, "expects p to be in \\[0, 1\\], but got p=1.5",
           lambda: nbtorch.bernoulli(probs, 1.5))
    raises(RuntimeError, "expects p to be in \\[0, 1\\]", lambda: nbtorch.zeros(2).bernoulli_(-1))
    raises(RuntimeError, "leaf Variable that requires grad",
           lambda: nbtorch.zeros(2, requires_grad=True).bernoulli_(0.5))
    w = nbtorch.tensor([1.0, 2.0, 0.0])
    raises(RuntimeError, "only supports floating-point dtypes for input, got: Long",
           lambda: nbtorch.multinomial(nbtorch.tensor([1, 2]), 1))
    raises(RuntimeError, "prob_dist must be 1 or 2 dim",
           lambda: nbtorch.multinomial(nbtorch.ones(2, 2, 2), 1))
    raises(RuntimeError, "n_sample <= 0", lambda: nbtorch.multinomial(w, 0))
    raises(RuntimeError, "n_sample > prob_dist.size\\(-1\\) samples without replacement",
           lambda: nbtorch.multinomial(w, 4))
    for bad in ([1.0, -1.0], [1.0, np.nan], [1.0, np.inf]):
        raises(RuntimeError, "probability tensor contains either `inf`, `nan` or element < 0",
               lambda bad=bad: nbtorch.multinomial(nbtorch.tensor(bad), 1))
    raises(RuntimeError, "invalid multinomial distribution \\(sum of probabilities <= 0\\)",
           lambda: nbtorch.multinomial(nbtorch.tensor([[0.0, 0.0], [1.0, 1.0]]), 1, True))


# -- PyTorch as the oracle -------------------------------------------------------------------

ORACLE_CALLS = [
    lambda L: L.bernoulli(L.tensor([0.5, 1.5])),
    lambda L: L.bernoulli(L.tensor([0.5, -0.5])),
    lambda L: L.bernoulli(L.tensor([0.5, np.nan])),
    lambda L: L.bernoulli(L.tensor([1, 0])),
    lambda L: L.bernoulli(L.tensor([0.2, 0.3]), p=1.5),
    lambda L: L.bernoulli(L.tensor([0.0, 1.0], dtype=L.float64)),
    lambda L: L.bernoulli(L.tensor([1.5, 7.0]), 1.0),
    lambda L: L.bernoulli(L.tensor([3, 4]), 0.0),
    lambda L: L.zeros(3).bernoulli_(1.5),
    lambda L: L.zeros(3).bernoulli_(L.tensor([0.0, 1.5, 1.0])),
    lambda L: L.zeros(3).bernoulli_(L.tensor([0.0, 1.0, 1.0])),
    lambda L: L.zeros(3, dtype=L.int64).bernoulli_(1.0),
    lambda L: L.zeros(3, requires_grad=True).bernoulli_(0.5),
    lambda L: L.multinomial(L.tensor([0.0, 1.0, 0.0]), 2, True),
    lambda L: L.multinomial(L.tensor([0.0, 1.0, 0.0]), 1),
    lambda L: L.multinomial(L.tensor([1.0, 1.0, 0.0]), 4),
    lambda L: L.multinomial(L.tensor([1.0, -1.0, 0.0]), 1),
    lambda L: L.multinomial(L.tensor([1.0, np.nan, 0.0]), 1),
    lambda L: L.multinomial(L.tensor([1.0, np.inf, 0.0]), 1),
    lambda L: L.multinomial(L.tensor([[0.0, 0.0, 0.0], [1, 1, 1]]), 1),
    lambda L: L.multinomial(L.tensor([1, 2, 3]), 1),
    lambda L: L.multinomial(L.tensor([1.0, 2, 3]), 0),
    lambda L: L.multinomial(L.tensor(1.0), 1),
    lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    lambda L: L.multinomial(L.tensor([]), 1),
    lambda L: L.multinomial(L.tensor([[0.0, 2.0], [3.0, 0.0]], dtype=L.float64), 3, True),
]


@pytest.mark.oracle
@pytest.mark.parametrize("index", range(len(ORACLE_CALLS)))
def test_deterministic_results_and_errors_match_torch(torch, index):
    def outcome(lib):
        try:
            out = ORACLE_CALLS[index](lib)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e)
        return str(out.dtype).split(".")[-1], tuple(out.shape), out.tolist()

    assert outcome(nbtorch) == outcome(torch)
