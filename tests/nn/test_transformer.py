"""Transformer layers and stacks against PyTorch: the same state-dict keys, PyTorch's weights
loaded into nbtorch, the same outputs and gradients (eval mode, and train mode with
dropout=0), and PyTorch's errors."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
import nbtorch.nn.functional as F
from nbtorch import nn

rng = np.random.default_rng(0)
D, HEADS, FF = 8, 2, 12


def randn(*shape):
    return nbtorch.tensor(rng.standard_normal(shape).astype(np.float32))


def load_from_torch(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


def make(torch, name, *args, **kw):
    """The nbtorch and the PyTorch module, PyTorch's weights loaded into ours."""
    with warnings.catch_warnings():  # PyTorch's notes about its nested-tensor fast path
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn, name)(*args, **kw)
    ours = getattr(nn, name)(*args, **kw)
    load_from_torch(ours, theirs)
    return ours, theirs


def compare(torch, ours, theirs, inputs, kw, train):
    """Outputs and gradients (inputs and parameters) of both modules."""
    ours.train(train)
    theirs.train(train)
    xs = [x.detach().requires_grad_() for x in inputs]
    txs = [to_torch(torch, x) for x in xs]
    tkw = {n: to_torch(torch, v) if isinstance(v, nbtorch.Tensor) else v for n, v in kw.items()}
    out, tout = ours(*xs, **kw), theirs(*txs, **tkw)
    assert_close(out, tout, atol=2e-5)
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    for x, tx in zip(xs, txs):
        assert_close(x.grad, tx.grad, rtol=1e-4, atol=2e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, rtol=1e-4, atol=2e-5)


def seq(length, batch_first, n=3):
    return randn(n, length, D) if batch_first else randn(length, n, D)


def padding_mask(length, n=3):
    m = np.zeros((n, length), dtype=bool)
    m[0, -2:] = True
    m[1, -1] = True
    return nbtorch.tensor(m)


LAYER_OPTIONS = [
    dict(),
    dict(norm_first=True, activation="gelu"),
    dict(batch_first=True, bias=False),
    dict(batch_first=True, norm_first=True, activation=F.gelu, layer_norm_eps=1e-3),
]


@pytest.mark.oracle
def _option_id(kw: dict) -> str:
    """A test id that is the same in every process (a function's repr has its address)."""
    return ",".join(f"{k}={getattr(v, '__name__', v)}" for k, v in kw.items()) or "defaults"


@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("kw", LAYER_OPTIONS, ids=_option_id)
def test_encoder_layer_matches_pytorch(torch, kw, train):
    tkw = dict(kw, activation=torch.nn.functional.gelu) if kw.get("activation") is F.gelu \
        else kw
    ours = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, **kw)
    theirs = torch.nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, **tkw)
    load_from_torch(ours, theirs)
    bf = kw.get("batch_first", False)
    compare(torch, ours, theirs, [seq(5, bf)], {}, train)
    mask = nbtorch.ones(5, 5, dtype=nbtorch.bool).triu(1)  # True = the future is hidden
    compare(torch, ours, theirs, [seq(5, bf)],
            {"src_mask": mask, "src_key_padding_mask": padding_mask(5)}, train)


@pytest.mark.oracle
@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("kw", LAYER_OPTIONS[:3], ids=_option_id)
def test_decoder_layer_matches_pytorch(torch, kw, train):
    ours, theirs = make(torch, "TransformerDecoderLayer", D, HEADS, FF, dropout=0.0, **kw)
    bf = kw.get("batch_first", False)
    compare(torch, ours, theirs, [seq(4, bf), seq(6, bf)], {}, train)
    mask = nbtorch.ones(4, 4, dtype=nbtorch.bool).triu(1)
    compare(torch, ours, theirs, [seq(4, bf), seq(6, bf)],
            {"tgt_mask": mask, "tgt_is_causal": True, "memory_key_padding_mask":
             padding_mask(6), "tgt_key_padding_mask": padding_mask(4)}, train)


@pytest.mark.oracle
def test_stacks_match_pytorch(torch):
    layer_kw = dict(dim_feedforward=FF, dropout=0.0)
    for norm_first in (False, True):
        enc, tenc = nn.TransformerEncoderLayer(D, HEADS, norm_first=norm_first, **layer_kw), \
            torch.nn.TransformerEncoderLayer(D, HEADS, norm_first=norm_first, **layer_kw)
        ours = nn.TransformerEncoder(enc, 2, nn.LayerNorm(D))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.TransformerEncoder(tenc, 2, torch.nn.LayerNorm(D))
        load_from_torch(ours, theirs)
        compare(torch, ours, theirs, [seq(5, False)],
                {"src_key_padding_mask": padding_mask(5)}, False)
    dec, tdec = nn.TransformerDecoderLayer(D, HEADS, **layer_kw), \
        torch.nn.TransformerDecoderLayer(D, HEADS, **layer_kw)
    ours, theirs = nn.TransformerDecoder(dec, 2), torch.nn.TransformerDecoder(tdec, 2)
    load_from_torch(ours, theirs)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    compare(torch, ours, theirs, [seq(4, False), seq(6, False)], {"tgt_mask": mask}, True)


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [dict(), dict(batch_first=True, norm_first=True,
                                             activation="gelu")], ids=str)
def test_transformer_matches_pytorch(torch, kw):
    ours, theirs = make(torch, "Transformer", D, HEADS, 2, 1, FF, dropout=0.0, **kw)
    bf = kw.get("batch_first", False)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    compare(torch, ours, theirs, [seq(5, bf), seq(4, bf)],
            {"tgt_mask": mask, "src_key_padding_mask": padding_mask(5),
             "memory_key_padding_mask": padding_mask(5)}, False)


@pytest.mark.oracle
def test_generate_square_subsequent_mask(torch):
    for size in (1, 4):
        assert_close(nn.Transformer.generate_square_subsequent_mask(size),
                     torch.nn.Transformer.generate_square_subsequent_mask(size))
    m = nn.Transformer.generate_square_subsequent_mask(3, dtype=nbtorch.float64)
    assert m.dtype == nbtorch.float64


def test_clones_are_independent_and_dropout_is_active_in_training():
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.5)
    encoder = nn.TransformerEncoder(layer, 2)
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second and np.array_equal(first.detach().numpy(),
                                                  second.detach().numpy())
    x = randn(5, 2, D)
    assert not np.allclose(encoder(x).detach().numpy(), encoder(x).detach().numpy())
    encoder.eval()
    assert np.array_equal(encoder(x).detach().numpy(), encoder(x).detach().numpy())


def test_transformer_initialises_matrices_xavier_uniform():
    model = nn.Transformer(16, 2, 1, 1, 32)
    w = model.encoder.layers[0].linear1.weight.detach().numpy()  # (32, 16)
    bound = np.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


TRANSFORMER_ERRORS = {
    "unknown activation": lambda nn_, t: nn_.TransformerEncoderLayer(D, HEADS,
                                                                     activation="tanh"),
    "nhead does not divide d_model": lambda nn_, t: nn_.TransformerEncoderLayer(D, 3),
    "batch sizes differ": lambda nn_, t: nn_.Transformer(D, HEADS, 1, 1, FF)(t(5, 2, D),
                                                                             t(4, 3, D)),
    "feature size is not d_model": lambda nn_, t: nn_.Transformer(D, HEADS, 1, 1, FF)(
        t(5, 2, D), t(4, 2, D + 1)),
    "is_causal without a mask": lambda nn_, t: nn_.TransformerEncoderLayer(D, HEADS, FF)(
        t(5, 2, D), is_causal=True),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", TRANSFORMER_ERRORS)
def test_errors_match_pytorch(torch, case):
    with pytest.raises(Exception) as theirs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TRANSFORMER_ERRORS[case](torch.nn, torch.randn)
    with pytest.raises(theirs.type, match=str(theirs.value)[:20].replace("(", r"\(")):
        TRANSFORMER_ERRORS[case](nn, nbtorch.randn)
