"""Edge cases of nn where nbtorch once differed from PyTorch (found by a differential sweep):
embedding's max_norm / scale_grad_by_freq / index checks, normalize's norm orders and
zero vectors, binary cross entropy at p = 0 and 1, antialiased interpolation, assign in
load_state_dict, and the errors PyTorch raises for bad targets, one_hot and pad."""

import math

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

TABLE = (np.random.default_rng(0).standard_normal((5, 3)) * 2).astype(np.float32)
TOKENS = [[0, 2, 2], [4, 2, 0]]


# -- embedding ------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [
    dict(max_norm=1.0), dict(max_norm=1.5, norm_type=1.0), dict(scale_grad_by_freq=True),
    dict(max_norm=1.0, scale_grad_by_freq=True, padding_idx=0),
])
def test_embedding_max_norm_and_scale_grad_by_freq_match_pytorch(torch, kw):
    """max_norm shrinks the looked-up rows of the table in place; scale_grad_by_freq
    divides a row's gradient by its index's count (index 2 occurs three times)."""
    w, tw = nbtorch.tensor(TABLE, requires_grad=True), torch.tensor(TABLE, requires_grad=True)
    out = F.embedding(nbtorch.tensor(TOKENS), w, **kw)
    tout = torch.nn.functional.embedding(torch.tensor(TOKENS), tw, **kw)
    g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
    out.backward(nbtorch.tensor(g))
    tout.backward(torch.tensor(g))
    assert_close(out, tout)
    assert_close(w, tw)  # the renormalised table
    assert_close(w.grad, tw.grad)


@pytest.mark.oracle
def test_embedding_module_passes_max_norm_and_scale_grad_by_freq(torch):
    ours = nn.Embedding(5, 3, max_norm=1.0, scale_grad_by_freq=True)
    theirs = torch.nn.Embedding(5, 3, max_norm=1.0, scale_grad_by_freq=True)
    with nbtorch.no_grad():
        ours.weight.copy_(nbtorch.tensor(TABLE))
    theirs.weight.data.copy_(torch.tensor(TABLE))
    ours(nbtorch.tensor(TOKENS)).sum().backward()
    theirs(torch.tensor(TOKENS)).sum().backward()
    assert_close(ours.weight, theirs.weight)
    assert_close(ours.weight.grad, theirs.weight.grad)


@pytest.mark.parametrize("bad", [[-1], [0, 4], [[1, 2], [3, -5]]])
def test_an_embedding_index_out_of_range_raises_index_error(bad):
    """-1 is not the last row (PyTorch's indices do not wrap)."""
    emb = nn.Embedding(4, 2, max_norm=0.5)
    before = emb.weight.detach().clone()
    with pytest.raises(IndexError, match="^index out of range in self$"):
        emb(nbtorch.tensor(bad))
    np.testing.assert_array_equal(emb.weight.detach().numpy(), before.numpy())


# -- normalize and cosine similarity ---------------------------------------------------------


@pytest.mark.oracle
def test_normalize_with_any_norm_order_matches_pytorch(torch):
    """inf: divide by the largest |x|; 0: by the number of non-zeros."""
    x = nbtorch.tensor([[3.0, -4.0, 0.0], [0.5, 2.0, -1.0]])
    for p in (math.inf, -math.inf, 0, 1, 3, 2.5):
        for dim in (0, 1):
            assert_close(F.normalize(x, p=p, dim=dim),
                         torch.nn.functional.normalize(to_torch(torch, x), p=p, dim=dim))


@pytest.mark.oracle
@pytest.mark.parametrize("fn", [
    lambda F, a, b: F.normalize(a).pow(3).sum() + F.normalize(b).sum(),
    lambda F, a, b: F.cosine_similarity(a, b).sum(),
    lambda F, a, b: F.cosine_similarity(a * 1e-10, b).sum(),  # below eps, not zero
    lambda F, a, b: F.cosine_similarity(a[:, :1], b).sum(),  # dim 1 broadcast
], ids=["normalize", "cosine_similarity", "cosine_similarity, tiny", "broadcast"])
def test_zero_vectors_get_pytorchs_finite_gradients(torch, fn):
    """Row 0 of ``a`` and row 1 of ``b`` are all zeros: PyTorch's gradient there is large
    but finite."""
    a = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    b = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    ours = [nbtorch.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    out, tout = fn(F, *ours), fn(torch.nn.functional, *theirs)
    out.backward()
    tout.backward()
    assert_close(out, tout, rtol=1e-7)
    for x, tx in zip(ours, theirs):
        assert np.isfinite(x.grad.numpy()).all()
        assert_close(x.grad, tx.grad, rtol=1e-7)


def test_normalize_and_cosine_similarity_differentiate_twice():
    x = nbtorch.randn(4, 3, dtype=nbtorch.float64, requires_grad=True)
    y = nbtorch.randn(1, 3, dtype=nbtorch.float64, requires_grad=True)
    for p in (1, 3, math.inf):
        assert gradcheck(lambda v, p=p: F.normalize(v, p=p), (x,))
    assert gradgradcheck(F.cosine_similarity, (x, y))
    assert gradcheck(F.cosine_similarity, (x, y), check_forward_ad=True)


# -- binary cross entropy ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_at_zero_and_one_has_pytorchs_gradient(torch, reduction):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.25], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32)
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0], np.float32)
    x, tx = nbtorch.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    loss = F.binary_cross_entropy(x, nbtorch.tensor(t), nbtorch.tensor(w), reduction=reduction)
    tloss = torch.nn.functional.binary_cross_entropy(tx, torch.tensor(t), torch.tensor(w),
                                                     reduction=reduction)
    loss.sum().backward()
    tloss.sum().backward()
    assert_close(loss, tloss)
    assert_close(x.grad, tx.grad)  # e.g. -1e12 at p = 0, t = 1 (times weight and scale)


def test_binary_cross_entropy_differentiates_twice_in_both_arguments():
    p = (nbtorch.rand(3, 4, dtype=nbtorch.float64) * 0.9 + 0.05).requires_grad_()
    t = nbtorch.rand(3, 4, dtype=nbtorch.float64).requires_grad_()
    w = nbtorch.rand(4, dtype=nbtorch.float64)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, w), (p, t),
                     check_forward_ad=True)
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b, w, reduction="sum"), (p, t))
    saturated = nbtorch.tensor([0.0, 1.0], dtype=nbtorch.float64, requires_grad=True)
    loss = F.binary_cross_entropy(saturated, nbtorch.tensor([1.0, 0.0], dtype=nbtorch.float64))
    (g,) = nbtorch.autograd.grad(loss, saturated, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [-5e11, 5e11])
    g.sum().backward()
    assert np.isfinite(saturated.grad.numpy()).all()


# -- interpolate ---------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [
    dict(size=(4, 5)), dict(size=(8, 3)), dict(scale_factor=0.3),
    dict(scale_factor=(0.5, 0.25)), dict(size=(30, 7)),
    dict(size=(4, 5), align_corners=True), dict(size=(1, 1)), dict(size=(34, 6)),
    dict(scale_factor=0.3, recompute_scale_factor=True),
])
def test_antialiased_bilinear_matches_pytorch(torch, kw):
    x = nbtorch.randn(2, 3, 17, 12, dtype=nbtorch.float64)
    assert_close(F.interpolate(x, mode="bilinear", antialias=True, **kw),
                 torch.nn.functional.interpolate(to_torch(torch, x), mode="bilinear",
                                                 antialias=True, **kw), rtol=1e-12)


def test_antialiased_bilinear_averages_more_pixels_when_shrinking_and_gradchecks():
    x = nbtorch.randn(1, 2, 7, 6, dtype=nbtorch.float64, requires_grad=True)
    smooth = F.interpolate(x, size=(3, 4), mode="bilinear", antialias=True)
    sampled = F.interpolate(x, size=(3, 4), mode="bilinear")
    assert not np.allclose(smooth.detach().numpy(), sampled.detach().numpy())
    assert gradcheck(lambda v: F.interpolate(v, size=(3, 4), mode="bilinear", antialias=True),
                     (x,))


@pytest.mark.oracle
@pytest.mark.parametrize("shape,kw", [
    ((1, 2, 5, 5), dict(size=(2, 3), mode="linear")),
    ((1, 2, 5), dict(size=3, mode="bilinear")),
    ((1, 2, 5, 5, 5), dict(size=3, mode="bilinear")),
    ((1, 2, 5), dict(size=3, mode="linear", antialias=True)),
    ((1, 2, 5, 5), dict(size=3, mode="nearest", antialias=True)),
])
def test_interpolate_mode_and_dimension_errors_are_pytorchs(torch, shape, kw):
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.interpolate(torch.zeros(shape), **kw)
    with pytest.raises(theirs.type, match=str(theirs.value).split(",")[0]):
        F.interpolate(nbtorch.zeros(shape), **kw)


# -- load_state_dict(assign=True) ------------------------------------------------------------


def test_load_state_dict_with_assign_takes_the_tensors_themselves():
    lin = nn.Linear(2, 3)
    lin.weight.requires_grad_(False)
    weight, bias = nbtorch.ones(3, 2, dtype=nbtorch.float64), nbtorch.zeros(3)
    lin.load_state_dict({"weight": weight, "bias": bias}, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and isinstance(lin.bias, nn.Parameter)
    assert lin.weight.dtype == nbtorch.float64  # the state dict's dtype, not the module's
    assert not lin.weight.requires_grad and lin.bias.requires_grad  # kept from the module
    weight[0, 0] = 5.0  # the same memory
    assert lin.weight[0, 0].item() == 5.0
    assert [name for name, _ in lin.named_parameters()] == ["weight", "bias"]

    given = nn.Parameter(nbtorch.ones(3, 2), requires_grad=False)
    lin.weight.requires_grad_(True)
    lin.load_state_dict({"weight": given, "bias": bias}, assign=True)
    assert lin.weight is given and given.requires_grad

    bn = nn.BatchNorm1d(2)
    state = bn.state_dict()
    state["running_mean"] = mean = nbtorch.ones(2)
    bn.load_state_dict(state, assign=True)
    assert bn.running_mean is mean


# -- errors PyTorch raises ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("dtype", ["int32", "int16", "int8", "bool"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_class_indices_must_be_long_or_byte(torch, loss, dtype):
    x, t = nbtorch.randn(3, 4), np.array([0, 1, 2])
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.nn.functional, loss)(to_torch(torch, x),
                                           torch.tensor(t.astype(dtype)))
    with pytest.raises(RuntimeError, match=f"^{theirs.value}$"):
        getattr(F, loss)(x, nbtorch.tensor(t.astype(dtype)))
    byte = getattr(F, loss)(x, nbtorch.tensor(t.astype(np.uint8)))
    assert byte.item() == getattr(F, loss)(x, nbtorch.tensor(t)).item()


def test_one_hot_of_an_empty_tensor_needs_num_classes():
    with pytest.raises(RuntimeError, match="Can not infer total number of classes"):
        F.one_hot(nbtorch.tensor([], dtype=nbtorch.int64))
    assert F.one_hot(nbtorch.tensor([], dtype=nbtorch.int64), 3).shape == (0, 3)


@pytest.mark.oracle
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [
    ((2, 3, 4, 5), (1, 1)), ((4,), (1, 1)), ((3, 4), (1, 1, 1, 1)), ((2, 3, 4), (1,) * 6),
    ((2, 3, 4, 5, 6), (1, 1)), ((2, 3, 4), ()),
])
def test_non_constant_pad_of_unsupported_dims_raises_like_pytorch(torch, mode, shape, pad):
    with pytest.raises(NotImplementedError) as theirs:
        torch.nn.functional.pad(torch.zeros(shape), pad, mode=mode)
    with pytest.raises(NotImplementedError,
                       match=str(theirs.value).splitlines()[0].replace(".", r"\.")):
        F.pad(nbtorch.zeros(shape), pad, mode=mode)


@pytest.mark.oracle
def test_circular_pad_crops_first_and_wraps_at_most_once_like_pytorch(torch):
    x = nbtorch.arange(8.0).reshape(1, 2, 4)
    for pad in [(-1, 2), (2, -1), (-2, -2), (4, 4), (0, 4), (3, -1), (5, 0), (0, 5), (-3, -2)]:
        try:
            want = torch.nn.functional.pad(to_torch(torch, x), pad, mode="circular")
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match=str(e)):
                F.pad(x, pad, mode="circular")
        else:
            assert_close(F.pad(x, pad, mode="circular"), want)
