"""nn.utils.rnn (pad_sequence, PackedSequence, pack/pad, pack_sequence/unpack_sequence) and
recurrent layers on packed input, against PyTorch: data, batch sizes, indices, outputs,
final states of each sequence's true last step, gradients, and errors."""

import numpy as np
import pytest
from nn_helpers import assert_close, to_torch

import nbtorch
from nbtorch import nn
from nbtorch.nn.utils import rnn
from nbtorch.nn.utils.rnn import PackedSequence

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return nbtorch.tensor(rng.standard_normal(shape).astype(dtype))


def load_from_torch(ours, theirs):
    ours.load_state_dict({k: nbtorch.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


def assert_same_ints(ours, theirs):
    if theirs is None:
        assert ours is None
    else:
        assert ours.dtype == nbtorch.int64 and ours.tolist() == theirs.tolist()


def assert_same_packed(ours, theirs, atol=1e-6):
    assert isinstance(ours, PackedSequence) and isinstance(ours, tuple)
    assert_close(ours.data, theirs.data, atol=atol)
    assert_same_ints(ours.batch_sizes, theirs.batch_sizes)
    assert_same_ints(ours.sorted_indices, theirs.sorted_indices)
    assert_same_ints(ours.unsorted_indices, theirs.unsorted_indices)


@pytest.mark.oracle
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_pytorch(torch, batch_first, padding_side):
    seqs = [randn(n, 2, 3).requires_grad_() for n in (3, 5, 1)]
    tseqs = [to_torch(torch, s) for s in seqs]
    out = rnn.pad_sequence(seqs, batch_first, -1.5, padding_side)
    tout = torch.nn.utils.rnn.pad_sequence(tseqs, batch_first, -1.5, padding_side)
    assert_close(out, tout)
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    for s, ts in zip(seqs, tseqs):
        assert_close(s.grad, ts.grad)
    stacked = randn(2, 3)  # a tensor is a sequence of its rows
    assert_close(rnn.pad_sequence(stacked), torch.nn.utils.rnn.pad_sequence(
        to_torch(torch, stacked)))


@pytest.mark.oracle
@pytest.mark.parametrize("lengths, enforce_sorted", [([5, 3, 3, 1], True),
                                                     ([2, 5, 1, 4], False)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_match_pytorch(torch, lengths, enforce_sorted, batch_first):
    x = (randn(4, 5, 3) if batch_first else randn(5, 4, 3)).requires_grad_()
    tx = to_torch(torch, x)
    packed = rnn.pack_padded_sequence(x, nbtorch.tensor(lengths), batch_first, enforce_sorted)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths), batch_first,
                                                      enforce_sorted)
    assert_same_packed(packed, tpacked)
    g = randn(*packed.data.shape)
    packed.data.backward(g)
    tpacked.data.backward(to_torch(torch, g))
    assert_close(x.grad, tx.grad)  # zero on the padding
    for total in (None, 7):
        padded, lens = rnn.pad_packed_sequence(packed, batch_first, 9.0, total)
        tpadded, tlens = torch.nn.utils.rnn.pad_packed_sequence(tpacked, batch_first, 9.0,
                                                                total)
        assert_close(padded, tpadded)
        assert_same_ints(lens, tlens)


@pytest.mark.oracle
def test_pad_packed_sequence_gradient(torch):
    data = randn(8, 3).requires_grad_()
    tdata = to_torch(torch, data)
    sizes = nbtorch.tensor([3, 3, 1, 1])
    order = nbtorch.tensor([2, 0, 1])
    out, _ = rnn.pad_packed_sequence(PackedSequence(data, sizes, order))
    tout, _ = torch.nn.utils.rnn.pad_packed_sequence(torch.nn.utils.rnn.PackedSequence(
        tdata, to_torch(torch, sizes), to_torch(torch, order)))
    assert_close(out, tout)
    g = randn(*out.shape)
    out.backward(g)
    tout.backward(to_torch(torch, g))
    assert_close(data.grad, tdata.grad)


@pytest.mark.oracle
def test_pack_sequence_and_unpack_sequence(torch):
    seqs = [randn(n, 2) for n in (2, 4, 3)]
    packed = rnn.pack_sequence(seqs, enforce_sorted=False)
    tpacked = torch.nn.utils.rnn.pack_sequence([to_torch(torch, s) for s in seqs],
                                               enforce_sorted=False)
    assert_same_packed(packed, tpacked)
    back = rnn.unpack_sequence(packed)
    assert [s.shape for s in back] == [s.shape for s in seqs]
    for s, b in zip(seqs, back):
        assert np.array_equal(s.numpy(), b.numpy())
    padded = rnn.pad_sequence(seqs, batch_first=True)
    for s, b in zip(seqs, rnn.unpad_sequence(padded, [2, 4, 3], batch_first=True)):
        assert np.array_equal(s.numpy(), b.numpy())


def test_packed_sequence_is_a_named_tuple_that_moves():
    packed = rnn.pack_sequence([randn(3, 2), randn(2, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert batch_sizes.tolist() == [2, 2, 1] and sorted_indices is None
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    as_double = packed.to(nbtorch.float64)
    assert as_double.data.dtype == nbtorch.float64 and as_double.batch_sizes is batch_sizes
    assert packed.to(nbtorch.float32) is packed and not packed.is_cuda
    order = nbtorch.tensor([1, 2, 0])
    assert PackedSequence(data, batch_sizes, order).unsorted_indices.tolist() == [2, 0, 1]


# ----------------------------------------------------------------- recurrent layers, packed

RNN_CONFIGS = [dict(), dict(num_layers=2, bidirectional=True), dict(batch_first=True)]


@pytest.mark.oracle
@pytest.mark.parametrize("kw", RNN_CONFIGS, ids=str)
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers_on_packed_input_match_pytorch(torch, kind, kw):
    """Unsorted lengths (enforce_sorted=False), a given initial state in the caller's batch
    order: packed outputs, h_n (and c_n) of every sequence's last step, and gradients of the
    input, the initial state and every parameter."""
    ours, theirs = getattr(nn, kind)(3, 4, **kw), getattr(torch.nn, kind)(3, 4, **kw)
    load_from_torch(ours, theirs)
    batch_first = kw.get("batch_first", False)
    lengths = [3, 6, 1, 4, 6]
    x = (randn(5, 6, 3) if batch_first else randn(6, 5, 3)).requires_grad_()
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    states = [randn(layers, 5, 4).requires_grad_() for _ in range(2 if kind == "LSTM" else 1)]
    tx, tstates = to_torch(torch, x), [to_torch(torch, s) for s in states]
    hx, thx = (tuple(states), tuple(tstates)) if kind == "LSTM" else (states[0], tstates[0])

    packed = rnn.pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, batch_first,
                                                      enforce_sorted=False)
    out, h = ours(packed, hx)
    tout, th = theirs(tpacked, thx)
    assert_same_packed(out, tout, atol=1e-5)
    finals, tfinals = (h, th) if kind == "LSTM" else ((h,), (th,))
    for f, tf in zip(finals, tfinals):
        assert_close(f, tf, atol=1e-5)
    padded, _ = rnn.pad_packed_sequence(out, batch_first)
    tpadded, _ = torch.nn.utils.rnn.pad_packed_sequence(tout, batch_first)
    g, gh = randn(*padded.shape), randn(*finals[0].shape)
    (padded * g).sum().add((finals[0] * gh).sum()).backward()
    ((tpadded * to_torch(torch, g)).sum() + (tfinals[0] * to_torch(torch, gh)).sum()).backward()
    assert_close(x.grad, tx.grad, atol=1e-5)
    for s, ts in zip(states, tstates):
        assert_close(s.grad, ts.grad, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, atol=1e-5)


@pytest.mark.oracle
def test_packed_lstm_with_tied_lengths_and_no_initial_state(torch):
    """Sequences of equal length: the order inside a tie is free, so compare what does not
    depend on it, the padded output and the final states in the caller's order."""
    ours, theirs = nn.LSTM(3, 4, num_layers=2), torch.nn.LSTM(3, 4, num_layers=2)
    load_from_torch(ours, theirs)
    seqs = [randn(n, 3) for n in (2, 4, 2, 4, 1)]
    out, (h, c) = ours(rnn.pack_sequence(seqs, enforce_sorted=False))
    tout, (th, tc) = theirs(torch.nn.utils.rnn.pack_sequence(
        [to_torch(torch, s) for s in seqs], enforce_sorted=False))
    assert_close(rnn.pad_packed_sequence(out)[0],
                 torch.nn.utils.rnn.pad_packed_sequence(tout)[0], atol=1e-5)
    assert_close(h, th, atol=1e-5)
    assert_close(c, tc, atol=1e-5)


def test_packed_final_state_is_the_last_real_step():
    """Independent of PyTorch: h_n of each sequence equals the GRU run on that sequence
    alone (no padding), and the packed output unpacks to those runs."""
    gru = nn.GRU(3, 4, bidirectional=True)
    seqs = [randn(n, 3) for n in (2, 5, 3)]
    out, h = gru(rnn.pack_sequence(seqs, enforce_sorted=False))
    for b, (s, o) in enumerate(zip(seqs, rnn.unpack_sequence(out))):
        alone, h_alone = gru(s)
        assert_close(o, alone.detach().numpy(), atol=1e-6)
        assert_close(h[:, b], h_alone.detach().numpy(), atol=1e-6)


PACK_ERRORS = {
    "unsorted lengths": lambda r, t: r.pack_padded_sequence(t(5, 3, 2), [2, 5, 3]),
    "a zero length": lambda r, t: r.pack_padded_sequence(t(5, 3, 2), [5, 3, 0]),
    "too few lengths": lambda r, t: r.pack_padded_sequence(t(5, 3, 2), [5, 3]),
    "total_length too short": lambda r, t: r.pad_packed_sequence(
        r.pack_padded_sequence(t(5, 3, 2), [5, 3, 1]), total_length=4),
    "no sequences": lambda r, t: r.pad_sequence([]),
    "bad padding_side": lambda r, t: r.pad_sequence([t(2, 3)], padding_side="middle"),
    "trailing shapes differ": lambda r, t: r.pad_sequence([t(2, 3), t(3, 4)]),
    "not iterable": lambda r, t: r.pad_sequence(5),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", PACK_ERRORS)
def test_errors_match_pytorch(torch, case):
    with pytest.raises(Exception) as theirs:
        PACK_ERRORS[case](torch.nn.utils.rnn, torch.randn)
    with pytest.raises(theirs.type):
        PACK_ERRORS[case](rnn, nbtorch.randn)


@pytest.mark.oracle
def test_packed_rnn_errors_match_pytorch(torch):
    def run(nn_, r, t, hx_shape):
        packed = r.pack_padded_sequence(t(4, 3, 2), [4, 2, 1])
        return nn_.GRU(2, 5)(packed, t(*hx_shape))

    for shape in [(1, 2, 5), (3, 5)]:
        with pytest.raises(RuntimeError):
            run(torch.nn, torch.nn.utils.rnn, torch.randn, shape)
        with pytest.raises(RuntimeError, match="Expected hidden size"):
            run(nn, rnn, nbtorch.randn, shape)
    with pytest.raises(RuntimeError, match="lengths can be at most the padded length 5"):
        rnn.pack_padded_sequence(randn(5, 3, 2), [6, 3, 1])
