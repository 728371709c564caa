"""Evaluation traces (求值轨迹) of automatic differentiation, as in Baydin et al. (2018),
"Automatic differentiation in machine learning: a survey", Tables 2 and 3.

An evaluation trace lists every elementary operation of a function as a variable: the inputs
are v₋₁, v₀ (for two inputs), the intermediate results v₁, v₂, ..., and the output y.

* Forward mode (前向模式, Table 2): next to each primal value vᵢ its tangent (切线)
  v̇ᵢ = ∂vᵢ/∂x for one chosen input x, computed in the same sweep by the chain rule:
  for v₂ = v₋₁ × v₀, v̇₂ = v̇₋₁ × v₀ + v̇₀ × v₋₁.
* Reverse mode (反向模式, Table 3): after the forward sweep, the adjoints (伴随)
  v̄ᵢ = ∂y/∂vᵢ, from the output back to the inputs: each v̄ᵢ sums v̄ⱼ × ∂vⱼ/∂vᵢ over the
  operations j that used vᵢ.

``trace`` records the trace by really running ``f`` on nbtorch tensors: every
``Function.apply`` call is one operation (v_i). Tangents come from dual tensors
(``autograd.forward_ad``), adjoints from ``backward()`` with ``retain_grad()`` on each vᵢ.
"""

from __future__ import annotations

import html
import inspect
import unicodedata
from contextlib import contextmanager

import numpy as np

from ..autograd import forward_ad
from ..autograd.function import Function

# Op name -> (how to write the operation, the partial derivative d out / d argument k).
# {0}, {1} are the arguments, {out} the result; "1/…" partials are written as a division.
_OPS = {
    "Add": ("{0} + {1}", ("1", "1")),
    "Sub": ("{0} − {1}", ("1", "−1")),
    "Mul": ("{0} × {1}", ("{1}", "{0}")),
    "Div": ("{0} / {1}", ("1/{1}", "(−{0}/{1}²)")),
    "Pow": ("{0}^{1}", ("{1}{0}^({1}−1)", "{out} ln {0}")),
    "Neg": ("−{0}", ("−1",)),
    "Log": ("ln {0}", ("1/{0}",)),
    "Exp": ("exp {0}", ("{out}",)),
    "Sin": ("sin {0}", ("cos {0}",)),
    "Cos": ("cos {0}", ("(−sin {0})",)),
    "Tanh": ("tanh {0}", ("(1 − {out}²)",)),
    "Sigmoid": ("σ({0})", ("{out}(1 − {out})",)),
    "Sqrt": ("√{0}", ("1/(2{out})",)),
    "Relu": ("relu {0}", ("[{0} > 0]",)),
    "Sum": ("sum {0}", ("1",)),
}
_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")


def _v(i: int) -> str:
    return "v" + str(i).translate(_SUB)


def _dot(name: str) -> str:  # v̇: the tangent of v
    return name[0] + "\u0307" + name[1:]


def _bar(name: str) -> str:  # v̄: the adjoint of v
    return name[0] + "\u0304" + name[1:]


class _Var:
    """One row of the trace: a variable, how it is computed, its value and derivative."""

    def __init__(self, name, expr, tensor, op=None, args=()):
        self.name, self.expr, self.tensor, self.op, self.args = name, expr, tensor, op, args
        self.deriv_expr, self.deriv = "", None


@contextmanager
def _recording(steps: list):
    """Record every outermost ``Function.apply`` call as ``(op class, args, result)``."""
    original = Function.__dict__["apply"]
    depth = [0]

    def apply(cls, *args):
        depth[0] += 1
        try:
            result = original.__func__(cls, *args)
        finally:
            depth[0] -= 1
        if depth[0] == 0:  # ops run inside an op (its jvp, say) are not steps of f
            steps.append((cls, args, result))
        return result

    Function.apply = classmethod(apply)
    try:
        yield
    finally:
        Function.apply = original


def _run(f, xs, names):
    """Run ``f`` on ``xs`` and build the trace's variables (the output last)."""
    from .._tensor import Tensor

    variables = [_Var(_v(i - len(xs) + 1), n, x) for i, (x, n) in enumerate(zip(xs, names))]
    known = {id(x): var for x, var in zip(xs, variables)}
    steps = []
    with _recording(steps):
        out = f(*xs)
    for cls, args, result in steps:
        results = result if isinstance(result, tuple) else (result,)
        arg_names = [_name(a, known) for a in args]
        fmt = _OPS.get(cls.__name__, (None, ()))[0]
        expr = fmt.format(*arg_names) if fmt else f"{cls.__name__}({', '.join(arg_names)})"
        for r in results:
            var = _Var(_v(len(variables) - len(xs) + 1), expr, r, cls.__name__, args)
            variables.append(var)
            known[id(r)] = var
    if not isinstance(out, Tensor) or id(out) not in known:
        raise ValueError("trace: f must return a tensor computed from its inputs")
    variables.append(_Var("y", known[id(out)].name, out))
    return variables, known


def _name(arg, known) -> str:
    """How an argument is written: the variable's name, or a constant's value."""
    var = known.get(id(arg))
    if var is not None:
        return var.name
    if hasattr(arg, "_array") and arg.numel() == 1:
        return f"{arg.item():g}"
    return "c" if hasattr(arg, "_array") else f"{arg:g}" if isinstance(arg, float) else str(arg)


def _partials(var, known) -> list:
    """``(argument variable, partial derivative as text)`` for each traced argument."""
    partials = _OPS.get(var.op, (None, ()))[1]
    names = [_name(a, known) for a in var.args]
    pairs = []
    for k, a in enumerate(var.args):
        if id(a) in known:
            text = partials[k].format(*names, out=var.name) if k < len(partials) else None
            pairs.append((known[id(a)], text))
    return pairs


def _term(symbol: str, partial) -> str:
    """``symbol × partial``, written simply: v̄, −v̄, v̄/x."""
    if partial is None:
        return f"{symbol} × ∂"
    if partial == "1":
        return symbol
    if partial == "−1":
        return "−" + symbol
    if partial.startswith("1/"):
        return f"{symbol}/{partial[2:]}"
    return f"{symbol} × {partial}"


def _join(terms) -> str:
    return " + ".join(terms).replace("+ −", "− ") if terms else "0"


def trace(f, *inputs, mode: str = "forward", wrt: int = 0, digits: int = 3) -> Trace:
    """The evaluation trace of ``f(*inputs)`` in forward or reverse mode.

    ``inputs`` are numbers or tensors (used in float64). In forward mode the tangents are
    derivatives with respect to input number ``wrt`` (seeded with ones); in reverse mode the
    adjoints are derivatives of the output (seeded with ones: of its sum). Show the result
    in a notebook (an HTML table) or ``print`` it (aligned text)::

        trace(lambda x1, x2: torch.log(x1) + x1 * x2 - torch.sin(x2), 2.0, 5.0)
    """
    from .._creation import ones_like, tensor, zeros_like
    from .._dtype import float64

    if mode not in ("forward", "reverse"):
        raise ValueError(f"trace: mode must be 'forward' or 'reverse', got {mode!r}")
    xs = [tensor(np.asarray(x, dtype=np.float64)) if not hasattr(x, "_array")
          else x.detach().to(float64) for x in inputs]
    names = _input_names(f, len(xs))
    if mode == "forward":
        with forward_ad.dual_level():
            seeds = [ones_like(x) if i == wrt else zeros_like(x) for i, x in enumerate(xs)]
            duals = [forward_ad.make_dual(x, s) for x, s in zip(xs, seeds)]
            variables, known = _run(f, duals, names)
            for v in variables:
                v.deriv = forward_ad.unpack_dual(v.tensor).tangent
        for v, seed, n in zip(variables, seeds, names):
            v.deriv, v.deriv_expr = seed, _dot(n)
        for v in variables[len(xs):-1]:
            v.deriv_expr = _join([_term(_dot(a.name), p) for a, p in _partials(v, known)])
        variables[-1].deriv_expr = _dot(variables[-1].expr)
    else:
        for x in xs:
            x.requires_grad_()
        variables, known = _run(f, xs, names)
        for v in variables[len(xs):-1]:
            if v.tensor.requires_grad:
                v.tensor.retain_grad()
        y = variables[-1]
        y.tensor.backward(ones_like(y.tensor))
        users: dict = {id(v): [] for v in variables}
        for v in variables[len(xs):-1]:
            for a, p in _partials(v, known):
                users[id(a)].append(_term(_bar(v.name), p))
        users[id(known[id(y.tensor)])].append(_bar("y"))
        for v in variables[:-1]:
            v.deriv = v.tensor.grad
            v.deriv_expr = _join(users[id(v)])
        y.deriv, y.deriv_expr = ones_like(y.tensor), "1"
    return Trace(mode, variables, len(xs), names[wrt] if mode == "forward" else None, digits)


def _input_names(f, n: int) -> list:
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    if len(params) == n and all(p.isidentifier() for p in params):
        return params
    return [f"x{i + 1}" for i in range(n)]


class Trace:
    """An evaluation trace: rows of (variable, operation, value, derivative).

    ``value`` is the output y; ``derivative`` is dy/dx_wrt (forward mode) or the tuple of
    dy/dx_i for every input (reverse mode). In a notebook it shows as an HTML table;
    ``print(trace)`` gives the same table as aligned text.
    """

    def __init__(self, mode, variables, n_inputs, wrt_name, digits):
        self.mode, self.variables, self.digits = mode, variables, digits
        self.n_inputs, self.wrt_name = n_inputs, wrt_name
        self.value = variables[-1].tensor.detach()
        if mode == "forward":
            self.derivative = variables[-1].deriv.detach()
        else:
            self.derivative = tuple(v.deriv for v in variables[:n_inputs])

    def _fmt(self, t) -> str:
        if t is None:
            return "0"
        a = np.asarray(t.detach()._array, dtype=np.float64)
        if a.size == 1:
            return f"{a.item():.{self.digits}f}"
        return np.array2string(a, precision=self.digits, separator=", ").replace("\n", "")

    def sections(self) -> list:
        """The table as ``[(title, header, rows)]``; reverse mode has two sections."""
        primal = [(f"{v.name} = {v.expr}", self._fmt(v.tensor)) for v in self.variables]
        if self.mode == "forward":
            rows = [(p, val, f"{_dot(v.name)} = {v.deriv_expr}", self._fmt(v.deriv))
                    for (p, val), v in zip(primal, self.variables)]
            title = f"Forward primal trace and tangent trace (∂/∂{self.wrt_name})"
            return [(title, ("primal", "value", "tangent", "value"), rows)]
        adjoint = [(f"{_bar(v.name)} = {v.deriv_expr}", self._fmt(v.deriv))
                   for v in reversed(self.variables)]
        return [("Forward primal trace", ("primal", "value"), primal),
                ("Reverse adjoint trace (from y back to the inputs)", ("adjoint", "value"),
                 adjoint)]

    def __str__(self) -> str:
        lines = []
        for title, header, rows in self.sections():
            widths = [max(_width(str(r[c])) for r in (header, *rows)) for c in range(len(header))]
            lines.append(title)
            for r in (header, *rows):
                cells = [_pad(str(cell), w, right=c % 2 == 1) for c, (cell, w)
                         in enumerate(zip(r, widths))]
                lines.append("  ".join(cells).rstrip())
            lines.append("")
        return "\n".join(lines).rstrip()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        parts = ["<table>"]
        for title, header, rows in self.sections():
            parts.append(f'<tr><th colspan="{len(header)}" style="text-align:left">'
                         f"{html.escape(title)}</th></tr>")
            parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                         + "</tr>")
            for r in rows:
                parts.append("<tr>" + "".join(
                    f'<td style="text-align:{"right" if c % 2 else "left"}">'
                    f"{html.escape(str(cell))}</td>" for c, cell in enumerate(r)) + "</tr>")
        parts.append("</table>")
        return "\n".join(parts)


def _width(s: str) -> int:
    """Printed width: combining marks (the dot of v̇, the bar of v̄) take no space."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(s))
    return gap + s if right else s + gap


__all__ = ["Trace", "trace"]
