"""Lazy modules: layers that learn their input size from their first input.

``nn.LazyLinear(10)`` is a ``Linear`` layer with 10 outputs whose ``in_features`` is not
given: you do not have to work out how many features come out of the convolutions before
it. Until its first call its ``weight`` and ``bias`` are ``UninitializedParameter`` s
(placeholders with a dtype and device but no shape). The first call

1. reads the size from the input (``input.shape[-1]`` for ``LazyLinear``, the channel dim
   for convolutions and norms),
2. materializes the placeholders with the right shapes and initialises them with the
   non-lazy layer's ``reset_parameters`` (the same random draws as building that layer),
3. turns the module into the non-lazy class (``cls_to_become``): a ``LazyLinear`` becomes
   a ``Linear``, and from then on it is exactly one.

The first call does this in a forward pre-hook that removes itself. Move the model
(``model.to('cuda')``, ``model.double()``) *before* the first call, or run one "dry" batch
first; build the optimizer after either (the parameters keep their identity, so an
optimizer built before also works).
"""

from __future__ import annotations

from ... import _creation
from ... import _dtype as dt
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .instancenorm import InstanceNorm1d, InstanceNorm2d
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d


class LazyModuleMixin:
    """The machinery of a lazy module (``torch.nn.modules.lazy.LazyModuleMixin``).

    A lazy class lists this mixin first, then the layer it imitates
    (``class LazyLinear(LazyModuleMixin, Linear)``), creates ``UninitializedParameter`` s
    in ``__init__`` and defines ``initialize_parameters(input)``, which materializes them.
    ``cls_to_become`` is the class the module turns into once initialised.
    """

    cls_to_become: type[Module] | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module is still a placeholder."""
        return any(is_lazy(t) for t in [*self._parameters.values(), *self._buffers.values()])

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Materialize and initialise the parameters for an input like ``args``."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    def _infer_parameters(self, module: Module, args: tuple) -> None:
        """The forward pre-hook: initialise, then become ``cls_to_become`` for good."""
        with no_grad():
            self.initialize_parameters(*args)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        """As ``Module``'s, but placeholders go in as they are (they cannot be detached)."""
        buffers = [(name, b) for name, b in self._buffers.items()
                   if name not in self._non_persistent_buffers_set]
        for name, t in [*self._parameters.items(), *buffers]:
            if t is not None:
                destination[prefix + name] = t if keep_vars or is_lazy(t) else t.detach()

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs) -> None:
        """Loading real tensors into placeholders first gives them the loaded shapes."""
        for name, t in [*self._parameters.items(), *self._buffers.items()]:
            value = state_dict.get(prefix + name)
            if is_lazy(t) and isinstance(value, Tensor) and not is_lazy(value):
                t.materialize(value.shape)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` layer whose ``in_features`` is ``input.shape[-1]`` of its first input.

    Args: ``out_features``, ``bias=True``, ``device=None``, ``dtype=None``. After the first
    call it is a ``Linear`` with weights drawn as ``Linear(in_features, out_features)``
    draws them.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)  # no bias yet: nothing to create and then throw away
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """``Linear``'s initialisation, once the parameters have a shape."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Take ``in_features`` from ``input``; materialize and initialise the parameters."""
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        if self.in_features == 0:  # the parameters came from load_state_dict
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}"
                )
            self.in_features = input.shape[-1]


class _LazyConvMixin(LazyModuleMixin):
    """What the lazy convolutions share: ``in_channels`` from the input's channel dim."""

    def __init__(self, out_channels: int, *conv_args, bias: bool, device, dtype) -> None:
        super().__init__(0, 0, *conv_args)  # conv_args end with bias=False
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """The convolution's initialisation, once the parameters have a shape."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """Take ``in_channels`` from ``input``; materialize and initialise the parameters."""
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        self.weight.materialize(shape + self.kernel_size)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        unbatched = len(self.kernel_size) + 1  # channels and the spatial dims
        if input.dim() not in (unbatched, unbatched + 1):
            raise RuntimeError(
                f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        return input.shape[1] if input.dim() == unbatched + 1 else input.shape[0]


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` is the channel count of its first input.

    The arguments are ``Conv1d``'s without ``in_channels``; after the first call it is a
    ``Conv1d`` initialised as ``Conv1d(in_channels, ...)`` would be.
    """

    cls_to_become = Conv1d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, bias=bias, device=device, dtype=dtype)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is the channel count of its first input
    (see ``LazyConv1d``)."""

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, bias=bias, device=device, dtype=dtype)


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """A ``ConvTranspose1d`` whose ``in_channels`` is the channel count of its first input
    (see ``LazyConv1d``)."""

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups,
                         False, dilation, padding_mode, bias=bias, device=device, dtype=dtype)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """A ``ConvTranspose2d`` whose ``in_channels`` is the channel count of its first input
    (see ``LazyConv1d``)."""

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups,
                         False, dilation, padding_mode, bias=bias, device=device, dtype=dtype)


class _LazyNormBase(LazyModuleMixin):
    """What the lazy batch and instance norms share: ``num_features`` from the channel dim,
    placeholders for ``weight``, ``bias``, ``running_mean`` and ``running_var``."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = _creation.tensor(0, dtype=dt.int64, device=device)

    def reset_parameters(self) -> None:
        """Ones, zeros and fresh running statistics, once the tensors have a shape."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Take ``num_features`` from the input's channel dim; materialize and initialise."""
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[self._channel_dim(input)]
        for t in (self.weight, self.bias, self.running_mean, self.running_var):
            if t is not None:
                t.materialize((self.num_features,))
        self.reset_parameters()

    def _channel_dim(self, input: Tensor) -> int:
        return 1


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` is ``input.shape[1]`` of its first input.

    Args: ``eps=1e-5``, ``momentum=0.1``, ``affine=True``, ``track_running_stats=True``,
    ``device``, ``dtype``, ``bias=True`` (``BatchNorm1d``'s without ``num_features``).
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is ``input.shape[1]`` of its first input."""

    cls_to_become = BatchNorm2d


class _LazyInstanceNorm(_LazyNormBase):
    """The lazy instance norms also take one unbatched sample, channels first."""

    def _channel_dim(self, input: Tensor) -> int:
        return 0 if input.dim() == self._dims[0] else 1


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """An ``InstanceNorm1d`` whose ``num_features`` is the channel count of its first input.

    As in PyTorch its defaults are ``affine=True`` and ``track_running_stats=True`` (unlike
    ``InstanceNorm1d``'s), since with neither it would have nothing to infer.
    """

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """An ``InstanceNorm2d`` whose ``num_features`` is the channel count of its first input
    (see ``LazyInstanceNorm1d``)."""

    cls_to_become = InstanceNorm2d
