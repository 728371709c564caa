"""The layers added to nn (activations, fold/unfold, pixel shuffle, padding, distances,
instance/RMS/local response norm, adaptive max pooling, unpooling, ConvTranspose1d,
upsampling) against PyTorch: outputs and gradients with the same weights, state_dict keys,
repr and errors; gradcheck (reverse and forward mode) of the functional forms in float64.

Most cases are written once as ``lambda T: ...`` and run with ``T = nbtorch`` and
``T = torch``: the two share their API.
"""

import math

import numpy as np
import pytest
from nn_helpers import assert_close, check_module, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F


def _pooled(T, shape, kernel=2, stride=None, padding=0):
    """(values, indices) of max_pool2d on a fixed random input, in the library ``T``."""
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    return T.nn.functional.max_pool2d(T.tensor(x), kernel, stride, padding,
                                      return_indices=True)


def _pooled1d(T, shape):
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    return T.nn.functional.max_pool1d(T.tensor(x), 2, return_indices=True)


# (id, the layer built from a torch.nn-like namespace, input shapes or a function of
# nbtorch making the inputs)
MODULES = [
    ("PReLU", lambda n: n.PReLU(), [(2, 3, 4)]),
    ("PReLU per channel", lambda n: n.PReLU(3, 0.1), [(2, 3, 4)]),
    ("PReLU 1-d input", lambda n: n.PReLU(init=-0.3), [(5,)]),
    ("Mish", lambda n: n.Mish(), [(3, 4)]),
    ("Hardswish", lambda n: n.Hardswish(), [(3, 4)]),
    ("Hardsigmoid", lambda n: n.Hardsigmoid(), [(3, 4)]),
    ("SELU", lambda n: n.SELU(), [(3, 4)]),
    ("CELU", lambda n: n.CELU(0.5), [(3, 4)]),
    ("Softsign", lambda n: n.Softsign(), [(3, 4)]),
    ("Tanhshrink", lambda n: n.Tanhshrink(), [(3, 4)]),
    ("Threshold", lambda n: n.Threshold(0.1, 20.0), [(3, 4)]),
    ("LogSigmoid", lambda n: n.LogSigmoid(), [(3, 4)]),
    ("Softmin", lambda n: n.Softmin(dim=1), [(3, 4)]),
    ("GLU", lambda n: n.GLU(), [(3, 4)]),
    ("GLU dim 1", lambda n: n.GLU(1), [(2, 6, 3)]),
    ("Hardshrink", lambda n: n.Hardshrink(0.3), [(3, 4)]),
    ("Softshrink", lambda n: n.Softshrink(0.3), [(3, 4)]),
    ("RReLU eval", lambda n: n.RReLU(0.1, 0.3).eval(), [(3, 4)]),
    ("Unfold", lambda n: n.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     [(2, 3, 5, 6)]),
    ("Unfold unbatched", lambda n: n.Unfold(2), [(3, 4, 5)]),
    ("Fold", lambda n: n.Fold((4, 5), 2), [(2, 12, 12)]),
    ("Fold strided", lambda n: n.Fold((5, 6), (2, 3), padding=1, stride=2), [(2, 12, 9)]),
    ("Fold dilated unbatched", lambda n: n.Fold(5, 2, dilation=2), [(8, 9)]),
    ("PixelShuffle", lambda n: n.PixelShuffle(2), [(2, 8, 3, 3)]),
    ("PixelShuffle 5-d", lambda n: n.PixelShuffle(3), [(2, 1, 9, 2, 3)]),
    ("PixelUnshuffle", lambda n: n.PixelUnshuffle(2), [(2, 2, 4, 6)]),
    ("ZeroPad1d", lambda n: n.ZeroPad1d(2), [(2, 3, 4)]),
    ("ZeroPad2d", lambda n: n.ZeroPad2d((1, 2, 0, 3)), [(2, 3, 4, 5)]),
    ("ConstantPad1d", lambda n: n.ConstantPad1d((1, 2), 3.5), [(2, 3, 4)]),
    ("ConstantPad2d", lambda n: n.ConstantPad2d(1, 2.0), [(3, 4, 5)]),
    ("ReflectionPad1d", lambda n: n.ReflectionPad1d(2), [(2, 3, 4)]),
    ("ReflectionPad2d", lambda n: n.ReflectionPad2d((1, 0, 2, 1)), [(2, 3, 4, 5)]),
    ("ReplicationPad1d", lambda n: n.ReplicationPad1d(3), [(2, 3, 4)]),
    ("ReplicationPad2d", lambda n: n.ReplicationPad2d(2), [(3, 4, 5)]),
    ("CircularPad1d", lambda n: n.CircularPad1d(2), [(2, 3, 4)]),
    ("CircularPad2d", lambda n: n.CircularPad2d((1, 2, 2, 1)), [(2, 3, 4, 5)]),
    ("CosineSimilarity", lambda n: n.CosineSimilarity(), [(3, 4, 2), (3, 4, 2)]),
    ("CosineSimilarity dim 0", lambda n: n.CosineSimilarity(0, 1e-3), [(4, 3), (4, 1)]),
    ("PairwiseDistance", lambda n: n.PairwiseDistance(), [(3, 4), (3, 4)]),
    ("PairwiseDistance p=1 keepdim", lambda n: n.PairwiseDistance(1, 1e-3, True),
     [(3, 4), (4,)]),
    ("PairwiseDistance p=inf", lambda n: n.PairwiseDistance(math.inf), [(3, 4), (3, 4)]),
    ("PairwiseDistance p=3", lambda n: n.PairwiseDistance(3), [(2, 3, 4), (2, 3, 4)]),
    ("InstanceNorm1d", lambda n: n.InstanceNorm1d(3), [(2, 3, 5)]),
    ("InstanceNorm1d affine unbatched", lambda n: n.InstanceNorm1d(3, affine=True),
     [(3, 5)]),
    ("InstanceNorm2d running stats",
     lambda n: n.InstanceNorm2d(3, affine=True, track_running_stats=True), [(2, 3, 4, 5)]),
    ("InstanceNorm2d momentum None",
     lambda n: n.InstanceNorm2d(3, momentum=None, track_running_stats=True), [(2, 3, 4, 5)]),
    ("InstanceNorm2d eval", lambda n: n.InstanceNorm2d(3, track_running_stats=True).eval(),
     [(2, 3, 4, 5)]),
    ("RMSNorm", lambda n: n.RMSNorm(5), [(2, 3, 5)]),
    ("RMSNorm 2 dims eps", lambda n: n.RMSNorm((4, 5), eps=1e-3), [(2, 3, 4, 5)]),
    ("RMSNorm no affine", lambda n: n.RMSNorm(5, elementwise_affine=False), [(2, 5)]),
    ("LocalResponseNorm", lambda n: n.LocalResponseNorm(3), [(2, 5, 4, 4)]),
    ("LocalResponseNorm strong, 3-d", lambda n: n.LocalResponseNorm(4, 0.5, 0.6, 2.0),
     [(2, 5, 6)]),
    ("LocalResponseNorm 5-d", lambda n: n.LocalResponseNorm(2, 0.3), [(2, 4, 2, 3, 2)]),
    ("AdaptiveAvgPool1d", lambda n: n.AdaptiveAvgPool1d(3), [(2, 3, 7)]),
    ("AdaptiveMaxPool1d", lambda n: n.AdaptiveMaxPool1d(3), [(2, 3, 7)]),
    ("AdaptiveMaxPool1d bigger", lambda n: n.AdaptiveMaxPool1d(5), [(3, 4)]),
    ("AdaptiveMaxPool2d", lambda n: n.AdaptiveMaxPool2d((3, None)), [(2, 3, 7, 5)]),
    ("AdaptiveMaxPool2d overlapping", lambda n: n.AdaptiveMaxPool2d((4, 3)), [(2, 3, 3, 5)]),
    ("AdaptiveMaxPool2d indices", lambda n: n.AdaptiveMaxPool2d(2, return_indices=True),
     [(3, 7, 5)]),
    ("MaxUnpool2d", lambda n: n.MaxUnpool2d(2), lambda: _pooled(nbtorch, (2, 3, 4, 6))),
    ("MaxUnpool2d unbatched", lambda n: n.MaxUnpool2d(2), lambda: _pooled(nbtorch, (3, 4, 6))),
    ("MaxUnpool2d overlapping", lambda n: n.MaxUnpool2d(3, stride=2, padding=1),
     lambda: _pooled(nbtorch, (2, 2, 5, 5), 3, 2, 1)),
    ("MaxUnpool1d", lambda n: n.MaxUnpool1d(2), lambda: _pooled1d(nbtorch, (2, 3, 8))),
    ("ConvTranspose1d", lambda n: n.ConvTranspose1d(4, 6, 3, stride=2, padding=1,
                                                    output_padding=1, groups=2),
     [(2, 4, 5)]),
    ("ConvTranspose1d unbatched", lambda n: n.ConvTranspose1d(3, 2, 2, bias=False,
                                                              dilation=2),
     [(3, 5)]),
    ("UpsamplingNearest2d", lambda n: n.UpsamplingNearest2d(scale_factor=2), [(2, 3, 3, 4)]),
    ("UpsamplingBilinear2d", lambda n: n.UpsamplingBilinear2d(size=(5, 7)), [(2, 3, 3, 4)]),
]


def _inputs(spec):
    if callable(spec):
        return spec()
    return [nbtorch.randn(*shape) * 2 for shape in spec]


@pytest.mark.oracle
@pytest.mark.parametrize("make,spec", [m[1:] for m in MODULES], ids=[m[0] for m in MODULES])
def test_module_matches_pytorch(torch, make, spec):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_module(torch, ours, theirs, *_inputs(spec))
    tbuffers = dict(theirs.named_buffers())
    for name, b in ours.named_buffers():  # the running statistics after a forward
        assert_close(b, tbuffers[name])


@pytest.mark.oracle
def test_instance_norm_running_stats_after_several_steps_and_in_eval(torch):
    ours = nn.InstanceNorm1d(3, momentum=0.3, affine=True, track_running_stats=True)
    theirs = torch.nn.InstanceNorm1d(3, momentum=0.3, affine=True, track_running_stats=True)
    for _ in range(3):
        x = nbtorch.randn(4, 3, 6) * 3 + 1
        ours(x)
        theirs(to_torch(torch, x))
    for (name, b), (tname, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert name == tname
        assert_close(b, tb)
    ours.eval()
    theirs.eval()
    x = nbtorch.randn(2, 3, 6)
    assert_close(ours(x), theirs(to_torch(torch, x)))


def test_module_docstrings_and_parameters():
    prelu = nn.PReLU(4, init=0.5)
    assert prelu.weight.shape == (4,) and prelu.weight.requires_grad
    assert np.all(prelu.weight.detach().numpy() == 0.5)
    assert nn.InstanceNorm2d(3).weight is None
    assert nn.RMSNorm(3, elementwise_affine=False).weight is None
    names = ["PReLU", "RReLU", "Unfold", "Fold", "PixelShuffle", "CircularPad2d",
             "InstanceNorm1d", "RMSNorm", "LocalResponseNorm", "AdaptiveMaxPool2d",
             "MaxUnpool1d", "ConvTranspose1d", "UpsamplingBilinear2d", "CosineSimilarity"]
    for name in names:
        assert getattr(nn, name).__doc__, name


@pytest.mark.oracle
def test_max_unpool_with_output_size(torch):
    values, indices = _pooled(nbtorch, (1, 2, 5, 5))
    tvalues, tindices = _pooled(torch, (1, 2, 5, 5))
    for size in [(5, 5), (1, 2, 5, 4)]:
        assert_close(nn.MaxUnpool2d(2)(values, indices, size),
                     torch.nn.MaxUnpool2d(2)(tvalues, tindices, size))
    values, indices = _pooled1d(nbtorch, (2, 7))
    tvalues, tindices = _pooled1d(torch, (2, 7))
    assert_close(F.max_unpool1d(values, indices, 2, output_size=[7]),
                 torch.nn.functional.max_unpool1d(tvalues, tindices, 2, output_size=[7]))


@pytest.mark.oracle
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), (3, 2)), ((3, 5, 4), (5, 3)),
                                        ((1, 2, 6, 6), 1)])
def test_adaptive_max_pool_indices_match_pytorch(torch, shape, size):
    x = nbtorch.randn(*shape)
    out, idx = F.adaptive_max_pool2d(x, size, return_indices=True)
    tout, tidx = torch.nn.functional.adaptive_max_pool2d(to_torch(torch, x), size, True)
    assert_close(out, tout)
    assert idx.dtype == nbtorch.int64
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    out, idx = F.adaptive_max_pool1d(x.flatten(-2), 4, return_indices=True)
    tout, tidx = torch.nn.functional.adaptive_max_pool1d(to_torch(torch, x).flatten(-2), 4,
                                                         True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.oracle
def test_unpool_undoes_pool_where_the_maxima_were(torch):
    x = nbtorch.randn(2, 3, 4, 6)
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    restored = F.max_unpool2d(values, indices, 2)
    kept = restored.numpy() != 0
    assert kept.sum() == values.numel()
    np.testing.assert_array_equal(restored.numpy()[kept], x.numpy()[kept])


def test_rrelu_training_draws_slopes_in_range():
    x = nbtorch.randn(200, requires_grad=True)
    nbtorch.manual_seed(5)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    out.sum().backward()
    a, o, g = x.detach().numpy(), out.detach().numpy(), x.grad.numpy()
    pos = a > 0
    np.testing.assert_array_equal(o[pos], a[pos])
    np.testing.assert_array_equal(g[pos], 1)
    slopes = o[~pos] / a[~pos]
    assert np.all((slopes >= 0.1 - 1e-6) & (slopes <= 0.3 + 1e-6))
    assert slopes.std() > 0.02  # drawn per element, not one slope for all
    np.testing.assert_allclose(g[~pos], slopes, rtol=1e-5)
    nbtorch.manual_seed(5)
    np.testing.assert_array_equal(F.rrelu(x.detach(), 0.1, 0.3, True).numpy(), o)
    layer = nn.RReLU(0.1, 0.3)
    assert not np.array_equal(layer(x.detach()).numpy(), layer.eval()(x.detach()).numpy())
    np.testing.assert_allclose(layer(x.detach()).numpy(),
                               F.leaky_relu(x.detach(), 0.2).numpy())


@pytest.mark.oracle
@pytest.mark.parametrize("name,args", [
    ("threshold", (0.1, 2.0)), ("selu", ()), ("celu", (0.5,)), ("rrelu", (0.1, 0.3)),
    ("mish", ()), ("hardswish", ()), ("hardsigmoid", ()),
])
def test_inplace_functions(torch, name, args):
    x = nbtorch.randn(3, 4)
    expected = getattr(torch.nn.functional, name)(to_torch(torch, x), *args)
    y = x.clone()
    out = getattr(F, name)(y, *args, inplace=True)
    assert out is y
    assert_close(y, expected)
    if hasattr(F, name + "_"):
        z = x.clone()
        assert getattr(F, name + "_")(z, *args) is z
        assert_close(z, expected)


@pytest.mark.oracle
def test_top_level_and_tensor_method_forms(torch):
    x = nbtorch.randn(2, 3, 4)
    w = nbtorch.tensor([0.1, 0.2, 0.3])
    tx = to_torch(torch, x)
    assert_close(nbtorch.prelu(x, w), torch.prelu(tx, to_torch(torch, w)))
    assert_close(x.prelu(w), tx.prelu(to_torch(torch, w)))
    assert_close(x.hardshrink(0.4), tx.hardshrink(0.4))
    assert_close(nbtorch.selu(x), torch.selu(tx))
    assert_close(nbtorch.pixel_shuffle(x.reshape(1, 4, 3, 2), 2),
                 torch.pixel_shuffle(tx.reshape(1, 4, 3, 2), 2))
    assert_close(nbtorch.rms_norm(x, [4]), torch.rms_norm(tx, [4]))
    assert_close(nbtorch.adaptive_avg_pool1d(x, 2), torch.adaptive_avg_pool1d(tx, 2))
    assert_close(nbtorch.conv_transpose1d(x, w.reshape(3, 1, 1)),
                 torch.conv_transpose1d(tx, to_torch(torch, w).reshape(3, 1, 1)))


def _x(T, *shape):
    return T.zeros(*shape)


# Bad arguments: the same call in both libraries raises the same exception class with the
# same message (``same_message=False``: only the class; PyTorch's text comes from a layer
# nbtorch does not have).
ERRORS = [
    ("pixel_shuffle channels", lambda T: T.nn.functional.pixel_shuffle(_x(T, 5, 3, 3), 2)),
    ("pixel_shuffle 2-d", lambda T: T.nn.functional.pixel_shuffle(_x(T, 3, 3), 2)),
    ("pixel_shuffle factor", lambda T: T.nn.functional.pixel_shuffle(_x(T, 4, 3, 3), 0)),
    ("pixel_unshuffle height", lambda T: T.nn.functional.pixel_unshuffle(_x(T, 4, 5, 4), 2)),
    ("pixel_unshuffle width", lambda T: T.nn.functional.pixel_unshuffle(_x(T, 4, 4, 5), 2)),
    ("unfold 5-d", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 4, 5, 6), 2)),
    ("unfold kernel too big", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 3, 3), 4)),
    ("unfold kernel 0", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 3, 3), 0)),
    ("unfold stride 0", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 3, 3), 2, stride=0)),
    ("unfold padding", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 3, 3), 2, padding=-1)),
    ("unfold dilation", lambda T: T.nn.functional.unfold(_x(T, 2, 3, 3, 3), 2, dilation=0)),
    ("fold 1-d", lambda T: T.nn.functional.fold(_x(T, 12), (3, 4), 2)),
    ("fold channels", lambda T: T.nn.functional.fold(_x(T, 2, 10, 6), (3, 4), 2)),
    ("fold blocks", lambda T: T.nn.functional.fold(_x(T, 2, 12, 5), (3, 4), 2)),
    ("fold blocks unbatched", lambda T: T.nn.functional.fold(_x(T, 12, 5), (3, 4), 2)),
    ("fold too small", lambda T: T.nn.functional.fold(_x(T, 2, 12, 6), (1, 1), 2)),
    ("glu odd", lambda T: T.nn.functional.glu(_x(T, 3, 5))),
    ("glu scalar", lambda T: T.nn.functional.glu(T.tensor(1.0))),
    ("prelu count", lambda T: T.nn.functional.prelu(_x(T, 2, 3, 4), _x(T, 2))),
    ("prelu 1-d input", lambda T: T.nn.functional.prelu(_x(T, 3), _x(T, 3))),
    ("prelu 2-d weight", lambda T: T.nn.functional.prelu(_x(T, 2, 3), _x(T, 1, 3))),
    ("rrelu bounds", lambda T: T.nn.functional.rrelu(_x(T, 3), 0.5, 0.1, True)),
    ("celu alpha 0", lambda T: T.nn.functional.celu(_x(T, 3), 0.0)),
    ("softshrink negative", lambda T: T.nn.functional.softshrink(_x(T, 3), -1)),
    ("instance_norm one position",
     lambda T: T.nn.functional.instance_norm(_x(T, 2, 3, 1)), False),  # Size's repr
    ("instance_norm running_mean", lambda T: T.nn.functional.instance_norm(
        _x(T, 2, 3, 4), _x(T, 2), T.ones(2))),
    ("instance_norm weight", lambda T: T.nn.functional.instance_norm(
        _x(T, 2, 3, 4), weight=T.ones(2))),
    ("InstanceNorm1d 1-d", lambda T: T.nn.InstanceNorm1d(3)(_x(T, 3))),
    ("InstanceNorm2d 2-d", lambda T: T.nn.InstanceNorm2d(3)(_x(T, 3, 4))),
    ("InstanceNorm1d channels", lambda T: T.nn.InstanceNorm1d(3, affine=True)(_x(T, 2, 4, 5))),
    ("rms_norm shape", lambda T: T.nn.functional.rms_norm(_x(T, 2, 3), (4,))),
    ("rms_norm shape 2 dims", lambda T: T.nn.functional.rms_norm(_x(T, 2, 3), (2, 4))),
    ("rms_norm weight", lambda T: T.nn.functional.rms_norm(_x(T, 2, 3), (3,), T.ones(2))),
    ("rms_norm int shape", lambda T: T.nn.functional.rms_norm(_x(T, 2, 3), 3)),
    ("RMSNorm shape", lambda T: T.nn.RMSNorm(3)(_x(T, 2, 4))),
    ("local_response_norm 2-d", lambda T: T.nn.functional.local_response_norm(_x(T, 2, 3), 2),
     False),  # PyTorch's message has a run of spaces from a line break in its source
    ("adaptive_max_pool2d 2-d", lambda T: T.nn.functional.adaptive_max_pool2d(_x(T, 4, 5), 2)),
    ("adaptive_max_pool2d 3 sizes",
     lambda T: T.nn.functional.adaptive_max_pool2d(_x(T, 2, 3, 4, 5), (2, 3, 4))),
    ("adaptive_max_pool2d empty",
     lambda T: T.nn.functional.adaptive_max_pool2d(_x(T, 2, 3, 4, 0), 2)),
    ("adaptive_max_pool1d 1-d", lambda T: T.nn.functional.adaptive_max_pool1d(_x(T, 4), 2)),
    ("adaptive_avg_pool1d 1-d", lambda T: T.nn.functional.adaptive_avg_pool1d(_x(T, 4), 2)),
    ("adaptive_avg_pool1d 2 sizes",
     lambda T: T.nn.functional.adaptive_avg_pool1d(_x(T, 2, 3, 4), (2, 3))),
    ("max_unpool2d index too big", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, 16]]]]), 2)),
    ("max_unpool2d negative index", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, -1]]]]), 2)),
    ("max_unpool2d indices shape", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1, 2]]]]), 2)),
    ("max_unpool2d int32 indices", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, 3]]]], dtype=T.int32), 2), False),
    ("max_unpool2d 2-d input", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 2, 2), T.tensor([[0, 1], [2, 3]]), 2)),
    ("max_unpool2d output_size length", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, 3]]]]), 2, output_size=(3,))),
    ("max_unpool2d output_size range", lambda T: T.nn.functional.max_unpool2d(
        _x(T, 1, 1, 2, 2), T.tensor([[[[0, 1], [2, 3]]]]), 2, output_size=(6, 4))),
    ("conv_transpose1d 4-d", lambda T: T.nn.functional.conv_transpose1d(
        _x(T, 2, 3, 4, 5), _x(T, 3, 2, 3))),
    ("conv_transpose1d channels", lambda T: T.nn.functional.conv_transpose1d(
        _x(T, 2, 4, 5), _x(T, 3, 2, 3))),
    ("ConvTranspose1d padding_mode", lambda T: T.nn.ConvTranspose1d(2, 2, 3,
                                                                   padding_mode="reflect")),
    ("pairwise_distance shapes", lambda T: T.nn.functional.pairwise_distance(
        _x(T, 3, 4), _x(T, 3, 5)), False),
    ("ReflectionPad1d too wide", lambda T: T.nn.ReflectionPad1d(3)(_x(T, 2, 3)),
     False),  # F.pad's message names the dim by its size
    ("ZeroPad2d 1-d", lambda T: T.nn.ZeroPad2d(1)(_x(T, 3))),
    ("ReplicationPad1d 1-d", lambda T: T.nn.ReplicationPad1d(1)(_x(T, 3))),
    ("CircularPad2d 2-d", lambda T: T.nn.CircularPad2d(1)(_x(T, 3, 3))),
    ("CircularPad1d 4-d", lambda T: T.nn.CircularPad1d(1)(_x(T, 1, 2, 3, 3))),
]


def _raised(call, T):
    with pytest.raises(Exception) as info:
        call(T)
    return info.value


@pytest.mark.oracle
@pytest.mark.parametrize("case", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_pytorch(torch, case):
    call, same_message = case[1], case[2] if len(case) > 2 else True
    ours, theirs = _raised(call, nbtorch), _raised(call, torch)
    assert type(ours) is type(theirs), (ours, theirs)
    if same_message:
        assert str(ours).splitlines()[0] == str(theirs).splitlines()[0]
    else:
        assert str(ours)


# -- gradcheck (reverse and forward mode) and gradgradcheck of the functional forms ---------

# Values away from every kink (0, +-0.3 of the shrinks, +-3 of the hard functions).
BASE = np.array([-3.7, -1.7, -0.8, -0.45, -0.12, 0.23, 0.61, 1.3, 2.2, -2.6, 0.9, 0.37,
                 3.4, -0.2, 1.9, -1.1, 0.51, -2.3, 2.7, -0.65, 0.15, 1.6, -1.45, 0.08])


def _t(*shape, scale=1.0, positive=False):
    data = nbtorch.randn(*shape, dtype=nbtorch.float64) * scale
    return (data.abs() + 0.5 if positive else data).requires_grad_()


def _seeded_rrelu(x):
    nbtorch.manual_seed(1)  # the same slopes at every call of the finite differences
    return F.rrelu(x, 0.1, 0.4, training=True)


def _with_running_stats(mean, var):
    """instance_norm in evaluation: with fixed running statistics (made once: the finite
    differences call the function many times)."""
    fn = lambda x: F.instance_norm(x, mean, var, use_input_stats=False)  # noqa: E731
    return fn, (_t(2, 3, 4, 2),)


ACTIVATIONS = [
    ("prelu", lambda x: F.prelu(x, nbtorch.tensor([0.1, 0.2, 0.3], dtype=nbtorch.float64))),
    ("rrelu eval", lambda x: F.rrelu(x, 0.1, 0.3)),
    ("rrelu training", _seeded_rrelu),
    ("selu", F.selu), ("celu", lambda x: F.celu(x, 0.7)), ("mish", F.mish),
    ("hardswish", F.hardswish), ("hardsigmoid", F.hardsigmoid), ("softsign", F.softsign),
    ("tanhshrink", F.tanhshrink), ("threshold", lambda x: F.threshold(x, 0.1, 2.0)),
    ("logsigmoid", F.logsigmoid), ("softmin", lambda x: F.softmin(x, 1)),
    ("glu", lambda x: F.glu(x, 2)), ("hardshrink", lambda x: F.hardshrink(x, 0.3)),
    ("softshrink", lambda x: F.softshrink(x, 0.3)),
]


@pytest.mark.parametrize("fn", [a[1] for a in ACTIVATIONS], ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradcheck(fn):
    x = nbtorch.tensor(BASE.reshape(2, 3, 4), requires_grad=True)
    assert gradcheck(fn, (x,), check_forward_ad=True)
    assert gradgradcheck(fn, (x,))


FUNCTIONS = [
    ("prelu weight", lambda: (F.prelu, (_t(2, 3, 4, scale=2), _t(3)))),
    ("unfold", lambda: (lambda x: F.unfold(x, (2, 3), (1, 2), 1, (2, 1)), (_t(2, 2, 4, 5),))),
    ("fold", lambda: (lambda x: F.fold(x, (4, 5), (2, 2), 1, 1, 2), (_t(2, 8, 9),))),
    ("fold unbatched", lambda: (lambda x: F.fold(x, (3, 4), 2), (_t(4, 6),))),
    ("pixel_shuffle", lambda: (lambda x: F.pixel_shuffle(x, 2), (_t(2, 8, 2, 3),))),
    ("pixel_unshuffle", lambda: (lambda x: F.pixel_unshuffle(x, 2), (_t(3, 2, 4, 6),))),
    ("instance_norm", lambda: (lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
                               (_t(2, 3, 5), _t(3), _t(3)))),
    ("instance_norm running stats", lambda: _with_running_stats(_t(3).detach(),
                                                                _t(3, positive=True).detach())),
    ("rms_norm", lambda: (lambda x, w: F.rms_norm(x, (2, 3), w), (_t(2, 2, 3), _t(2, 3)))),
    ("rms_norm eps None", lambda: (lambda x: F.rms_norm(x, [4]), (_t(3, 4),))),
    ("local_response_norm", lambda: (lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.5),
                                     (_t(2, 5, 3, 2),))),
    ("adaptive_avg_pool1d", lambda: (lambda x: F.adaptive_avg_pool1d(x, 3), (_t(2, 3, 7),))),
    ("adaptive_max_pool1d", lambda: (lambda x: F.adaptive_max_pool1d(x, 3), (_t(2, 3, 7),))),
    ("adaptive_max_pool2d", lambda: (lambda x: F.adaptive_max_pool2d(x, (3, 2)),
                                     (_t(2, 2, 5, 4),))),
    ("max_unpool2d", lambda: (
        lambda v: F.max_unpool2d(v, _pooled(nbtorch, (2, 2, 4, 4))[1], 2), (_t(2, 2, 2, 2),))),
    ("max_unpool1d", lambda: (
        lambda v: F.max_unpool1d(v, _pooled1d(nbtorch, (2, 3, 8))[1], 2), (_t(2, 3, 4),))),
    ("conv_transpose1d", lambda: (
        lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1,
                                           groups=2, dilation=2),
        (_t(2, 4, 3), _t(4, 1, 2), _t(2)))),
    ("pairwise_distance", lambda: (F.pairwise_distance, (_t(3, 4), _t(3, 4)))),
    ("pairwise_distance p=inf", lambda: (lambda a, b: F.pairwise_distance(a, b, math.inf),
                                         (_t(3, 4), _t(3, 4)))),
    ("pairwise_distance p=1", lambda: (lambda a, b: F.pairwise_distance(a, b, 1.0, 0.0, True),
                                       (_t(3, 4), _t(4)))),
    ("cosine_similarity", lambda: (F.cosine_similarity, (_t(3, 4), _t(3, 4)))),
]


@pytest.mark.parametrize("make", [f[1] for f in FUNCTIONS], ids=[f[0] for f in FUNCTIONS])
def test_functional_gradcheck(make):
    fn, inputs = make()
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), y> = <x, fold(y)> for every x and y: fold is unfold's transpose."""
    x = nbtorch.randn(2, 3, 5, 6, dtype=nbtorch.float64)
    args = ((2, 3), (2, 1), (1, 2), (2, 1))  # kernel, dilation, padding, stride
    cols = F.unfold(x, *args)
    y = nbtorch.randn(*cols.shape, dtype=nbtorch.float64)
    left = (cols * y).sum().item()
    right = (x * F.fold(y, (5, 6), *args)).sum().item()
    assert left == pytest.approx(right, rel=1e-12)


def test_pixel_unshuffle_inverts_pixel_shuffle():
    x = nbtorch.randn(2, 12, 3, 4)
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).numpy(),
                                  x.numpy())
