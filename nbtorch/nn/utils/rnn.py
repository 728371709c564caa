"""Batches of sequences of different lengths: padding and packing (``nn.utils.rnn``).

A batch of sentences has one length per sentence. Two ways to hold it in tensors:

* padded: one (T, N, *) tensor, T the longest length, the shorter sequences filled up with
  ``padding_value`` (``pad_sequence``). Simple, but a recurrent layer would also run over
  the padding, and its final state would be the state after the padding.
* packed: a ``PackedSequence``. Sort the sequences longest first, then store time step by
  time step only the sequences that are still running: ``data`` holds the steps one after
  the other, ``batch_sizes[t]`` says how many sequences step t has. For lengths 3, 2, 1:

      time step:   0        1      2
      data:       [a0 b0 c0 a1 b1 a2]     batch_sizes = [3, 2, 1]

  An RNN given a PackedSequence runs step t on the first ``batch_sizes[t]`` rows only, so
  every sequence stops at its own end, and its final state is its true last step's.

``sorted_indices`` (the batch order used, longest first) and ``unsorted_indices`` (its
inverse) let the functions hand results back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import _creation
from ... import _dtype as dt
from ..._ops.join import cat, stack
from ..._ops.sort import argsort, sort
from ..._tensor import Tensor


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation``: ``inv[permutation[i]] = i``."""
    return None if permutation is None else argsort(permutation)


class PackedSequence(_PackedFields):
    """A packed batch of sequences: a named tuple ``(data, batch_sizes, sorted_indices,
    unsorted_indices)``.

    ``data`` (sum of lengths, *): the sequences' steps, time step by time step;
    ``batch_sizes`` (int64 on the CPU): how many sequences are still running at each step;
    ``sorted_indices``/``unsorted_indices``: the batch's order, longest first, and its
    inverse (None when the input was already sorted). Make one with
    ``pack_padded_sequence`` or ``pack_sequence``, not by hand.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes))
            data, batch_sizes = data
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of "
                             "PackedSequence should never be created manually.")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(*args, **kwargs)``; the indices follow data's device, ``batch_sizes``
        stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices, unsorted_indices = (
            None if i is None else i.to(data.device)
            for i in (self.sorted_indices, self.unsorted_indices))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self) -> PackedSequence:
        """The same sequences with ``data`` (and the indices) on the GPU."""
        return self.to("cuda")

    def cpu(self) -> PackedSequence:
        """The same sequences with ``data`` (and the indices) on the CPU."""
        return self.to("cpu")

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on the GPU."""
        return self.data.is_cuda


def _as_list(lengths) -> list[int]:
    return [int(n) for n in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]


def _index(rows: np.ndarray, like: Tensor) -> Tensor:
    """An int64 index tensor on ``like``'s device."""
    return _creation.tensor(rows, dtype=dt.int64, device=like.device)


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, N, *) ((N, T, *) with ``batch_first``) whose sequence b has
    ``lengths[b]`` real steps. With ``enforce_sorted=True`` the lengths must be decreasing;
    with False the batch is sorted here (and ``unsorted_indices`` restores its order).
    Differentiable: the gradient of ``data`` flows back to the real steps of ``input``."""
    lengths = _as_list(lengths)
    x = input.transpose(0, 1) if batch_first else input
    steps, batch = x.shape[0], x.shape[1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if min(lengths) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if max(lengths) > steps:
        raise RuntimeError(f"lengths can be at most the padded length {steps}, but got "
                           f"{max(lengths)}")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        values, order = sort(_creation.tensor(lengths, dtype=dt.int64), descending=True)
        lengths = values.tolist()
        sorted_indices = order.to(input.device)
        x = x.index_select(1, sorted_indices)
    batch_sizes = [sum(n > t for n in lengths) for t in range(lengths[0])]
    # Row t * N + b of the flattened (T * N, *) input is step t of sequence b.
    rows = np.concatenate([t * batch + np.arange(n) for t, n in enumerate(batch_sizes)])
    data = x.flatten(0, 1).index_select(0, _index(rows, x))
    return PackedSequence(data, _creation.tensor(batch_sizes, dtype=dt.int64),
                          sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: returns the padded batch (T, N, *) (``batch_first``:
    (N, T, *)) in the original batch order, and the lengths (int64). ``total_length`` pads
    to that many steps instead of the longest length."""
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = batch_sizes.tolist()
    steps, batch = len(sizes), sizes[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}")
        steps = total_length
    # For each (t, b): the row of data holding it, or the extra padding row after the end.
    rows = np.full((steps, batch), data.shape[0])
    starts = np.cumsum([0] + sizes[:-1])
    for t, (start, n) in enumerate(zip(starts, sizes)):
        rows[t, :n] = start + np.arange(n)
    padding = data.new_full((1,) + tuple(data.shape[1:]), padding_value)
    padded = cat([data, padding]).index_select(0, _index(rows.reshape(-1), data))
    padded = padded.view((steps, batch) + tuple(data.shape[1:]))
    lengths = _creation.tensor([sum(n > b for n in sizes) for b in range(batch)],
                               dtype=dt.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, unsorted_indices)
        lengths = lengths[unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into one (T, N, *) tensor (``batch_first``:
    (N, T, *)), T = max L_i, filling the missing steps with ``padding_value`` after each
    sequence (``padding_side='right'``) or before it ('left')."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if any(s.dim() == 0 for s in sequences):
        raise RuntimeError("pad_sequence: every sequence needs at least one dimension")
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape "
                               f"{list(trailing)} of the first, but got {list(s.shape)}")
        fill = first.new_full((longest - s.shape[0],) + trailing, padding_value)
        s = s.to(first.dtype)
        padded.append(cat([s, fill] if padding_side == "right" else [fill, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor | list[int],
                   batch_first: bool = False) -> list[Tensor]:
    """Undo ``pad_sequence``: the list of sequences, sequence b cut to ``lengths[b]`` steps."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(batch.unbind(0), _as_list(lengths))]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) (longest first, unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo ``pack_sequence``: the list of sequences, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
