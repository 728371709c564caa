"""nn.LSTM with proj_size (an LSTM whose hidden state is projected to fewer features) against
PyTorch with the same weights: parameter names and shapes, outputs, final states (h_n with
proj_size features, c_n with hidden_size), gradients, packed input, and errors."""

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck
from nbtorch.nn.utils import rnn

rng = np.random.default_rng(0)

CONFIGS = [
    dict(),
    dict(num_layers=2, batch_first=True),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, bias=False),
]


def randn(*shape):
    return nbtorch.tensor(rng.standard_normal(shape).astype(np.float32))


def load_from_torch(ours, theirs):
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


def backward_both(ours, theirs, torch):
    """Backward of a weighted sum of the output, h_n and c_n in both libraries."""
    weights = [randn(*o.shape) for o in ours]
    sum(((o * w).sum() for o, w in zip(ours, weights)), nbtorch.tensor(0.0)).backward()
    sum((t * to_torch(torch, w)).sum() for t, w in zip(theirs, weights)).backward()


@pytest.mark.oracle
@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_lstm_with_projection_matches_pytorch(torch, kw):
    ours = nn.LSTM(3, 5, proj_size=2, **kw)
    theirs = torch.nn.LSTM(3, 5, proj_size=2, **kw)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    load_from_torch(ours, theirs)
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    x = (randn(2, 4, 3) if kw.get("batch_first") else randn(4, 2, 3)).requires_grad_()
    h0, c0 = randn(layers, 2, 2).requires_grad_(), randn(layers, 2, 5).requires_grad_()
    tx, th0, tc0 = (to_torch(torch, t) for t in (x, h0, c0))
    out, (h, c) = ours(x, (h0, c0))
    tout, (th, tc) = theirs(tx, (th0, tc0))
    for a, b in [(out, tout), (h, th), (c, tc)]:
        assert_close(a, b, atol=1e-5)
    backward_both((out, h, c), (tout, th, tc), torch)
    for a, b in [(x, tx), (h0, th0), (c0, tc0)]:
        assert_close(a.grad, b.grad, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, atol=1e-5)


@pytest.mark.oracle
def test_unbatched_and_default_state_match_pytorch(torch):
    ours, theirs = nn.LSTM(3, 4, proj_size=3, bidirectional=True), torch.nn.LSTM(
        3, 4, proj_size=3, bidirectional=True)
    load_from_torch(ours, theirs)
    x = randn(5, 3)
    out, (h, c) = ours(x)
    tout, (th, tc) = theirs(to_torch(torch, x))
    for a, b in [(out, tout), (h, th), (c, tc)]:
        assert_close(a, b, atol=1e-5)


@pytest.mark.oracle
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True)], ids=str)
def test_packed_lstm_with_projection_matches_pytorch(torch, kw):
    ours = nn.LSTM(3, 4, proj_size=2, **kw)
    theirs = torch.nn.LSTM(3, 4, proj_size=2, **kw)
    load_from_torch(ours, theirs)
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    x = randn(5, 3, 3).requires_grad_()
    h0, c0 = randn(layers, 3, 2).requires_grad_(), randn(layers, 3, 4).requires_grad_()
    tx, th0, tc0 = (to_torch(torch, t) for t in (x, h0, c0))
    lengths = [2, 5, 3]
    out, (h, c) = ours(rnn.pack_padded_sequence(x, lengths, enforce_sorted=False), (h0, c0))
    tout, (th, tc) = theirs(torch.nn.utils.rnn.pack_padded_sequence(
        tx, lengths, enforce_sorted=False), (th0, tc0))
    padded, tpadded = rnn.pad_packed_sequence(out)[0], torch.nn.utils.rnn.pad_packed_sequence(
        tout)[0]
    for a, b in [(padded, tpadded), (h, th), (c, tc)]:
        assert_close(a, b, atol=1e-5)
    backward_both((padded, h, c), (tpadded, th, tc), torch)
    for a, b in [(x, tx), (h0, th0), (c0, tc0)]:
        assert_close(a.grad, b.grad, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, atol=1e-5)


def test_lstm_with_projection_gradcheck():
    lstm = nn.LSTM(2, 3, proj_size=2, num_layers=2, bidirectional=True).double()
    x = nbtorch.randn(3, 1, 2, dtype=nbtorch.float64, requires_grad=True)
    h0 = nbtorch.randn(4, 1, 2, dtype=nbtorch.float64, requires_grad=True)
    c0 = nbtorch.randn(4, 1, 3, dtype=nbtorch.float64, requires_grad=True)

    def run(x, h0, c0, *weights):  # gradcheck perturbs the weights in place
        out, (h, c) = lstm(x, (h0, c0))
        return out, h, c

    assert gradcheck(run, (x, h0, c0, lstm.weight_hr_l0, lstm.weight_hr_l1_reverse))


@pytest.mark.oracle
@pytest.mark.parametrize("proj_size", [-1, 4, 7])
def test_bad_proj_size_raises_like_pytorch(torch, proj_size):
    with pytest.raises(ValueError) as theirs:
        torch.nn.LSTM(3, 4, proj_size=proj_size)
    with pytest.raises(ValueError, match=str(theirs.value)):
        nn.LSTM(3, 4, proj_size=proj_size)


@pytest.mark.oracle
@pytest.mark.parametrize("which", [0, 1])
def test_wrong_state_shape_raises_like_pytorch(torch, which):
    """h_0 must have proj_size features and c_0 hidden_size; giving either the other's
    size is an error naming hidden[0] or hidden[1] and both shapes."""
    shapes = [(1, 2, 2), (1, 2, 4)]
    shapes[which] = shapes[1 - which]
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.LSTM(3, 4, proj_size=2)(torch.randn(5, 2, 3),
                                         tuple(torch.zeros(s) for s in shapes))
    with pytest.raises(RuntimeError) as ours:
        nn.LSTM(3, 4, proj_size=2)(nbtorch.randn(5, 2, 3),
                                   tuple(nbtorch.zeros(s) for s in shapes))
    assert str(ours.value) == str(theirs.value)
