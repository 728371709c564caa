"""Contractions: ``einsum``, ``tensordot``, ``kron``, and pairwise distances ``cdist``.

Everything here is a *composition* of ops that already have gradients (``diagonal``,
``permute``, ``expand``, ``reshape``, ``sum``, ``bmm``, ``mul``, ``where``): there is no new
``Function`` and no new kernel, so backward, forward-mode AD, gradients of gradients and the
cuda device all come for free.

The lesson of ``einsum``: *every contraction is one batched matrix product after a permute*.
Name each dimension of two operands with a letter. Then each letter is one of four kinds:

=========  ======================================  =====================================
kind       the letter is in                        in ``bmm`` of (B, M, K) @ (B, K, N)
=========  ======================================  =====================================
batch      both operands, and the result keeps it  B: matrices multiplied side by side
summed     both operands, and the result drops it  K: the inner dimension, added up
left       the first operand only                  M: the rows of the result
right      the second operand only                 N: the columns of the result
=========  ======================================  =====================================

Permute the first operand's dims to (batch, left, summed) and the second's to (batch,
summed, right), flatten each group into one dim, and one ``bmm`` does the whole
contraction; its (B, M, N) result is reshaped back to (batch..., left..., right...).
Matrix product (``ij,jk->ik``), dot product, outer product, batched matmul and ``tensordot``
are all this one step.
"""

from __future__ import annotations

import math
from collections import Counter

from .._tensor import Tensor
from ._util import check_same_device, wrap_dim
from .matmul import bmm
from .pointwise import type_name, where

# -- einsum ------------------------------------------------------------------------------


def einsum(*args) -> Tensor:
    """Einstein summation: a contraction written as letters, ``einsum('ij,jk->ik', a, b)``.

    Each operand gets one letter per dimension. A letter repeated across operands pairs
    those dimensions up; letters left out of the result (after ``->``) are summed over:

    * ``'ij,jk->ik'`` matrix product, ``'bij,bjk->bik'`` batched, ``'i,i->'`` dot product,
      ``'i,j->ij'`` outer product, ``'ij->ji'`` transpose, ``'ij->'`` sum of all;
    * a letter repeated in *one* operand takes a diagonal: ``'ii->i'`` (``diagonal``),
      ``'ii->'`` (``trace``);
    * ``...`` stands for any number of dimensions, broadcast like ``a + b`` does:
      ``'...ij,...jk->...ik'`` is ``matmul``;
    * without ``->`` the result has the ``...`` dims and then every letter used exactly once,
      in alphabetical order (uppercase first): ``'ij,jk'`` means ``'ij,jk->ik'``.

    A dimension of size 1 broadcasts against the same letter's size in another operand.
    The operands may also come as one list, ``einsum('ij,jk', [a, b])``, or in the sublist
    form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (integers 0..51 standing for letters).

    How it is computed (see the module's docstring for why this is enough):

    1. each operand alone: take the diagonal of each repeated letter, and sum at once the
       letters that no other operand and not the result uses;
    2. the operands are contracted in pairs from left to right: each pair is one ``bmm``
       after a ``permute`` and a ``reshape``; a letter shared by the pair is summed there
       when no later operand and not the result needs it, else it is a batch dim;
    3. the last tensor's dims are permuted into the result's order.

    PyTorch may choose a cheaper order of pairs (with the ``opt_einsum`` package); here it
    is always left to right. All operands must have the same dtype.
    """
    equation, operands = _einsum_arguments(args)
    terms, output = _parse(equation, operands)
    labels, output = _label_dims(terms, output, operands)
    _check_sizes(labels, operands)
    first = operands[0]
    for x in operands[1:]:
        check_same_device(first._array, x._array)
        if x._array.dtype != first._array.dtype:
            raise RuntimeError(f"expected scalar type {type_name(first._array)} but found "
                               f"{type_name(x._array)}")

    n = len(operands)
    alone = []
    for i, (x, mine) in enumerate(zip(operands, labels)):
        others = set(output).union(*(labels[j] for j in range(n) if j != i))
        alone.append(_diagonals_and_sums(x, mine, others))
    result, result_labels = alone[0]
    for k in range(1, n):
        needed = set(output).union(*labels[k + 1:])
        result, result_labels = _contract(result, result_labels, *alone[k], needed)
    return result.permute([result_labels.index(c) for c in output])


def _einsum_arguments(args) -> tuple:
    """(equation, operands) from ``('ij,jk', a, b)``, ``('ij,jk', [a, b])`` or the sublist
    form ``(a, [0, 1], b, [1, 2], [0, 2])``."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one "
                         "operand, or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:  # sublists: operand, its subscripts, operand, its subscripts, ..., [output]
        operands = list(args[0::2][:len(args) // 2])
        lhs = ",".join(_sublist(s) for s in args[1::2][:len(args) // 2])
        equation = lhs + ("->" + _sublist(args[-1]) if len(args) % 2 else "")
    for i, x in enumerate(operands):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(x).__name__}")
    return equation, operands


def _sublist(subscripts) -> str:
    """A subscript list such as ``[0, 1, Ellipsis]`` as letters: 0..25 -> A..Z,
    26..51 -> a..z, ``Ellipsis`` -> ``...``."""
    letters = []
    for s in subscripts:
        if s is Ellipsis:
            letters.append("...")
        elif isinstance(s, int) and 0 <= s < 52:
            letters.append(chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26))
        else:
            raise ValueError("einsum(): subscript in subscript list is not within the valid "
                             "range [0, 52)")
    return "".join(letters)


def _subscripts(text: str, start: int, who: str) -> list:
    """The letters of one term of the equation, with ``'...'`` as one item. ``start`` is
    where ``text`` begins in the equation (for the error message)."""
    letters, i = [], 0
    while i < len(text):
        c = text[i]
        if c == ".":
            if text[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for {who} that is not part of any "
                                   "ellipsis")
            if "..." in letters:
                raise RuntimeError(f"einsum(): found '.' for {who} for which an ellipsis was "
                                   "already found")
            letters.append("...")
            i += 3
            continue
        if c.isascii() and c.isalpha():
            letters.append(c)
        elif c != " ":
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        i += 1
    return letters


def _parse(equation: str, operands) -> tuple:
    """(one list of letters per operand, the output's letters or None when implicit)."""
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    terms, start = [], 0
    for i, term in enumerate(lhs.split(",")):
        terms.append(_subscripts(term, start, f"operand {i}"))
        start += len(term) + 1
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    output = None if arrow < 0 else _subscripts(equation[arrow + 2:], arrow + 2, "output")
    return terms, output


def _label_dims(terms, output, operands) -> tuple:
    """Every dim of every operand named: letters stay, the dims under ``...`` become the
    integers -k..-1 counted from the right (so they broadcast like numpy's dims do).
    Returns (labels per operand, the output's labels)."""
    labels = []
    for i, (term, x) in enumerate(zip(terms, operands)):
        named = len(term) - ("..." in term)
        if "..." not in term and named != x.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match "
                f"the number of dimensions ({x.ndim}) for operand {i} and no ellipsis was given"
            )
        if named > x.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) is more than "
                f"the number of dimensions ({x.ndim}) for operand {i}"
            )
        covered = list(range(named - x.ndim, 0))  # the ellipsis's dims: -k..-1
        mine = []
        for c in term:
            mine += covered if c == "..." else [c]
        labels.append(mine)
    ellipsis = list(range(-max(sum(isinstance(c, int) for c in mine) for mine in labels), 0))
    if output is None:  # implicit: the ellipsis, then letters used once, alphabetically
        counts = Counter(c for term in terms for c in term if c != "...")
        return labels, ellipsis + sorted(c for c, k in counts.items() if k == 1)
    result = []
    for c in output:
        if c == "...":
            result += ellipsis
        elif not any(c in term for term in terms):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               "equation for any input operand")
        elif c in result:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                               "output")
        else:
            result.append(c)
    return labels, result


def _check_sizes(labels, operands) -> None:
    """A letter repeated in one operand needs equal sizes; across operands sizes must be
    equal or 1 (which broadcasts)."""
    seen: dict = {}
    for i, (mine, x) in enumerate(zip(labels, operands)):
        own: dict = {}
        for d, (c, size) in enumerate(zip(mine, x.shape)):
            if c in own and own[c] != size:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but "
                                   f"the sizes don't match, {size} != {own[c]}")
            own[c] = size
            before = seen.get(c, 1)
            if size != before and 1 not in (size, before):
                if isinstance(c, int):
                    raise RuntimeError(
                        f"einsum(): dimension {d} covered by ellipsis in operand {i} has size "
                        f"{size} which does not broadcast with previously seen ellipsis with "
                        f"size {before} for the respective dimension"
                    )
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{before}")
            seen[c] = size if before == 1 else before


def _diagonals_and_sums(x, labels, needed) -> tuple:
    """Step 1, one operand alone: ``'ii'`` -> its diagonal (one ``i``); then the letters not
    in ``needed`` are summed away. Returns (tensor, its labels)."""
    labels = list(labels)
    for c in dict.fromkeys(labels):
        while labels.count(c) > 1:
            i = labels.index(c)
            j = labels.index(c, i + 1)
            x = x.diagonal(0, i, j)  # the diagonal becomes the last dim
            labels = [c2 for d, c2 in enumerate(labels) if d not in (i, j)] + [c]
    summed = [d for d, c in enumerate(labels) if c not in needed]
    if summed:
        x = x.sum(summed)
        labels = [c for c in labels if c in needed]
    return x, labels


def _contract(a, a_labels, b, b_labels, needed) -> tuple:
    """Step 2: ``a`` and ``b`` contracted by one ``bmm``; the letters they share are summed
    unless ``needed`` (by the result or a later operand). Returns (tensor, its labels)."""
    if a._array.dtype.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    shared = [c for c in a_labels if c in b_labels]
    batch = [c for c in shared if c in needed]
    summed = [c for c in shared if c not in needed]
    left = [c for c in a_labels if c not in b_labels]
    right = [c for c in b_labels if c not in a_labels]
    size: dict = {}
    for x, labels in ((a, a_labels), (b, b_labels)):
        for c, s in zip(labels, x.shape):
            size[c] = s if size.get(c, 1) == 1 else size[c]  # a size 1 broadcasts

    def as_3d(x, labels, groups):
        order = [c for group in groups for c in group]
        x = x.permute([labels.index(c) for c in order]).expand([size[c] for c in order])
        return x.reshape([math.prod(size[c] for c in group) for group in groups])

    out = bmm(as_3d(a, a_labels, (batch, left, summed)), as_3d(b, b_labels, (batch, summed,
                                                                               right)))
    labels = batch + left + right
    return out.reshape([size[c] for c in labels]), labels


# -- tensordot and kron --------------------------------------------------------------------


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Sum the products of ``a`` and ``b`` over the dims paired up by ``dims``.

    ``dims=k`` pairs the last k dims of ``a`` with the first k of ``b`` (``k=1`` on
    matrices is the matrix product, ``k=0`` the outer product); ``dims=([1, 2], [0, 1])``
    pairs ``a``'s dim 1 with ``b``'s dim 0 and ``a``'s dim 2 with ``b``'s dim 1. The result
    has ``a``'s other dims, then ``b``'s. It is ``einsum``'s pairwise step with dims named by
    position instead of by letter: one matrix product after a permute and a reshape.
    """
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if a._array.dtype != b._array.dtype:
        raise RuntimeError("both inputs should have same dtype")
    check_same_device(a._array, b._array)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    a_labels = [("a", d) for d in range(a.ndim)]
    b_labels = [("b", d) for d in range(b.ndim)]
    for k, (da, db) in enumerate(zip(dims_a, dims_b)):
        ia, ib = wrap_dim(da, a.ndim), wrap_dim(db, b.ndim)
        sa, sb = a.shape[ia], b.shape[ib]
        if sa != sb and 1 not in (sa, sb):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} "
                               f"in dim {da} and second has size {sb} in dim {db}")
        for labels, i in ((a_labels, ia), (b_labels, ib)):
            if labels[i][0] == "summed":
                raise RuntimeError(f"dim {i} appears multiple times in the list of dims")
            labels[i] = ("summed", k)
    result, _ = _contract(a, a_labels, b, b_labels, needed=set())
    if out is not None:
        from .inplace import copy_into_out

        return copy_into_out(out, result)
    return result


def _tensordot_dims(a, b, dims) -> tuple:
    """``dims`` (an int, a pair of lists, or a tensor of either) as two lists of dims."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        for d in dims:
            if not isinstance(d, (list, tuple)):
                raise TypeError(f"tensordot(): argument 'dims_self' (position 3) must be tuple "
                                f"of ints, not {type(d).__name__}")
        return [int(d) for d in dims[0]], [int(d) for d in dims[1]]
    raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or "
                       f"list[list[int]] containing two lists, but got dims={dims}")


def kron(input, other) -> Tensor:
    """The Kronecker product: ``other`` scaled by each element of ``input``, in blocks.

    For matrices, block (i, j) of the result is ``input[i, j] * other``, so a (2, 3) and a
    (4, 5) give (8, 15). Built by broadcasting: ``input`` reshaped to (a0, 1, a1, 1, ...)
    times ``other`` reshaped to (1, b0, 1, b1, ...) is every product ``input[i] *
    other[j]``, and merging each (a_k, b_k) pair of dims gives the blocks. A tensor with
    fewer dims gets leading dims of size 1 first. dtypes promote as in ``mul``.
    """
    for name, position, x in (("input", 1, input), ("other", 2, other)):
        if not isinstance(x, Tensor):
            raise TypeError(f"kron(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(x).__name__}")
    n = max(input.ndim, other.ndim)
    a_shape = (1,) * (n - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (n - other.ndim) + tuple(other.shape)
    a = input.reshape([s for k in a_shape for s in (k, 1)])
    b = other.reshape([s for k in b_shape for s in (1, k)])
    return (a * b).reshape([p * q for p, q in zip(a_shape, b_shape)])


# -- cdist -----------------------------------------------------------------------------


_COMPUTE_MODES = (None, "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The p-norm distance between each row of ``x1`` and each row of ``x2``.

    ``x1`` (..., P, M) and ``x2`` (..., R, M) give (..., P, R): entry [i, j] is
    ``||x1[i] - x2[j]||_p``, and the leading (batch) dims broadcast. ``p=2`` is Euclidean,
    ``p=1`` the sum of absolute differences, ``p=inf`` the largest one, ``p=0`` counts the
    coordinates that differ.

    Computed by broadcasting: ``x1.unsqueeze(-2) - x2.unsqueeze(-3)`` holds every difference
    (..., P, R, M), then a norm over the last dim. That takes P*R*M memory (PyTorch's
    ``compute_mode`` chooses a matrix-product formula for large p=2 inputs; here it is
    accepted and ignored). At zero distance the norm has no derivative; as in PyTorch the
    gradient there is 0, not nan: for p other than 0, 1, 2 and inf a ``where`` picks a safe
    value before the power that would divide by zero (the "double where" trick). For
    ``p=inf`` every coordinate tied for the largest difference gets the whole gradient, as
    in PyTorch's cdist (``amax`` and ``dist`` share it among the ties).
    """
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._array.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{type_name(x._array)}")
    if x1._array.dtype != x2._array.dtype:
        raise RuntimeError(f"expected scalar type {type_name(x1._array)} but found "
                           f"{type_name(x2._array)}")
    check_same_device(x1._array, x2._array)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    batch1, batch2 = x1.shape[:-2], x2.shape[:-2]
    for k in range(1, min(len(batch1), len(batch2)) + 1):
        if batch1[-k] != batch2[-k] and 1 not in (batch1[-k], batch2[-k]):
            raise RuntimeError(
                f"The size of tensor a ({batch1[-k]}) must match the size of tensor b "
                f"({batch2[-k]}) at non-singleton dimension {max(len(batch1), len(batch2)) - k}"
            )
    return _p_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), float(p))


def _p_norm(diff, p: float):
    """The p-norm of ``diff`` over its last dim, with gradient 0 where it is 0."""
    from .reduce import vector_norm

    if p in (0.0, 2.0):
        return vector_norm(diff, p, -1)  # its gradient is 0 at 0 (and everywhere for p = 0)
    if p == 1.0:
        return diff.abs().sum(-1)
    if p == math.inf:
        return _largest_with_full_gradient_to_ties(diff.abs())
    size = diff.abs()
    zero = size == 0
    powers = where(zero, 0.0, where(zero, 1.0, size) ** p)  # no 0 ** (p - 1) in backward
    total = powers.sum(-1)
    zero = total == 0
    return where(zero, 0.0, where(zero, 1.0, total) ** (1 / p))


def _largest_with_full_gradient_to_ties(size):
    """The largest of ``size`` over its last dim, where PyTorch's cdist gives each entry
    tied for the largest the *whole* gradient (``amax`` would share it among them).

    The value is ``largest`` (taken out of the graph) plus a sum of zeros, one per tied
    entry, ``size - largest``: each zero has gradient 1 with respect to its own entry."""
    largest = size.detach().amax(-1, keepdim=True)
    ties = where(size.detach() == largest, size - largest, 0.0)
    return largest.squeeze(-1) + ties.sum(-1)


__all__ = ["einsum", "tensordot", "kron", "cdist"]

TENSOR_METHODS = {"kron": kron}
