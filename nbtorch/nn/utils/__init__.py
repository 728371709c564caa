"""``nn.utils``: gradient clipping, flattening parameters into one vector, and padding
and packing batches of sequences (``nn.utils.rnn``)."""

# ruff: noqa: F401
from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
