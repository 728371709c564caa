"""Queries that may see no key at all (every key padded, or a mask row all hidden) in
MultiheadAttention and scaled_dot_product_attention, against PyTorch: with need_weights=True
PyTorch takes a plain softmax, so such a row's weights and output are NaN; with
need_weights=False (and in scaled_dot_product_attention) the row's weights are zeros."""

import warnings

import numpy as np
import pytest
from nn_helpers import to_torch

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import nn

rng = np.random.default_rng(0)
E, HEADS, L, S, N = 4, 2, 3, 5, 2


def randn(*shape):
    return nbtorch.tensor(rng.standard_normal(shape).astype(np.float32))


def same(ours, theirs, atol=1e-5):
    """Equal values and NaN in the same places."""
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=atol, equal_nan=True)


def padding_mask():
    """Batch element 0 has every key padded; element 1 only the last."""
    return nbtorch.tensor([[True] * S, [False] * (S - 1) + [True]])


def bool_attn_mask():
    """Query 1 is hidden from every key; query 0 from key 2."""
    m = np.zeros((L, S), dtype=bool)
    m[1] = True
    m[0, 2] = True
    return nbtorch.tensor(m)


def float_attn_mask():
    m = rng.standard_normal((L, S)).astype(np.float32)
    m[2] = -np.inf
    return nbtorch.tensor(m)


def one_head_mask():
    """(N * heads, L, S): only head 1 of batch element 0 has query 0 hidden from all keys."""
    m = np.zeros((N * HEADS, L, S), dtype=bool)
    m[1, 0] = True
    return nbtorch.tensor(m)


MASKS = {
    "key_padding_mask": lambda: dict(key_padding_mask=padding_mask()),
    "bool attn_mask row": lambda: dict(attn_mask=bool_attn_mask()),
    "float attn_mask row of -inf": lambda: dict(attn_mask=float_attn_mask()),
    "3-D mask, one head": lambda: dict(attn_mask=one_head_mask()),
    "both masks": lambda: dict(key_padding_mask=padding_mask(), attn_mask=bool_attn_mask()),
}


def run_both(torch, masks, **kw):
    """Our MultiheadAttention and PyTorch's (same weights, random output bias) on the same
    inputs; returns both (output, weights) and the inputs, which require grad."""
    ours, theirs = nn.MultiheadAttention(E, HEADS), torch.nn.MultiheadAttention(E, HEADS)
    with torch.no_grad():
        theirs.out_proj.bias.normal_()
        theirs.in_proj_bias.normal_()
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    q, k = randn(L, N, E).requires_grad_(), randn(S, N, E).requires_grad_()
    tq, tk = to_torch(torch, q), to_torch(torch, k)
    tmasks = {name: to_torch(torch, m) for name, m in masks.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy: the softmax of -inf's
        got = ours(q, k, k, **masks, **kw)
    want = theirs(tq, tk, tk, **tmasks, **kw)
    return got, want, (q, k), (tq, tk), ours, theirs


@pytest.mark.oracle
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("case", MASKS)
def test_need_weights_gives_nan_rows_like_pytorch(torch, case, average):
    (out, w), (tout, tw), *_ = run_both(torch, MASKS[case](), need_weights=True,
                                        average_attn_weights=average)
    assert np.isnan(tw.detach().numpy()).any()  # the case does hide a whole row
    same(out, tout)
    same(w, tw)


@pytest.mark.oracle
@pytest.mark.parametrize("case", MASKS)
def test_need_weights_false_gives_zero_rows_like_pytorch(torch, case):
    """Output and the gradients of the inputs and every parameter, all finite."""
    (out, w), (tout, tw), (q, k), (tq, tk), ours, theirs = run_both(
        torch, MASKS[case](), need_weights=False)
    assert w is None and tw is None
    same(out, tout)
    assert np.isfinite(out.detach().numpy()).all()
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    for a, b in [(q, tq), (k, tk)]:
        same(a.grad, b.grad)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        same(p.grad, tparams[name].grad)


@pytest.mark.oracle
def test_need_weights_nan_gradients_like_pytorch(torch):
    """Backward through a NaN row: NaN lands in the same gradients as in PyTorch."""
    (out, _), (tout, _), (q, k), (tq, tk), ours, theirs = run_both(
        torch, MASKS["bool attn_mask row"](), need_weights=True)
    g = randn(*out.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out.backward(g)
    tout.backward(to_torch(torch, g))
    for a, b in [(q, tq), (k, tk)]:
        same(a.grad, b.grad)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        same(p.grad, tparams[name].grad)


@pytest.mark.oracle
def test_batch_first_and_unbatched_nan_rows_like_pytorch(torch):
    ours = nn.MultiheadAttention(E, HEADS, batch_first=True)
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    mask = bool_attn_mask()
    for q, k in [(randn(N, L, E), randn(N, S, E)), (randn(L, E), randn(S, E))]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out, w = ours(q, k, k, attn_mask=mask)
        tout, tw = theirs(to_torch(torch, q), to_torch(torch, k), to_torch(torch, k),
                          attn_mask=to_torch(torch, mask))
        same(out, tout)
        same(w, tw)


@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_row_is_zero_like_pytorch(torch, kind):
    q, k, v = randn(N, HEADS, L, E), randn(N, HEADS, S, E), randn(N, HEADS, S, E)
    q.requires_grad_()
    if kind == "bool":
        mask = bool_attn_mask().logical_not()  # here True = may attend
    else:
        mask = float_attn_mask()
    tq = to_torch(torch, q)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    tout = torch.nn.functional.scaled_dot_product_attention(
        tq, to_torch(torch, k), to_torch(torch, v), attn_mask=to_torch(torch, mask))
    same(out, tout)
    assert np.isfinite(out.detach().numpy()).all()
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    same(q.grad, tq.grad)
