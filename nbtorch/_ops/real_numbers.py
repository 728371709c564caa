"""What PyTorch's complex-number functions mean for real tensors, nbtorch's only kind.

A real number is a complex number with imaginary part 0, so for a real tensor:

* its conjugate is itself: ``conj``, ``conj_physical``, ``resolve_conj`` and ``resolve_neg``
  return the tensor itself (not a copy), as PyTorch does for real tensors; ``real`` is the
  tensor, and ``imag`` is an error (PyTorch has no zero tensor to give back as a view);
* the conjugate transpose is the transpose: ``adjoint()`` and ``mH`` swap the last two dims,
  ``H`` transposes a matrix;
* its angle in the complex plane (``angle``) is 0, or pi for a negative number;
* the questions have fixed answers: ``is_complex``, ``is_conj`` and ``is_neg`` are False,
  ``isreal`` is True everywhere.

Code written for complex tensors (``x.conj().T @ y``, ``A.mH``) so runs unchanged here.
"""

from __future__ import annotations

import math
import warnings

from .. import _dtype as dt
from .._creation import ones_like
from .._tensor import Tensor
from ._util import backend, require_tensor, unary_float
from .pointwise import _Step


def _itself(name: str, doc: str):
    """A function returning its (real) input itself."""

    def op(input: Tensor) -> Tensor:
        require_tensor(name, input)
        return input

    op.__name__, op.__doc__ = name, doc
    return op


conj = _itself("conj", "The complex conjugate: a real tensor is its own (returns ``input``).")
conj_physical = _itself("conj_physical", "The conjugate, computed: ``input`` itself when real.")
resolve_conj = _itself("resolve_conj", "The tensor with a pending conjugation applied: "
                       "a real tensor has none (returns ``input``).")
resolve_neg = _itself("resolve_neg", "The tensor with a pending negation applied: nbtorch "
                      "never defers one (returns ``input``).")
real = _itself("real", "The real part: a real tensor itself.")


def conj_physical_(input: Tensor) -> Tensor:
    """In-place ``conj_physical``: nothing changes, but, as for any in-place op, a leaf
    that requires grad is refused."""
    require_tensor("conj_physical_", input)
    input._check_inplace()
    return input


class Angle(_Step):
    """The argument of a complex number, for a real x: 0 if x >= 0, pi if x < 0 (NaN stays
    NaN). A step function: its gradient is zero."""

    @classmethod
    def forward(cls, ctx, x):
        B = backend(x)
        a = unary_float(x)
        return B.where(B.isnan(a), a, B.where(B.less(a, 0), math.pi, 0.0)).astype(a.dtype)


def angle(input: Tensor) -> Tensor:
    """The angle of each element seen as a point of the complex plane: 0 for x >= 0, pi for
    x < 0 (a float tensor, also for integers)."""
    require_tensor("angle", input)
    return Angle.apply(input)


def imag(input: Tensor) -> Tensor:
    """The imaginary part: an error for a real tensor, as in PyTorch."""
    require_tensor("imag", input)
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def _false(name: str, doc: str):
    def question(input: Tensor) -> bool:
        require_tensor(name, input)
        return False

    question.__name__, question.__doc__ = name, doc
    return question


is_complex = _false("is_complex", "Whether the dtype is complex: never in nbtorch.")
is_conj = _false("is_conj", "Whether a conjugation is pending (PyTorch may defer one on "
                 "complex tensors): never in nbtorch.")
is_neg = _false("is_neg", "Whether a negation is pending: never in nbtorch.")


def isreal(input: Tensor) -> Tensor:
    """True where the element's imaginary part is 0: everywhere in a real tensor."""
    require_tensor("isreal", input)
    return ones_like(input, dtype=dt.bool_)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of each matrix: for real ones their transpose (the last two
    dims swapped, as a view). A 0-d tensor is returned with a warning, as in PyTorch."""
    require_tensor("adjoint", input)
    if input.dim() == 0:
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return input
    if input.dim() == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return input.transpose(-2, -1)


def _mH(self: Tensor) -> Tensor:
    """The conjugate transpose of each matrix in the batch (``A.mH``): ``A.mT`` when real."""
    if self.dim() == 0:
        warnings.warn("Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    if self.dim() == 1:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {self.dim()}-D tensor.")
    return self.transpose(-2, -1)


def _H(self: Tensor) -> Tensor:
    """The conjugate transpose of a matrix (``A.H``): its transpose when real."""
    if self.dim() == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    if self.dim() != 2:
        batches = (" For batches of matrices, consider using tensor.mH" if self.dim() > 2
                   else "")
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.dim()}-D tensor.{batches}")
    return self.transpose(0, 1)


def _imag(self: Tensor) -> Tensor:
    return imag(self)


def _set_real(self: Tensor, value) -> None:
    """``x.real = v`` writes ``v`` into the tensor (its real part is all of it)."""
    self.copy_(value if isinstance(value, Tensor) else self.new_full(self.shape, value))


__all__ = ["conj", "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "real",
           "imag", "angle", "is_complex", "is_conj", "is_neg", "isreal", "adjoint"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name not in ("real", "imag")}
TENSOR_METHODS.update({
    "real": property(real, _set_real, doc="The real part: the tensor itself."),
    "imag": property(_imag, doc="The imaginary part: an error for a real tensor."),
    "mH": property(_mH, doc=_mH.__doc__), "H": property(_H, doc=_H.__doc__),
})
