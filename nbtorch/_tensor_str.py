"""``repr(tensor)`` in PyTorch's style: ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``.

Floats that are all whole numbers print as ``1.``; others with 4 decimals, switching to
scientific notation when values span more than three orders of magnitude (as PyTorch does).
"""

from __future__ import annotations

import numpy as np

from . import _dtype as dt

_PRINT = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Change how tensors print (``torch.set_printoptions``)."""
    if profile == "default":
        _PRINT.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "full":
        _PRINT.update(threshold=2**63 - 1)
    elif profile == "short":
        _PRINT.update(precision=2, threshold=1000, edgeitems=2)
    for key, value in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                           linewidth=linewidth).items():
        if value is not None:
            _PRINT[key] = value
    _PRINT["sci_mode"] = sci_mode


def _float_formatter(a: np.ndarray):
    p = _PRINT["precision"]
    finite = a[np.isfinite(a)].astype(np.float64)
    if finite.size == 0:
        return lambda v: str(float(v)).replace("inf", "inf")
    absolute = np.abs(finite)
    nonzero = absolute[absolute > 0]
    big = absolute.max()
    small = nonzero.min() if nonzero.size else 0.0
    whole = bool(np.all(finite == np.round(finite)))
    sci = _PRINT["sci_mode"]
    if sci is None:
        sci = big > 1e8 if whole else (big / max(small, 1e-300) > 1000 or big > 1e8 or big < 1e-4)
    if sci:
        fmt = f"{{:.{p}e}}"
    elif whole:
        fmt = "{:.0f}."
    else:
        fmt = f"{{:.{p}f}}"

    def one(v):
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return fmt.format(float(v))

    return one


def _body(a: np.ndarray, prefix: str) -> str:
    if a.size == 0:
        return "[]"
    opts = dict(separator=", ", prefix=prefix, max_line_width=_PRINT["linewidth"],
                threshold=_PRINT["threshold"], edgeitems=_PRINT["edgeitems"])
    if a.dtype.kind == "f":
        one = _float_formatter(a)
        sample = a if a.size <= _PRINT["threshold"] else a.reshape(-1)[:1000]
        finite = sample[np.isfinite(sample)]  # the width comes from the finite values
        width = max(len(one(v)) for v in (finite if finite.size else sample).reshape(-1))
        opts["formatter"] = {"float_kind": lambda v: one(v).rjust(width)}
    elif a.dtype.kind == "b":
        width = 4 if a.all() else 5  # PyTorch pads " True" only when a False is shown
        opts["formatter"] = {"bool": lambda v: str(bool(v)).rjust(width)}
    return np.array2string(a, **opts)


def tensor_repr(t) -> str:
    """The text ``repr`` shows for a tensor."""
    a = t.detach().cpu()._array
    prefix = "tensor("
    body = _body(a, prefix)
    extras = []
    if a.size == 0 and a.shape != (0,):
        extras.append(f"size={tuple(a.shape)}")
    d = dt._FROM_NUMPY[a.dtype]
    if d not in (dt.get_default_dtype(), dt.int64, dt.bool_):
        extras.append(f"dtype={d!r}")
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if extras:
        body += ", " + ", ".join(extras)
    return prefix + body + ")"
