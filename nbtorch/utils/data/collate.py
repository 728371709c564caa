"""Turning a list of samples into one batch.

``default_collate([(x0, y0), (x1, y1), ...])`` returns ``[stack([x0, x1, ...]),
tensor([y0, y1, ...])]``: it looks at the type of the first sample and works recursively
through tuples, lists and dicts, so any nesting of them batches naturally.
"""

from __future__ import annotations

import collections.abc

import numpy as np

from ..._backend import backend_of
from ..._creation import as_tensor, tensor
from ..._dtype import float64
from ..._tensor import Tensor


def _stack(tensors: list) -> Tensor:
    first = tensors[0]
    if any(t.shape != first.shape for t in tensors):
        raise RuntimeError("stack expects each tensor to be equal size, but got "
                           f"{list(first.shape)} at entry 0 and a different size later")
    arrays = [t.detach()._array for t in tensors]
    return Tensor._make(backend_of(arrays[0]).stack(arrays))


def default_collate(batch: list):
    """Stack a list of samples into a batch (what ``DataLoader`` does by default).

    tensors and numpy arrays are stacked on a new first dimension; Python ints become an int64
    tensor, floats a float64 tensor; strings stay a list; dicts, tuples, namedtuples and lists
    are collated field by field.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSU":
            raise TypeError(f"default_collate: batch must not contain numpy arrays of dtype "
                            f"{elem.dtype}")
        return _stack([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):  # also bool, which gives a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(s) != len(elem) for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed  # a list, as in PyTorch
        try:
            return type(elem)(transposed)
        except TypeError:
            return transposed
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                    f"or lists; found {type(elem)}")


def default_convert(data):
    """Turn numpy arrays (also inside containers) into tensors, without batching.

    Used instead of ``default_collate`` when ``batch_size=None``.
    """
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSU":
        return as_tensor(data)
    if isinstance(data, np.generic):
        return as_tensor(np.array(data))
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    return data
