"""RNN, LSTM, GRU and their cells against PyTorch (same weights), gradients included."""

import pytest
from nn_helpers import check_module

import nbtorch
from nbtorch import nn
from nbtorch.autograd import gradcheck

CONFIGS = [
    dict(),
    dict(num_layers=2, batch_first=True),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, bias=False),
]


@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kw", CONFIGS, ids=str)
def test_recurrent_layers_match_pytorch(torch, kind, kw):
    ours, theirs = getattr(nn, kind)(3, 4, **kw), getattr(torch.nn, kind)(3, 4, **kw)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    x = nbtorch.randn(2, 5, 3) if kw.get("batch_first") else nbtorch.randn(5, 2, 3)
    check_module(torch, ours, theirs, x)
    check_module(torch, ours, theirs, nbtorch.randn(4, 3))  # unbatched


@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_final_states_and_initial_state(torch, kind):
    from nn_helpers import assert_close, copy_weights, to_torch

    ours, theirs = getattr(nn, kind)(3, 4, num_layers=2), getattr(torch.nn, kind)(3, 4,
                                                                                  num_layers=2)
    copy_weights(torch, ours, theirs)
    x = nbtorch.randn(6, 2, 3)
    h0 = nbtorch.randn(2, 2, 4)
    if kind == "LSTM":
        c0 = nbtorch.randn(2, 2, 4)
        out, (h, c) = ours(x, (h0, c0))
        tout, (th, tc) = theirs(to_torch(torch, x), (to_torch(torch, h0), to_torch(torch, c0)))
        assert_close(c, tc)
    else:
        out, h = ours(x, h0)
        tout, th = theirs(to_torch(torch, x), to_torch(torch, h0))
    assert_close(out, tout)
    assert_close(h, th)


@pytest.mark.oracle
def test_rnn_relu_and_cells(torch):
    check_module(torch, nn.RNN(3, 4, nonlinearity="relu"),
                 torch.nn.RNN(3, 4, nonlinearity="relu"), nbtorch.randn(5, 2, 3))
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == repr(torch.nn.RNN(3, 4,
                                                                         nonlinearity="relu"))
    for kind in ["RNNCell", "LSTMCell", "GRUCell"]:
        ours, theirs = getattr(nn, kind)(3, 4), getattr(torch.nn, kind)(3, 4)
        assert repr(ours) == repr(theirs)
        check_module(torch, ours, theirs, nbtorch.randn(2, 3))


def test_lstm_gradcheck():
    lstm = nn.LSTM(2, 3).double()
    x = nbtorch.randn(4, 1, 2, dtype=nbtorch.float64, requires_grad=True)
    assert gradcheck(lambda v: lstm(v)[0], (x,))


def test_shape_errors():
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                       "Expected 3, got 5"):
        nn.GRU(3, 4)(nbtorch.randn(2, 1, 5))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        nn.RNN(3, 4)(nbtorch.randn(2, 1, 3), nbtorch.zeros(1, 2, 4))
