"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (whole sequences) and their one-step cells.

A recurrent layer reads a sequence one step at a time and carries a hidden state h from step
to step: h_t = cell(x_t, h_{t-1}). The same weights are used at every step, and backward
flows through the whole loop ("backpropagation through time") by ordinary autograd.

The input projections x_t W_ih^T of all steps do not depend on h, so each layer computes
them in one matrix product before the loop; only h W_hh^T stays inside it.

A ``PackedSequence`` input (``nn.utils.rnn``: sequences of different lengths, sorted
longest first, stored step by step) runs step t on the first ``batch_sizes[t]`` sequences
only, so each sequence's final state is the state after its own last step.

Parameters are named as in PyTorch: ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0`` (``..._reverse`` for the backward direction), gates stacked in PyTorch's
order (LSTM: input, forget, cell, output; GRU: reset, update, new).
"""

from __future__ import annotations

import functools
import math

from ... import _creation
from ..._ops.join import cat, stack
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def rnn_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    """Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh); ``gi`` is the input part."""
    pre = gi + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def lstm_step(gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None,
              w_hr: Tensor | None = None) -> tuple:
    """LSTM: gates i, f, g, o from x and h; c' = f * c + i * g; h' = o * tanh(c').

    With a projection ``w_hr`` (P, H) the hidden state is made smaller than the cell state:
    h' = (o * tanh(c')) W_hr^T has P features, c' keeps H."""
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


def gru_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """GRU: r, z from x and h; n = tanh(x_n + r * (h W_hn^T + b_hn)); h' = (1 - z) n + z h."""
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _num_rows(state) -> int:
    """The batch size of a state: h, or LSTM's (h, c)."""
    return (state[0] if isinstance(state, tuple) else state).shape[0]


def _rows(state, start: int, stop: int):
    """Rows ``start:stop`` (batch entries) of a state h or (h, c)."""
    if isinstance(state, tuple):
        return tuple(s[start:stop] for s in state)
    return state[start:stop]


def _cat_rows(states: list):
    """States (h or (h, c)) of consecutive batch rows joined into one."""
    if isinstance(states[0], tuple):
        return tuple(cat(parts, 0) for parts in zip(*states))
    return cat(states, 0)


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU: parameters, shapes, layers, directions."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError("hidden_size and num_layers must be positive integers")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size  # the size of h: the projection's, if any
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                self.register_parameter("weight_ih" + suffix, Parameter(
                    _creation.empty(gate_size, layer_input, **kw)))
                self.register_parameter("weight_hh" + suffix, Parameter(
                    _creation.empty(gate_size, out_size, **kw)))
                if bias:
                    self.register_parameter("bias_ih" + suffix, Parameter(
                        _creation.empty(gate_size, **kw)))
                    self.register_parameter("bias_hh" + suffix, Parameter(
                        _creation.empty(gate_size, **kw)))
                if proj_size:
                    self.register_parameter("weight_hr" + suffix, Parameter(
                        _creation.empty(proj_size, hidden_size, **kw)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _layer_params(self, layer: int, direction: int) -> tuple:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix),
                get("bias_hh" + suffix), get("weight_hr" + suffix))

    def _step(self, gi, state, w_hh, b_hh, w_hr):
        if self.mode == "LSTM":
            return lstm_step(gi, state, w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return gru_step(gi, state, w_hh, b_hh)
        return rnn_step(gi, state, w_hh, b_hh, self.mode == "RNN_RELU")

    def _run_direction(self, x: Tensor, state, params: tuple, reverse: bool):
        """Run one layer in one direction over x (L, N, in); returns (outputs, last state)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = params
        gates = F.linear(x, w_ih, b_ih)  # all time steps in one matrix product
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outputs = [None] * x.shape[0]
        for t in steps:
            state = self._step(gates[t], state, w_hh, b_hh, w_hr)
            outputs[t] = state[0] if self.mode == "LSTM" else state
        return stack(outputs, 0), state

    def _run_packed_direction(self, x: Tensor, state, params: tuple, reverse: bool,
                              batch_sizes: list):
        """Run one layer in one direction over packed data x (sum of lengths, in): step t
        runs the first ``batch_sizes[t]`` sequences. Returns (packed outputs, the state of
        every sequence after its own last step)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = params
        gates = F.linear(x, w_ih, b_ih).split(batch_sizes, 0)  # all steps in one product
        steps = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
        initial, finished = state, []
        state = _rows(initial, 0, batch_sizes[steps[0]])
        outputs = [None] * len(batch_sizes)
        for t in steps:
            n, running = batch_sizes[t], _num_rows(state)
            if n < running:  # forward: the shortest sequences have ended; keep their state
                finished.append(_rows(state, n, running))
                state = _rows(state, 0, n)
            elif n > running:  # reverse: longer sequences start, from their initial state
                state = _cat_rows([state, _rows(initial, running, n)])
            state = self._step(gates[t], state, w_hh, b_hh, w_hr)
            outputs[t] = state[0] if self.mode == "LSTM" else state
        return cat(outputs, 0), _cat_rows([state] + finished[::-1])

    def _check_input(self, input: Tensor) -> bool:
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D "
                "tensor instead"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]}"
            )
        return input.dim() == 2

    def _initial(self, hx: Tensor | None, batch: int, like: Tensor, unbatched: bool,
                 size: int, name: str = "hidden") -> Tensor:
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, batch, size)
        if hx is None:
            return like.new_zeros(expected)
        if unbatched:
            hx = hx.unsqueeze(1)
        if tuple(hx.shape) != expected:
            raise RuntimeError(
                f"Expected {name} size {expected}, got {list(hx.shape)}"
            )
        return hx

    def _initial_states(self, hx, batch: int, like: Tensor, unbatched: bool) -> tuple:
        """(h_0, c_0), zeros where not given; c_0 is None except for LSTM. With a projection
        h_0 has ``proj_size`` features and c_0 ``hidden_size``."""
        if self.mode != "LSTM":
            return self._initial(hx, batch, like, unbatched, self.hidden_size), None
        h0, c0 = (None, None) if hx is None else hx
        return (self._initial(h0, batch, like, unbatched, self.proj_size or self.hidden_size,
                              "hidden[0]"),
                self._initial(c0, batch, like, unbatched, self.hidden_size, "hidden[1]"))

    def _run_layers(self, x: Tensor, h0: Tensor, c0: Tensor | None, run) -> tuple:
        """Every layer and direction in turn; ``run(x, state, params, reverse)`` runs one.
        Returns the last layer's output and the stacked final states h_n, c_n."""
        directions = 2 if self.bidirectional else 1
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                state = (h0[k], c0[k]) if self.mode == "LSTM" else h0[k]
                out, state = run(x, state, self._layer_params(layer, d), reverse=d == 1)
                outs.append(out)
                if self.mode == "LSTM":
                    last_h.append(state[0])
                    last_c.append(state[1])
                else:
                    last_h.append(state)
            x = outs[0] if directions == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, stack(last_h, 0), stack(last_c, 0) if self.mode == "LSTM" else None

    def forward(self, input: Tensor | PackedSequence, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        unbatched = self._check_input(input)
        x = input.unsqueeze(1) if unbatched else (
            input.transpose(0, 1) if self.batch_first else input)
        h0, c0 = self._initial_states(hx, x.shape[1], x, unbatched)
        x, h_n, c_n = self._run_layers(x, h0, c0, self._run_direction)
        output = x.squeeze(1) if unbatched else (x.transpose(0, 1) if self.batch_first else x)
        if unbatched:
            h_n = h_n.squeeze(1)
            c_n = None if c_n is None else c_n.squeeze(1)
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def _forward_packed(self, input: PackedSequence, hx):
        """The packed path: states are kept in the sorted batch order inside, and handed in
        and out in the caller's order (``sorted_indices``/``unsorted_indices``)."""
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if data.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
        self._check_input(data)
        sizes = batch_sizes.tolist()
        h0, c0 = self._initial_states(hx, sizes[0], data, False)
        if sorted_indices is not None:
            h0 = h0.index_select(1, sorted_indices)
            c0 = None if c0 is None else c0.index_select(1, sorted_indices)
        run = functools.partial(self._run_packed_direction, batch_sizes=sizes)
        output, h_n, c_n = self._run_layers(data, h0, c0, run)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)
            c_n = None if c_n is None else c_n.index_select(1, unsorted_indices)
        output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or ReLU).

    Args: ``input_size``, ``hidden_size``, ``num_layers=1``, ``nonlinearity='tanh'``,
    ``bias=True``, ``batch_first=False``, ``dropout=0``, ``bidirectional=False``.
    Shapes: input (L, N, H_in) ((N, L, H_in) with batch_first), h_0 (layers * D, N, H) ->
    output (L, N, D * H), h_n (layers * D, N, H); D = 2 if bidirectional.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: a cell state c carried with additive updates and three gates
    (input, forget, output) that decide what to write, keep and show.

    Same arguments and shapes as ``RNN``; the state is a pair ``(h, c)``:
    ``output, (h_n, c_n) = lstm(x, (h_0, c_0))``.

    ``proj_size=P`` (0 < P < hidden_size) adds a projection ``weight_hr_l{k}`` (P, H) to
    each layer and direction: h_t = (o_t * tanh(c_t)) W_hr^T. Then h_0, h_n, the output and
    the next layer's input have P features per direction, c_0 and c_n still H.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit: an update gate z mixes the old state with a candidate, a reset
    gate r decides how much of the old state the candidate sees. Shapes as ``RNN``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


class RNNCellBase(Module):
    """One time step: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(_creation.empty(gates * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(_creation.empty(gates * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(_creation.empty(gates * hidden_size, **kw))
            self.bias_hh = Parameter(_creation.empty(gates * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _hidden(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor | None, bool]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        if hx is None:
            hx = input.new_zeros((input.shape[0], self.hidden_size))
        return input, hx, unbatched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: (N, H_in), (N, H) -> (N, H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._hidden(input, hx)
        h = rnn_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                     self.bias_hh, self.nonlinearity == "relu")
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step: (N, H_in), (h, c) -> (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        h0, c0 = (None, None) if hx is None else hx
        x, h, unbatched = self._hidden(input, h0)
        _, c, _ = self._hidden(input, c0)
        h, c = lstm_step(F.linear(x, self.weight_ih, self.bias_ih), (h, c), self.weight_hh,
                         self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step: (N, H_in), (N, H) -> (N, H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._hidden(input, hx)
        h = gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                     self.bias_hh)
        return h.squeeze(0) if unbatched else h
