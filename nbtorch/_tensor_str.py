"""``repr(tensor)`` in PyTorch's style: ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``.

The recipe is PyTorch's own (torch/_tensor_str.py), so printouts match character for character:

1. One *formatter* for the whole tensor looks at its finite nonzero values. Whole numbers print
   as ``1.``; others with 4 decimals; scientific notation is used when the values span more than
   three orders of magnitude (or are huge, or tiny). Every element gets the same width.
2. Rows are laid out recursively, as many elements per line as fit in 80 characters; tensors
   with more than 1000 elements are summarised with ``...`` (3 items at each edge).
3. Suffixes follow: ``device=``, ``dtype=`` (when not the default), ``grad_fn=`` or
   ``requires_grad=True``, wrapping onto a new line when the last line is full.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtype as dt

_PRINT = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Change how tensors print (``torch.set_printoptions``).

    ``profile`` is ``"default"``, ``"short"`` (2 decimals, 2 edge items) or ``"full"`` (never
    summarise); ``sci_mode=True/False`` forces or forbids scientific notation (``None``: auto).
    """
    profiles = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
                "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
                "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}
    if profile is not None:
        _PRINT.update(profiles[profile])
    for key, value in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                           linewidth=linewidth).items():
        if value is not None:
            _PRINT[key] = value
    _PRINT["sci_mode"] = sci_mode


class _Formatter:
    """Chooses one format (integer-like, fixed or scientific) and one width for all elements."""

    def __init__(self, a: np.ndarray):
        self.floating = a.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = _PRINT["precision"]
        if not self.floating:
            for v in a.reshape(-1).tolist():
                self.width = max(self.width, len(str(v)))
            return
        values = a.reshape(-1).astype(np.float64)
        values = values[np.isfinite(values) & (values != 0)]
        if values.size:
            big, small = np.abs(values).max(), np.abs(values).min()
            self.int_mode = bool(np.all(values == np.ceil(values)))
            if self.int_mode:
                self.sci_mode = big / small > 1000.0 or big > 1.0e8
            else:
                self.sci_mode = big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4
            if self.sci_mode:
                texts = [f"{v:.{p}e}" for v in values.tolist()]
            elif self.int_mode:
                texts = [f"{v:.0f}." for v in values.tolist()]  # the "." marks a float
            else:
                texts = [f"{v:.{p}f}" for v in values.tolist()]
            self.width = max(len(t) for t in texts)
        if _PRINT["sci_mode"] is not None:
            self.sci_mode = _PRINT["sci_mode"]

    def format(self, v) -> str:
        p = _PRINT["precision"]
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:{self.width}.{p}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{p}f}"
        return text.rjust(self.width)


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements a summarised printout shows (``edgeitems`` at each end of every dim)."""
    e = _PRINT["edgeitems"]
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * e:
        a = np.concatenate([a[:e], a[-e:]])
    if a.ndim == 1:
        return a
    return np.stack([_summarized(row) for row in a])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((_PRINT["linewidth"] - indent) / (fmt.width + 2)))
    e = _PRINT["edgeitems"]
    if summarize and a.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in a[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = _PRINT["edgeitems"]
    rows = range(a.shape[0])
    if summarize and a.shape[0] > 2 * e:
        rows = [*range(e), None, *range(a.shape[0] - e, a.shape[0])]
    slices = ["..." if i is None else _nested_str(a[i], indent + 1, summarize, fmt)
              for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _PRINT["linewidth"]:
            text += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"


def tensor_repr(t) -> str:
    """The text ``repr`` shows for a tensor."""
    a = t.detach().cpu()._array
    prefix = "tensor("
    d = dt._FROM_NUMPY[a.dtype]
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if d != dt.get_default_dtype():
            suffixes.append(f"dtype={d!r}")
        body = "[]"
    else:
        if d not in (dt.get_default_dtype(), dt.int64, dt.bool_):
            suffixes.append(f"dtype={d!r}")
        summarize = a.size > _PRINT["threshold"]
        fmt = _Formatter(_summarized(a) if summarize else a)
        body = _nested_str(a, len(prefix), summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))
