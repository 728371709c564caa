"""``nbtorch.nn``: building blocks of neural networks (``torch.nn``).

* ``Module`` and ``Parameter``: a model is a tree of modules; the parameters assigned as
  attributes are found by ``model.parameters()``.
* Layers: ``Linear``, ``Conv2d``, ``BatchNorm2d``, ``LSTM``, activations, losses, ...
* ``functional`` (``F``): the same computations as plain functions.
* ``init``: weight initialisation; ``utils``: gradient clipping, parameter vectors.
"""

# ruff: noqa: F401, F403
from . import functional, init, utils
from .modules import *
from .modules import Module
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter
