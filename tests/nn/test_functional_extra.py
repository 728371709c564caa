"""``pdist``, ``channel_shuffle``, ``gumbel_softmax``, channel and alpha dropout, the in-place
activations and ``Softmax2d``: against PyTorch where the result is not random, and by their
structure and statistics where it is (which channels are zeroed, how they are scaled, the
mean and variance alpha dropout keeps, the frequencies of Gumbel samples)."""

import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

rng = np.random.default_rng(0)
X = rng.standard_normal((5, 3)).astype(np.float32)
X[3] = X[1]  # a pair of equal rows: a zero distance


def _out_and_grad(lib, fn, x):
    """``fn`` of ``x`` as ``lib``'s tensor, and the gradient of a weighted sum of it."""
    t = lib.tensor(x, requires_grad=True)
    out = fn(t)
    weights = np.linspace(-1, 1, out.numel(), dtype=x.dtype).reshape(tuple(out.shape))
    (out * lib.tensor(weights)).sum().backward()
    return out.detach().numpy(), t.grad.numpy()


def _assert_same(ours, theirs, rtol=1e-5, atol=1e-6):
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _raises_like_torch(torch, call):
    """``call(lib, F)`` raises the same exception, with the same message, in both."""
    with pytest.raises(Exception) as theirs:
        call(torch, torch.nn.functional)
    with pytest.raises(type(theirs.value)) as ours:
        call(nbtorch, F)
    assert str(ours.value) == str(theirs.value)


# -- pdist ---------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, float("inf")])
def test_pdist_matches_pytorch(torch, p):
    _assert_same(_out_and_grad(nbtorch, lambda x: F.pdist(x, p), X),
                 _out_and_grad(torch, lambda x: torch.nn.functional.pdist(x, p), X))


@pytest.mark.oracle
@pytest.mark.parametrize("rows", [0, 1, 2])
def test_pdist_of_fewer_than_three_rows(torch, rows):
    x = X[:rows]
    _assert_same([nbtorch.pdist(nbtorch.tensor(x)).numpy()],
                 [torch.pdist(torch.tensor(x)).numpy()])


@pytest.mark.parametrize("p", [1.5, 2, 3])
def test_pdist_gradcheck(p):
    x = nbtorch.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda v: F.pdist(v, p), (x,), check_forward_ad=True)
    assert gradgradcheck(lambda v: F.pdist(v, p), (x,))


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda L, F: F.pdist(L.ones(2, 3, 4)),
    lambda L, F: F.pdist(L.ones(3)),
    lambda L, F: F.pdist(L.ones(3, 4), p=-1),
    lambda L, F: F.pdist(L.ones(3, 4).long()),
])
def test_pdist_errors_match_pytorch(torch, call):
    _raises_like_torch(torch, call)


# -- channel_shuffle -----------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape,groups", [((2, 6, 3), 2), ((1, 6, 2, 2), 3),
                                          ((2, 4, 1, 2, 3), 4), ((2, 5, 2), 1)])
def test_channel_shuffle_matches_pytorch(torch, shape, groups):
    x = rng.standard_normal(shape).astype(np.float32)
    _assert_same(_out_and_grad(nbtorch, lambda t: F.channel_shuffle(t, groups), x),
                 _out_and_grad(torch, lambda t: torch.nn.functional.channel_shuffle(t, groups),
                               x))
    _assert_same(_out_and_grad(nbtorch, nn.ChannelShuffle(groups), x),
                 _out_and_grad(torch, torch.nn.ChannelShuffle(groups), x))
    assert repr(nn.ChannelShuffle(groups)) == repr(torch.nn.ChannelShuffle(groups))
    np.testing.assert_array_equal(nbtorch.channel_shuffle(nbtorch.tensor(x), groups).numpy(),
                                  torch.channel_shuffle(torch.tensor(x), groups).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda L, F: F.channel_shuffle(L.ones(2, 6), 3),
    lambda L, F: F.channel_shuffle(L.ones(2, 6, 2), 4),
    lambda L, F: F.channel_shuffle(L.ones(2, 6, 2), 0),
    lambda L, F: F.channel_shuffle(L.ones(2, 6, 2), -3),
])
def test_channel_shuffle_errors_match_pytorch(torch, call):
    _raises_like_torch(torch, call)


# -- gumbel_softmax ------------------------------------------------------------------------------

LOGITS = rng.standard_normal((4, 5)).astype(np.float32)


def _gumbel(seed, **kwargs):
    nbtorch.manual_seed(seed)
    logits = nbtorch.tensor(LOGITS, requires_grad=True)
    return logits, F.gumbel_softmax(logits, **kwargs)


@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_samples_are_seeded_distributions(dim):
    _, a = _gumbel(3, tau=0.5, dim=dim)
    _, b = _gumbel(3, tau=0.5, dim=dim)
    _, c = _gumbel(4, tau=0.5, dim=dim)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
    sample = a.detach().numpy()
    assert (sample > 0).all()
    np.testing.assert_allclose(sample.sum(dim), 1, rtol=1e-6)


@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_hard_is_the_one_hot_argmax_with_the_soft_gradient(dim):
    soft_logits, soft = _gumbel(7, tau=0.8, dim=dim)
    hard_logits, hard = _gumbel(7, tau=0.8, hard=True, dim=dim)
    expected = np.argmax(soft.detach().numpy(), axis=dim)
    one_hot = hard.detach().numpy()
    assert set(np.unique(one_hot)) == {0.0, 1.0}
    np.testing.assert_array_equal(one_hot.sum(dim), 1)
    np.testing.assert_array_equal(np.argmax(one_hot, axis=dim), expected)
    weights = nbtorch.tensor(rng.standard_normal(LOGITS.shape).astype(np.float32))
    (soft * weights).sum().backward()
    (hard * weights).sum().backward()
    np.testing.assert_allclose(hard_logits.grad.numpy(), soft_logits.grad.numpy(), rtol=1e-6)


def test_gumbel_softmax_hard_samples_follow_the_softmax_probabilities():
    """The Gumbel-max trick: argmax(logits + Gumbel noise) is a sample of softmax(logits)."""
    logits = np.array([1.0, 0.0, -1.0, 0.5], dtype=np.float32)
    samples = F.gumbel_softmax(nbtorch.tensor(np.tile(logits, (20000, 1))), hard=True)
    frequencies = samples.numpy().mean(0)
    probabilities = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(frequencies, probabilities, atol=0.015)


def test_gumbel_softmax_temperature():
    """A lower temperature gives samples nearer one-hot vectors."""
    many = nbtorch.tensor(np.tile(LOGITS, (200, 1)))
    cold = F.gumbel_softmax(many, tau=0.1).numpy().max(1).mean()
    warm = F.gumbel_softmax(many, tau=10.0).numpy().max(1).mean()
    assert cold > 0.9 and warm < 0.5


def test_gumbel_softmax_gradcheck():
    logits = nbtorch.tensor(LOGITS.astype(np.float64), requires_grad=True)

    def sample(x):
        nbtorch.manual_seed(5)  # the same noise at every evaluation
        return F.gumbel_softmax(x, tau=0.7)

    assert gradcheck(sample, (logits,), check_forward_ad=True)


@pytest.mark.oracle
def test_gumbel_softmax_eps_warning_and_dim_error_match_pytorch(torch):
    with pytest.warns(UserWarning) as theirs:
        torch.nn.functional.gumbel_softmax(torch.tensor(LOGITS), eps=1e-3)
    with pytest.warns(UserWarning) as ours:
        F.gumbel_softmax(nbtorch.tensor(LOGITS), eps=1e-3)
    assert str(ours[0].message) == str(theirs[0].message)
    with pytest.raises(IndexError):
        torch.nn.functional.gumbel_softmax(torch.tensor(LOGITS), dim=2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.gumbel_softmax(nbtorch.tensor(LOGITS), dim=2)


# -- channel dropout (dropout1d, dropout3d) ------------------------------------------------------

CHANNEL_DROPOUT = [  # function, module, input shape, dims of one channel's positions
    (F.dropout1d, nn.Dropout1d, (40, 50, 3), (2,)),
    (F.dropout1d, nn.Dropout1d, (1000, 3), (1,)),
    (F.dropout3d, nn.Dropout3d, (20, 100, 2, 1, 2), (2, 3, 4)),
    (F.dropout3d, nn.Dropout3d, (1000, 2, 2, 1), (1, 2, 3)),
]


@pytest.mark.parametrize("p", [0.3, 0.6])
@pytest.mark.parametrize("fn,module,shape,positions", CHANNEL_DROPOUT)
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(fn, module, shape,
                                                                  positions, p):
    x = nbtorch.tensor(rng.random(shape).astype(np.float32) + 0.5, requires_grad=True)
    out = fn(x, p)
    out.sum().backward()
    ratio = out.detach().numpy() / x.detach().numpy()
    kept = ratio != 0
    np.testing.assert_allclose(ratio[kept], 1 / (1 - p), rtol=1e-6)
    per_channel = kept.all(positions)
    assert (per_channel == kept.any(positions)).all()  # a channel is kept or dropped whole
    if per_channel.ndim == 2:  # (N, C): each channel of each sample has its own coin
        assert (per_channel.any(1) & ~per_channel.all(1)).mean() > 0.5
    spread = np.sqrt(p * (1 - p) / per_channel.size)  # the standard deviation of the fraction
    assert abs(1 - per_channel.mean() - p) < 4 * spread
    np.testing.assert_allclose(x.grad.numpy(), ratio, rtol=1e-6)  # the gradient is the mask
    layer = module(p)
    assert (layer(x).detach().numpy() == 0).any()
    layer.eval()
    assert layer(x) is x


@pytest.mark.parametrize("fn", [F.dropout1d, F.dropout3d])
def test_channel_dropout_edges(fn):
    shape = (2, 3, 4) if fn is F.dropout1d else (2, 3, 1, 2, 2)
    x = nbtorch.tensor(rng.random(shape).astype(np.float32) + 0.5)
    assert fn(x, 0.5, training=False) is x
    assert fn(x, 0.0) is x
    np.testing.assert_array_equal(fn(x, 1.0).numpy(), 0)
    y = x.clone()
    nbtorch.manual_seed(1)
    out = fn(y, 0.5, inplace=True)
    nbtorch.manual_seed(1)
    assert out is y
    np.testing.assert_array_equal(y.numpy(), fn(x, 0.5).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("call", [
    lambda L, F: F.dropout1d(L.ones(3, 4, 5, 6)),
    lambda L, F: F.dropout1d(L.ones(3)),
    lambda L, F: F.dropout1d(L.ones(3, 4), p=1.2),
    lambda L, F: F.dropout3d(L.ones(3, 4, 2, 2), p=-0.1),
    lambda L, F: F.alpha_dropout(L.ones(3, 4), p=1.5),
    lambda L, F: F.feature_alpha_dropout(L.ones(3, 4), p=-1.0),
    lambda L, F: F.feature_alpha_dropout(L.ones(3), 0.5, True),
    lambda L, F: L.nn.AlphaDropout(p=2.0),
    lambda L, F: L.nn.Dropout1d(p=-0.5),
])
def test_dropout_errors_match_pytorch(torch, call):
    _raises_like_torch(torch, call)


@pytest.mark.oracle
def test_dropout3d_warns_like_pytorch_and_treats_other_shapes_as_one_sample(torch):
    with pytest.warns(UserWarning) as theirs:
        torch.nn.functional.dropout3d(torch.ones(3, 4))
    with pytest.warns(UserWarning) as ours:
        out = F.dropout3d(nbtorch.ones(300, 4), 0.5)
    assert str(ours[0].message) == str(theirs[0].message)
    rows = out.numpy()  # (C, L) for one sample: whole rows are dropped
    assert ((rows == 0).all(1) | (rows == 2).all(1)).all()


@pytest.mark.oracle
def test_dropout_module_reprs_match_pytorch(torch):
    for name in ["Dropout1d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]:
        for kwargs in [{}, {"p": 0.2, "inplace": True}]:
            assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


# -- alpha dropout -------------------------------------------------------------------------------


def _affine_map(lib, fn, x):
    """Alpha dropout as y = a x + b where kept, a constant where dropped: (a, b, that
    constant, the fraction dropped), read from the output and its gradient (a or 0)."""
    t = lib.tensor(x, requires_grad=True)
    out = fn(t)
    out.sum().backward()
    y, slope = out.detach().numpy(), t.grad.numpy()
    kept = slope != 0
    a = np.unique(slope[kept])
    b = y[kept] - a[0] * x[kept]
    dropped = np.unique(y[~kept])
    assert len(a) == 1 and len(dropped) == 1  # one slope, one value for the dropped units
    return a[0], b.mean(), dropped[0], 1 - kept.mean(), b.std()


@pytest.mark.oracle
@pytest.mark.parametrize("p", [0.1, 0.5])
@pytest.mark.parametrize("name,shape", [("alpha_dropout", (200, 100)),
                                        ("feature_alpha_dropout", (100, 50, 2))])
def test_alpha_dropout_is_pytorchs_affine_map(torch, name, shape, p):
    x = rng.standard_normal(shape).astype(np.float32)
    ours = _affine_map(nbtorch, lambda t: getattr(F, name)(t, p, True), x)
    theirs = _affine_map(torch, lambda t: getattr(torch.nn.functional, name)(t, p, True), x)
    np.testing.assert_allclose(ours[:3], theirs[:3], rtol=1e-5)
    assert ours[4] < 1e-5  # the same b for every kept unit
    assert abs(ours[3] - p) < 0.03


@pytest.mark.parametrize("p", [0.2, 0.5])
@pytest.mark.parametrize("fn,shape", [(F.alpha_dropout, (400, 500)),
                                      (F.feature_alpha_dropout, (400, 500, 1))])
def test_alpha_dropout_keeps_mean_and_variance_of_a_standard_normal(fn, shape, p):
    x = nbtorch.tensor(rng.standard_normal(shape).astype(np.float32))
    out = fn(x, p, training=True).numpy().astype(np.float64)
    assert abs(out.mean()) < 0.01
    assert abs(out.var() - 1) < 0.02


def test_feature_alpha_dropout_drops_whole_channels():
    x = nbtorch.tensor(rng.standard_normal((30, 40, 5)).astype(np.float32))
    out = F.feature_alpha_dropout(x, 0.5, True).numpy()
    same = (out == out[..., :1]).all(2)  # a dropped channel is one constant throughout
    assert 0.3 < same.mean() < 0.7
    assert len(np.unique(out[same])) == 1


@pytest.mark.oracle
def test_alpha_dropout_edges_match_pytorch(torch):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    for name in ["alpha_dropout", "feature_alpha_dropout"]:
        ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
        np.testing.assert_array_equal(ours(nbtorch.tensor(x), 1.0, True).numpy(),
                                      theirs(torch.tensor(x), 1.0, True).numpy())
        t = nbtorch.tensor(x)
        assert ours(t) is t  # training=False is the default
        assert ours(t, 0.0, True) is t
        assert ours(nbtorch.tensor(x[0]), 0.5, False).shape == (4,)
    for name in ["AlphaDropout", "FeatureAlphaDropout"]:
        layer = getattr(nn, name)(0.5)
        t = nbtorch.tensor(x[..., None])
        assert not np.array_equal(layer(t).numpy(), t.numpy())
        layer.eval()
        assert layer(t) is t


def test_alpha_dropout_inplace_writes_into_the_input():
    x = nbtorch.tensor(rng.standard_normal((6, 5)).astype(np.float32))
    y = x.clone()
    nbtorch.manual_seed(2)
    assert F.alpha_dropout(y, 0.4, True, inplace=True) is y
    nbtorch.manual_seed(2)
    np.testing.assert_array_equal(y.numpy(), F.alpha_dropout(x, 0.4, True).numpy())


# -- in-place activations ------------------------------------------------------------------------

INPLACE = [("relu_", {}), ("elu_", {"alpha": 0.7}), ("leaky_relu_", {"negative_slope": 0.2}),
           ("hardtanh_", {"min_val": -0.5, "max_val": 0.8}), ("threshold_", (0.1, -2.0)),
           ("celu_", {"alpha": 1.5}), ("selu_", {}), ("rrelu_", {})]


@pytest.mark.oracle
@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activations_match_pytorch(torch, name, args):
    x = rng.standard_normal((4, 3)).astype(np.float32) * 2

    def run(lib, functional):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 1  # not a leaf: it may change in place
        fn = getattr(functional, name)
        out = fn(y, *args) if isinstance(args, tuple) else fn(y, **args)
        assert out is y
        (y * lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))).sum().backward()
        return y.detach().numpy(), leaf.grad.numpy()

    _assert_same(run(nbtorch, F), run(torch, torch.nn.functional))


@pytest.mark.oracle
def test_relu_inplace_at_the_top_level_and_on_a_leaf(torch):
    x = rng.standard_normal(5).astype(np.float32)
    t = nbtorch.tensor(x)
    assert nbtorch.relu_(t) is t
    np.testing.assert_array_equal(t.numpy(), torch.relu_(torch.tensor(x)).numpy())
    with pytest.raises(RuntimeError):
        torch.nn.functional.elu_(torch.tensor(x, requires_grad=True))
    with pytest.raises(RuntimeError, match="in-place"):
        F.elu_(nbtorch.tensor(x, requires_grad=True))


# -- Softmax2d -----------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", [(3, 2, 4), (2, 3, 2, 2)])
def test_softmax2d_matches_pytorch(torch, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    _assert_same(_out_and_grad(nbtorch, nn.Softmax2d(), x),
                 _out_and_grad(torch, torch.nn.Softmax2d(), x))
    assert repr(nn.Softmax2d()) == repr(torch.nn.Softmax2d())


@pytest.mark.oracle
@pytest.mark.parametrize("shape", [(3, 2), (1, 2, 3, 2, 2)])
def test_softmax2d_errors_match_pytorch(torch, shape):
    _raises_like_torch(torch, lambda L, F: L.nn.Softmax2d()(L.ones(*shape)))


def test_no_warning_from_the_usual_calls():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout3d(nbtorch.ones(2, 3, 1, 1, 2), 0.5)
        F.gumbel_softmax(nbtorch.tensor(LOGITS))
