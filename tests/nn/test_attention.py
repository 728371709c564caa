"""scaled_dot_product_attention and MultiheadAttention against PyTorch (weights loaded from a
PyTorch module's state dict), finite differences (gradcheck) and PyTorch's errors."""

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import nn
from nbtorch.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return nbtorch.tensor(rng.standard_normal(shape).astype(dtype))


def load_from_torch(ours, theirs):
    """Load a PyTorch module's state dict (converted to nbtorch tensors) into ours."""
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


# ---------------------------------------------------------------- scaled_dot_product_attention

L, S, E, EV = 4, 6, 5, 3


def _mask(shape, dtype):
    m = rng.random(shape) > 0.4
    return nbtorch.tensor(m) if dtype == "bool" else nbtorch.tensor(
        np.where(m, 0.0, -np.inf).astype(np.float32) + rng.standard_normal(shape).astype(
            np.float32))


SDPA_CASES = {
    "plain": lambda: ((2, 3, L, E), (2, 3, S, E), (2, 3, S, EV), {}),
    "bool mask (L, S)": lambda: ((2, 3, L, E), (2, 3, S, E), (2, 3, S, EV),
                                 {"attn_mask": _mask((L, S), "bool")}),
    "bool mask per batch": lambda: ((2, 3, L, E), (2, 3, S, E), (2, 3, S, EV),
                                    {"attn_mask": _mask((2, 1, L, S), "bool")}),
    "float mask": lambda: ((2, 3, L, E), (2, 3, S, E), (2, 3, S, EV),
                           {"attn_mask": _mask((3, L, S), "float")}),
    "causal": lambda: ((2, L, E), (2, S, E), (2, S, EV), {"is_causal": True}),
    "causal, more queries than keys": lambda: ((2, S, E), (2, L, E), (2, L, EV),
                                               {"is_causal": True}),
    "scale": lambda: ((3, L, E), (3, S, E), (3, S, EV), {"scale": 0.37}),
    "unbatched": lambda: ((L, E), (S, E), (S, EV), {}),
    "key and value broadcast over batch": lambda: ((2, 3, L, E), (1, 3, S, E), (1, 3, S, EV),
                                                   {}),
    "grouped-query heads": lambda: ((2, 4, L, E), (2, 2, S, E), (2, 2, S, EV),
                                    {"enable_gqa": True}),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", SDPA_CASES)
def test_sdpa_matches_pytorch(torch, case):
    q_shape, k_shape, v_shape, kw = SDPA_CASES[case]()
    q, k, v = (randn(*s).requires_grad_() for s in (q_shape, k_shape, v_shape))
    tq, tk, tv = (to_torch(torch, x) for x in (q, k, v))
    tkw = {n: to_torch(torch, x) if isinstance(x, nbtorch.Tensor) else x for n, x in kw.items()}
    out = F.scaled_dot_product_attention(q, k, v, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **tkw)
    assert_close(out, tout, atol=1e-5)
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    for x, tx in [(q, tq), (k, tk), (v, tv)]:
        assert_close(x.grad, tx.grad, atol=1e-5)


@pytest.mark.oracle
def test_sdpa_float_mask_gradient_and_fully_masked_rows(torch):
    """A learned float mask gets PyTorch's gradient; a query that may see no key gets zero
    output and zero gradient (not NaN), as in PyTorch."""
    q, k, v = randn(2, L, E), randn(2, S, E), randn(2, S, EV)
    mask = np.where(rng.random((2, L, S)) > 0.4, 0.0, -np.inf).astype(np.float32)
    mask[0, 1] = -np.inf  # query 1 of batch 0 sees nothing
    bias = nbtorch.tensor(mask) + randn(2, L, S)
    bias.requires_grad_()
    q.requires_grad_()
    tq, tbias = to_torch(torch, q), to_torch(torch, bias.detach(), True)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, to_torch(torch, k),
                                                            to_torch(torch, v), attn_mask=tbias)
    assert_close(out, tout, atol=1e-5)
    assert np.all(out.detach().numpy()[0, 1] == 0)
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    assert_close(q.grad, tq.grad, atol=1e-5)
    assert_close(bias.grad, tbias.grad, atol=1e-5)
    assert np.isfinite(bias.grad.numpy()).all()


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"mask": "bool"}, {"mask": "float"},
                                {"scale": 0.5}], ids=str)
def test_sdpa_gradcheck_float64(kw):
    kw = dict(kw)
    if "mask" in kw:
        m = _mask((3, 4), kw.pop("mask"))
        kw["attn_mask"] = m.to(nbtorch.float64) if m.is_floating_point() else m
    q, k, v = (randn(2, *s, dtype=np.float64).requires_grad_() for s in ((3, 3), (4, 3),
                                                                         (4, 2)))

    def f(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **kw)

    assert gradcheck(f, (q, k, v))
    assert gradgradcheck(f, (q, k, v))


@pytest.mark.parametrize("kw", [{"is_causal": True}, {"mask": "bool"}], ids=str)
def test_sdpa_forward_mode_matches_finite_differences(kw):
    kw = dict(kw)
    if kw.pop("mask", None):
        kw["attn_mask"] = nbtorch.tensor([[True, False, True], [False] * 3, [True] * 3])
    q, k, v, tangent = (randn(2, 3, 4, dtype=np.float64) for _ in range(4))

    def f(q):
        return F.scaled_dot_product_attention(q, k, v, **kw)

    _, derivative = nbtorch.func.jvp(f, (q,), (tangent,))
    eps = 1e-6
    differences = (f(q + eps * tangent) - f(q - eps * tangent)) / (2 * eps)
    assert_close(derivative, differences.numpy(), rtol=1e-6, atol=1e-8)


def test_sdpa_dropout_draws_from_nbtorch_generator():
    """Dropout on the attention weights uses nbtorch's random state: the same seed gives the
    same mask as ``F.dropout`` on the weights computed by hand; p=1 drops everything."""
    q, k, v = randn(2, L, E), randn(2, S, E), randn(2, S, EV)
    weights = (q.matmul(k.transpose(-2, -1)) / np.sqrt(E)).softmax(-1)
    nbtorch.manual_seed(7)
    expected = F.dropout(weights, 0.4).matmul(v)
    nbtorch.manual_seed(7)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    assert_close(out, expected.numpy(), atol=1e-6)
    assert not np.allclose(out.numpy(), weights.matmul(v).numpy())
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy() == 0)


SDPA_ERRORS = {
    "is_causal with a mask": lambda t: ((t(2, L, E), t(2, S, E), t(2, S, EV)),
                                        {"attn_mask": t(L, S), "is_causal": True}),
    "dtype mismatch": lambda t: ((t(2, L, E), t(2, S, E).double(), t(2, S, EV)), {}),
    "1-D inputs": lambda t: ((t(E), t(E), t(E)), {}),
    "integer mask": lambda t: ((t(2, L, E), t(2, S, E), t(2, S, EV)),
                               {"attn_mask": t(L, S).long()}),
    "double mask, float query": lambda t: ((t(2, L, E), t(2, S, E), t(2, S, EV)),
                                           {"attn_mask": t(L, S).double()}),
    "heads do not divide": lambda t: ((t(3, L, E), t(2, S, E), t(2, S, EV)),
                                      {"enable_gqa": True}),
    "mask larger than the scores": lambda t: ((t(L, E), t(S, E), t(S, EV)),
                                              {"attn_mask": t(2, L, S)}),
    "dropout_p above 1": lambda t: ((t(2, L, E), t(2, S, E), t(2, S, EV)), {"dropout_p": 1.5}),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", SDPA_ERRORS)
def test_sdpa_errors_match_pytorch(torch, case):
    (args, kw), (targs, tkw) = (SDPA_ERRORS[case](randn), SDPA_ERRORS[case](torch.randn))
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.scaled_dot_product_attention(*targs, **tkw)
    with pytest.raises(theirs.type):
        F.scaled_dot_product_attention(*args, **kw)


def test_sdpa_shape_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 4, 5\].*\[2, 6, 3\]"):
        F.scaled_dot_product_attention(randn(2, 4, 5), randn(2, 6, 3), randn(2, 6, 3))
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(randn(4, 5), randn(6, 5), randn(6, 3),
                                       attn_mask=randn(4, 6), is_causal=True)


# ---------------------------------------------------------------------------- MultiheadAttention

MHA_CONFIGS = [
    dict(),
    dict(batch_first=True),
    dict(kdim=3, vdim=5),
    dict(add_bias_kv=True, add_zero_attn=True),
    dict(bias=False, batch_first=True, kdim=7),
]


def _mha_inputs(kw, self_attention, n=3, tgt=4, src=6):
    d, kdim, vdim = 8, kw.get("kdim", 8), kw.get("vdim", 8)
    if self_attention:
        x = randn(n, tgt, d) if kw.get("batch_first") else randn(tgt, n, d)
        return x, x, x
    shape = (lambda s, f: (n, s, f)) if kw.get("batch_first") else (lambda s, f: (s, n, f))
    return randn(*shape(tgt, d)), randn(*shape(src, kdim)), randn(*shape(src, vdim))


def _run_mha(torch, kw, call_kw, self_attention=False, train=False):
    ours, theirs = nn.MultiheadAttention(8, 2, **kw), torch.nn.MultiheadAttention(8, 2, **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    load_from_torch(ours, theirs)
    ours.train(train)
    theirs.train(train)
    inputs = [x.detach().requires_grad_() for x in _mha_inputs(kw, self_attention)]
    if self_attention:
        inputs = [inputs[0]] * 3
    tinputs = [to_torch(torch, x) for x in inputs]
    if self_attention:
        tinputs = [tinputs[0]] * 3
    tcall = {n: to_torch(torch, v) if isinstance(v, nbtorch.Tensor) else v
             for n, v in call_kw.items()}
    out, w = ours(*inputs, **call_kw)
    tout, tw = theirs(*tinputs, **tcall)
    assert_close(out, tout, atol=1e-5)
    assert (w is None) == (tw is None)
    if w is not None:
        assert_close(w, tw, atol=1e-6)
    g = randn(*out.shape)
    loss, tloss = (out * g).sum(), (tout * to_torch(torch, g)).sum()
    if w is not None:
        gw = randn(*w.shape)
        loss, tloss = loss + (w * gw).sum(), tloss + (tw * to_torch(torch, gw)).sum()
    loss.backward()
    tloss.backward()
    for x, tx in zip(inputs, tinputs):
        assert_close(x.grad, tx.grad, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, atol=1e-5)


def _attn_mask(tgt=4, src=6):
    """A random bool mask (True = hidden) that leaves key 0 visible to every query."""
    m = rng.random((tgt, src)) > 0.6
    m[:, 0] = False
    return nbtorch.tensor(m)


def _kpm(n=3, src=6):
    m = np.zeros((n, src), dtype=bool)
    m[0, -2:] = True
    m[2, 1] = True
    return nbtorch.tensor(m)


@pytest.mark.oracle
@pytest.mark.parametrize("kw", MHA_CONFIGS, ids=str)
def test_mha_matches_pytorch(torch, kw):
    assert repr(nn.MultiheadAttention(8, 2, **kw)) == repr(torch.nn.MultiheadAttention(8, 2,
                                                                                         **kw))
    _run_mha(torch, kw, {})
    _run_mha(torch, kw, {"key_padding_mask": _kpm(), "attn_mask": _attn_mask()})


@pytest.mark.oracle
@pytest.mark.parametrize("call_kw", [
    {"need_weights": False},
    {"average_attn_weights": False},
    {"attn_mask": nbtorch.tensor(np.triu(np.full((4, 4), -np.inf, np.float32), 1)),
     "is_causal": True},
    {"attn_mask": nbtorch.randn(3 * 2, 4, 4)},
    {"key_padding_mask": nbtorch.tensor(np.where(_kpm(3, 4).numpy(), -1e9, 0.0).astype(
        np.float32))},
], ids=["no weights", "weights per head", "causal", "3-D float mask", "float padding mask"])
def test_mha_self_attention_options(torch, call_kw):
    _run_mha(torch, {"batch_first": True}, call_kw, self_attention=True)
    _run_mha(torch, {}, call_kw, self_attention=True)


@pytest.mark.oracle
def test_mha_train_mode_without_dropout_and_unbatched(torch):
    _run_mha(torch, {"add_bias_kv": True}, {"key_padding_mask": _kpm()}, train=True)
    ours, theirs = nn.MultiheadAttention(8, 2, kdim=3), torch.nn.MultiheadAttention(8, 2,
                                                                                    kdim=3)
    load_from_torch(ours, theirs)
    q, k, v = randn(4, 8), randn(6, 3), randn(6, 8)
    kpm = nbtorch.tensor([False, True, False, False, False, True])
    out, w = ours(q, k, v, key_padding_mask=kpm)
    tout, tw = theirs(*(to_torch(torch, x) for x in (q, k, v)),
                      key_padding_mask=to_torch(torch, kpm))
    assert_close(out, tout, atol=1e-5)
    assert_close(w, tw, atol=1e-6)


@pytest.mark.oracle
def test_mha_functional_matches_pytorch(torch):
    """F.multi_head_attention_forward with separate projection weights and static keys."""
    tq, tk, tv = torch.randn(4, 2, 6), torch.randn(5, 2, 6), torch.randn(5, 2, 6)
    w = [torch.randn(6, 6) for _ in range(4)]
    b_in, b_out = torch.randn(18), torch.randn(6)
    static_k = torch.randn(2 * 3, 5, 2)
    args = lambda conv: (  # noqa: E731
        conv(tq), conv(tk), conv(tv), 6, 3, None, conv(b_in), None, None, False, 0.0,
        conv(w[3]), conv(b_out))
    kw = lambda conv: dict(use_separate_proj_weight=True, q_proj_weight=conv(w[0]),  # noqa: E731
                           k_proj_weight=conv(w[1]), v_proj_weight=conv(w[2]),
                           static_k=conv(static_k))
    ours = F.multi_head_attention_forward(*args(lambda t: nbtorch.tensor(t.numpy())),
                                          **kw(lambda t: nbtorch.tensor(t.numpy())))
    theirs = torch.nn.functional.multi_head_attention_forward(*args(lambda t: t),
                                                              **kw(lambda t: t))
    assert_close(ours[0], theirs[0], atol=1e-5)
    assert_close(ours[1], theirs[1], atol=1e-6)


@pytest.mark.oracle
def test_mha_fully_padded_sequence_gives_zero_attention(torch):
    """A sequence whose keys are all padding: with need_weights=False PyTorch (through
    scaled_dot_product_attention) and nbtorch both give zero attention, so the output is the
    output projection's bias. (With need_weights=True both give NaN: test_mha_masked_rows.)"""
    ours, theirs = nn.MultiheadAttention(8, 2), torch.nn.MultiheadAttention(8, 2)
    with torch.no_grad():
        theirs.out_proj.bias.normal_()
    load_from_torch(ours, theirs)
    q, k = randn(4, 2, 8), randn(6, 2, 8)
    kpm = nbtorch.tensor([[True] * 6, [False] * 5 + [True]])
    out, _ = ours(q, k, k, key_padding_mask=kpm, need_weights=False)
    tout, _ = theirs(to_torch(torch, q), to_torch(torch, k), to_torch(torch, k),
                     key_padding_mask=to_torch(torch, kpm), need_weights=False)
    assert_close(out, tout, atol=1e-5)
    assert_close(out[:, 0], np.broadcast_to(ours.out_proj.bias.detach().numpy(), (4, 8)))


def test_mha_gradcheck_float64():
    mha = nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    q = nbtorch.randn(3, 2, 4, dtype=nbtorch.float64, requires_grad=True)
    kv = nbtorch.randn(5, 2, 4, dtype=nbtorch.float64, requires_grad=True)
    kpm = nbtorch.tensor([[False, False, True, False, False], [False] * 5])
    assert gradcheck(lambda q, kv: mha(q, kv, kv, key_padding_mask=kpm)[0], (q, kv))


def test_mha_dropout_in_training_only():
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = randn(4, 2, 8)
    train_out = mha(x, x, x)[0]
    assert not np.allclose(train_out.detach().numpy(), mha(x, x, x)[0].detach().numpy())
    mha.eval()
    assert np.array_equal(mha(x, x, x)[0].detach().numpy(), mha(x, x, x)[0].detach().numpy())


MHA_ERRORS = {
    "embed_dim not divisible": lambda nn_, t: nn_.MultiheadAttention(6, 4),
    "embed_dim 0": lambda nn_, t: nn_.MultiheadAttention(0, 2),
    "4-D query": lambda nn_, t: nn_.MultiheadAttention(4, 2)(t(1, 3, 2, 4), t(1, 3, 2, 4),
                                                             t(1, 3, 2, 4)),
    "2-D key for 3-D query": lambda nn_, t: nn_.MultiheadAttention(4, 2)(t(3, 2, 4), t(3, 4),
                                                                         t(3, 4)),
    "wrong embedding size": lambda nn_, t: nn_.MultiheadAttention(4, 2)(t(3, 2, 5), t(3, 2, 5),
                                                                        t(3, 2, 5)),
    "key and value differ": lambda nn_, t: nn_.MultiheadAttention(4, 2)(t(3, 2, 4), t(3, 2, 4),
                                                                        t(5, 2, 4)),
    "2-D attn_mask of the wrong shape": lambda nn_, t: nn_.MultiheadAttention(4, 2)(
        t(3, 2, 4), t(5, 2, 4), t(5, 2, 4), attn_mask=t(3, 4)),
    "3-D attn_mask of the wrong shape": lambda nn_, t: nn_.MultiheadAttention(4, 2)(
        t(3, 2, 4), t(5, 2, 4), t(5, 2, 4), attn_mask=t(2, 3, 5)),
    "key_padding_mask of the wrong shape": lambda nn_, t: nn_.MultiheadAttention(4, 2)(
        t(3, 2, 4), t(5, 2, 4), t(5, 2, 4), key_padding_mask=t(2, 4) > 0),
    "integer key_padding_mask": lambda nn_, t: nn_.MultiheadAttention(4, 2)(
        t(3, 2, 4), t(5, 2, 4), t(5, 2, 4), key_padding_mask=(t(2, 5) > 0).long()),
    "is_causal without a mask": lambda nn_, t: nn_.MultiheadAttention(4, 2)(
        t(3, 2, 4), t(3, 2, 4), t(3, 2, 4), is_causal=True),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", MHA_ERRORS)
def test_mha_errors_match_pytorch(torch, case):
    with pytest.raises(Exception) as theirs:
        MHA_ERRORS[case](torch.nn, torch.randn)
    with pytest.raises(theirs.type):
        MHA_ERRORS[case](nn, nbtorch.randn)
