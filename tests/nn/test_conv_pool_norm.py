"""Convolution, pooling, normalisation and resampling against PyTorch; gradcheck and
gradgradcheck of the functional forms; shape errors."""

import numpy as np
import pytest
from nn_helpers import assert_close, check_module, copy_weights, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

CONV2D = [
    dict(),
    dict(stride=2, padding=1),
    dict(padding="same", dilation=2),
    dict(padding="valid", bias=False),
    dict(stride=(2, 1), padding=(1, 2), groups=2),
    dict(padding=1, padding_mode="reflect"),
    dict(padding=(2, 1), padding_mode="circular"),
]


@pytest.mark.oracle
@pytest.mark.parametrize("kw", CONV2D, ids=str)
def test_conv2d_matches_pytorch(torch, kw):
    args = (4, 6, (3, 2))
    ours, theirs = nn.Conv2d(*args, **kw), torch.nn.Conv2d(*args, **kw)
    assert repr(ours) == repr(theirs)
    check_module(torch, ours, theirs, nbtorch.randn(2, 4, 7, 6))
    check_module(torch, ours, theirs, nbtorch.randn(4, 5, 5))  # unbatched


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=2, dilation=2), dict(groups=3)],
                         ids=str)
def test_conv1d_matches_pytorch(torch, kw):
    ours, theirs = nn.Conv1d(3, 6, 3, **kw), torch.nn.Conv1d(3, 6, 3, **kw)
    assert repr(ours) == repr(theirs)
    check_module(torch, ours, theirs, nbtorch.randn(2, 3, 11))


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(2, 3), dilation=2, groups=2, bias=False)], ids=str)
def test_conv_transpose2d_matches_pytorch(torch, kw):
    ours, theirs = nn.ConvTranspose2d(4, 6, 3, **kw), torch.nn.ConvTranspose2d(4, 6, 3, **kw)
    assert repr(ours) == repr(theirs)
    check_module(torch, ours, theirs, nbtorch.randn(2, 4, 5, 4))


def test_conv_transpose_output_size():
    up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = nbtorch.randn(1, 2, 4, 4)
    assert up(x).shape == (1, 2, 7, 7)
    assert up(x, output_size=(8, 8)).shape == (1, 2, 8, 8)


def test_conv_gradcheck_and_gradgradcheck():
    x = nbtorch.randn(2, 4, 5, 4, dtype=nbtorch.float64, requires_grad=True)
    w = nbtorch.randn(4, 2, 3, 2, dtype=nbtorch.float64, requires_grad=True)
    b = nbtorch.randn(4, dtype=nbtorch.float64, requires_grad=True)

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)

    assert gradcheck(conv, (x, w, b)) and gradgradcheck(conv, (x, w, b))
    # non-contiguous input
    xt = nbtorch.randn(2, 4, 4, 5, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(lambda v: conv(v.transpose(2, 3), w, b), (xt,))

    wt = nbtorch.randn(4, 3, 2, 3, dtype=nbtorch.float64, requires_grad=True)

    def deconv(x, w):
        return F.conv_transpose2d(x, w, None, stride=2, padding=1, output_padding=1)

    assert gradcheck(deconv, (x, wt)) and gradgradcheck(deconv, (x, wt))
    x1 = nbtorch.randn(2, 3, 7, dtype=nbtorch.float64, requires_grad=True)
    w1 = nbtorch.randn(2, 3, 3, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding="valid"), (x1, w1))


def test_conv_shape_errors():
    conv = nn.Conv2d(16, 32, 3)
    with pytest.raises(RuntimeError, match=r"weight of size \[32, 16, 3, 3\], expected "
                       r"input\[4, 8, 10, 10\] to have 16 channels, but got 8"):
        conv(nbtorch.randn(4, 8, 10, 10))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D"):
        conv(nbtorch.randn(10, 10))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        conv(nbtorch.randn(1, 16, 2, 2))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


POOLS = [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("MaxPool2d", dict(kernel_size=(3, 2), stride=(1, 2), padding=1, dilation=(2, 1))),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("AdaptiveAvgPool2d", dict(output_size=1)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 4))),
]


@pytest.mark.oracle
@pytest.mark.parametrize("name,kw", POOLS, ids=str)
def test_pooling_matches_pytorch(torch, name, kw):
    ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(ours) == repr(theirs)
    check_module(torch, ours, theirs, nbtorch.randn(2, 3, 9, 8))
    check_module(torch, ours, theirs, nbtorch.randn(3, 7, 7))


@pytest.mark.oracle
def test_pool1d_and_indices(torch):
    check_module(torch, nn.MaxPool1d(3, 2, 1), torch.nn.MaxPool1d(3, 2, 1),
                 nbtorch.randn(2, 3, 10))
    check_module(torch, nn.AvgPool1d(3, 2), torch.nn.AvgPool1d(3, 2), nbtorch.randn(2, 3, 10))
    x = nbtorch.randn(2, 3, 6, 6)
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    tout, tidx = torch.nn.MaxPool2d(2, return_indices=True)(to_torch(torch, x))
    assert_close(out, tout)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    assert idx.dtype == nbtorch.int64 and not idx.requires_grad


@pytest.mark.parametrize("fn", [
    lambda v: F.max_pool2d(v, 3, 2, 1),
    lambda v: F.max_pool2d(v, 2, ceil_mode=True),
    lambda v: F.avg_pool2d(v, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda v: F.adaptive_avg_pool2d(v, (2, 3)),
    lambda v: F.pad(v, (1, 2, 2, 1), mode="reflect"),
    lambda v: F.pad(v, (1, 2, 0, 1), mode="replicate"),
    lambda v: F.pad(v, (-1, 2, 1, 0), value=2.0),
    lambda v: F.interpolate(v, scale_factor=2),
    lambda v: F.interpolate(v, size=(5, 7), mode="bilinear"),
    lambda v: F.interpolate(v, size=(3, 3), mode="bilinear", align_corners=True),
    lambda v: F.batch_norm(v, None, None, training=True),
    lambda v: F.layer_norm(v, (4, 5)),
    lambda v: F.group_norm(v, 3),
])
def test_gradcheck_and_gradgradcheck(fn):
    # distinct values so that a window's maximum is unique
    values = nbtorch.randperm(120).double().reshape(2, 3, 4, 5) / 17
    x = values.requires_grad_()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    xt = values.detach().transpose(2, 3).clone().requires_grad_()
    assert gradcheck(lambda v: fn(v.transpose(2, 3)), (xt,))


@pytest.mark.oracle
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_train_and_eval(torch, momentum):
    ours, theirs = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3,
                                                                             momentum=momentum)
    with nbtorch.no_grad():
        ours.weight.uniform_(0.5, 1.5)
        ours.bias.normal_()
    copy_weights(torch, ours, theirs)
    for _ in range(3):
        x = nbtorch.randn(4, 3, 5, 5) * 2 + 1
        check_module(torch, ours, theirs, x)
    for name, buf in ours.named_buffers():
        assert_close(buf, dict(theirs.named_buffers())[name])
    assert int(ours.num_batches_tracked) == 3
    ours.eval()
    theirs.eval()
    check_module(torch, ours, theirs, nbtorch.randn(2, 3, 4, 4))
    assert repr(ours) == repr(theirs)


@pytest.mark.oracle
def test_batchnorm1d_layernorm_groupnorm(torch):
    check_module(torch, nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), nbtorch.randn(6, 4))
    check_module(torch, nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False),
                 nbtorch.randn(6, 4, 3))
    ln, tln = nn.LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4))
    with nbtorch.no_grad():
        ln.weight.normal_()
        ln.bias.normal_()
    check_module(torch, ln, tln, nbtorch.randn(2, 5, 3, 4))
    assert repr(ln) == repr(tln)
    gn, tgn = nn.GroupNorm(2, 6), torch.nn.GroupNorm(2, 6)
    with nbtorch.no_grad():
        gn.weight.normal_()
    check_module(torch, gn, tgn, nbtorch.randn(3, 6, 4, 2))
    assert repr(gn) == repr(tgn)
    assert [n for n, _ in nn.BatchNorm2d(2).named_buffers()] == [
        "running_mean", "running_var", "num_batches_tracked"]


def test_norm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(nbtorch.randn(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(nbtorch.randn(1, 3))
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[2, 3\]"):
        F.layer_norm(nbtorch.randn(2, 3), (4,))
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(nbtorch.randn(2, 5, 3), 2)


@pytest.mark.oracle
def test_pad_and_interpolate_match_pytorch(torch):
    x = nbtorch.randn(2, 3, 5, 6)
    tx = to_torch(torch, x)
    tf = torch.nn.functional
    for pad, mode in [((1, 2), "constant"), ((1, 2, 0, 1), "reflect"),
                      ((2, 1, 3, 1), "replicate"), ((1, 2, 2, 1), "circular"),
                      ((-1, 2, 1, -2), "constant")]:
        assert_close(F.pad(x, pad, mode), tf.pad(tx, pad, mode))
    for kw in [dict(scale_factor=2), dict(size=(7, 4)), dict(size=(7, 9), mode="bilinear"),
               dict(size=(7, 9), mode="bilinear", align_corners=True),
               dict(scale_factor=0.5, mode="bilinear")]:
        assert_close(F.interpolate(x, **kw), tf.interpolate(tx, **kw))
    x1 = nbtorch.randn(2, 3, 5)
    assert_close(F.interpolate(x1, scale_factor=1.7, mode="linear"),
                 tf.interpolate(to_torch(torch, x1), scale_factor=1.7, mode="linear"))
    up, tup = nn.Upsample(scale_factor=2, mode="bilinear"), torch.nn.Upsample(
        scale_factor=2, mode="bilinear")
    assert repr(up) == repr(tup)
    assert_close(up(x), tup(tx))


@pytest.mark.parametrize("fn", [
    lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
    lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, groups=2),
    lambda x, w, b: F.max_pool2d(x, 2) * b.sum(),
    lambda x, w, b: F.avg_pool2d(x, 2, padding=1) + b.sum(),
    lambda x, w, b: F.pad(x, (1, 2, 0, 1), value=1.0) * b.sum(),
    lambda x, w, b: F.interpolate(x, scale_factor=2, mode="bilinear") * b.sum(),
])
def test_forward_mode_ad(fn):
    x = (nbtorch.randperm(160).double().reshape(2, 4, 5, 4) / 7).requires_grad_()
    w = nbtorch.randn(4, 2, 3, 2, dtype=nbtorch.float64, requires_grad=True)
    b = nbtorch.randn(4, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(fn, (x, w, b), check_forward_ad=True)
