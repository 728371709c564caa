"""``draw_graph``: a picture of the autograd graph behind a result.

Operation nodes (grey ellipses, e.g. ``Mul``) come from ``grad_fn`` and its
``next_functions``; tensor nodes (boxes) are the leaves, the given parameters, and the
result. Arrows point the way data flowed forward; backward walks them in reverse.
Rendering uses graphviz's ``dot`` program when it is installed, and otherwise a small
built-in layered layout written straight to SVG, so a notebook never fails for lack of it.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np

_SMALL = 6  # tensors with at most this many elements show their values


@dataclass
class _Node:
    id: str
    kind: str  # "op", "leaf" or "output"
    label: list = field(default_factory=list)  # lines of text


@dataclass
class GraphDrawing:
    """The drawing of a graph: ``.source`` (DOT text), ``.svg`` and notebook display."""

    nodes: list
    edges: list  # (from id, to id, label)
    engine: str = "auto"

    @property
    def source(self) -> str:
        """The graph in graphviz's DOT language (deterministic: no memory addresses)."""
        lines = ["digraph autograd {", "  rankdir=BT;", '  node [fontname="Helvetica"];']
        for n in self.nodes:
            text = "\\n".join(_dot_escape(s) for s in n.label)
            if n.kind == "op":
                style = 'shape=ellipse, style=filled, fillcolor="#dddddd"'
            elif n.kind == "output":
                style = 'shape=box, style=filled, fillcolor="#b7e1a1"'
            else:
                style = 'shape=box, style=filled, fillcolor="#a9cbe8"'
            lines.append(f'  {n.id} [label="{text}", {style}];')
        for a, b, label in self.edges:
            extra = f' [label="{_dot_escape(label)}"]' if label else ""
            lines.append(f"  {a} -> {b}{extra};")
        lines.append("}")
        return "\n".join(lines)

    @property
    def svg(self) -> str:
        """SVG text: from graphviz when available (and not ``engine='builtin'``)."""
        if self.engine in ("auto", "graphviz") and shutil.which("dot"):
            done = subprocess.run(["dot", "-Tsvg"], input=self.source, capture_output=True,
                                  text=True, timeout=30)
            if done.returncode == 0:
                return done.stdout
            if self.engine == "graphviz":
                raise RuntimeError(f"graphviz failed: {done.stderr.strip()}")
        elif self.engine == "graphviz":
            raise RuntimeError("graphviz's `dot` program is not installed; use engine='builtin'")
        return _builtin_svg(self.nodes, self.edges)

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        ops = sum(n.kind == "op" for n in self.nodes)
        tensors = len(self.nodes) - ops
        return f"<GraphDrawing: {ops} operations, {tensors} tensors, {len(self.edges)} edges>"

    def save(self, path: str) -> None:
        """Write the SVG to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _values(t) -> str:
    a = t.detach().cpu()._array
    if a.size > _SMALL:
        return ""
    if a.ndim == 0:
        return f"{a.item():.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in np.asarray(a, dtype=np.float64).reshape(-1)) + "]"


def _tensor_label(name: str, t, show_values: bool, show_grads: bool) -> list:
    lines = [f"{name} {tuple(t.shape)}" if name else f"{tuple(t.shape)}"]
    if show_values and _values(t):
        lines.append(f"= {_values(t)}")
    if show_grads and t.grad is not None and _values(t.grad):
        lines.append(f"grad {_values(t.grad)}")
    return lines


def _op_name(node) -> str:
    name = node.name()
    for suffix in ("Backward0", "Backward"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def draw_graph(tensor, params: dict | None = None, show_values: bool = True,
               show_grads: bool = True, engine: str = "auto") -> GraphDrawing:
    """Draw the graph that computed ``tensor``.

    ``params`` names tensors (``dict(model.named_parameters())`` or ``{"x": x}``) so their
    boxes are labelled. Small tensors show their values and, after ``backward()``, their
    gradients. ``engine``: ``"auto"`` (graphviz if installed), ``"graphviz"``, ``"builtin"``.
    """
    from ..autograd.function import AccumulateGrad

    if engine not in ("auto", "graphviz", "builtin"):
        raise ValueError(f"engine must be 'auto', 'graphviz' or 'builtin', got {engine!r}")
    names = {id(t): n for n, t in (params or {}).items()}
    nodes, edges, ids = [], [], {}

    def node_id(obj) -> str:
        key = id(obj)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
        return ids[key]

    out_id = "out"
    nodes.append(_Node(out_id, "output", _tensor_label(names.get(id(tensor), "result"), tensor,
                                                         show_values, show_grads)))
    if tensor.grad_fn is None:
        return GraphDrawing(nodes, edges, engine)
    root = tensor.grad_fn
    edges.append((node_id(root), out_id, ""))
    seen = {id(root)}
    stack = [root]
    while stack:  # iterative walk: deep graphs are fine
        fn = stack.pop()
        if isinstance(fn, AccumulateGrad):
            v = fn.variable
            nodes.append(_Node(node_id(fn), "leaf",
                               _tensor_label(names.get(id(v), ""), v, show_values, show_grads)))
            continue
        nodes.append(_Node(node_id(fn), "op", [_op_name(fn)]))
        for edge in fn._edges:  # (node, output_nr, shape, dtype) per input, None for a number
            if edge is None or edge[0] is None:
                continue
            child, shape = edge[0], edge[2]
            label = str(tuple(shape)) if shape else ""
            edges.append((node_id(child), node_id(fn), label))
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return GraphDrawing(nodes, edges, engine)


# -- the built-in layout: layers by distance from the output, drawn as SVG ------------------

_W, _H, _GAP_X, _GAP_Y, _LINE = 150, 22, 30, 60, 14


def _builtin_svg(nodes: list, edges: list) -> str:
    parents: dict = {n.id: [] for n in nodes}  # node -> nodes it feeds
    for a, b, _ in edges:
        parents[a].append(b)
    depth = {}
    for n in nodes:  # longest path to the output, iteratively
        stack = [(n.id, False)]
        while stack:
            nid, done = stack.pop()
            if nid in depth:
                continue
            if done or not parents[nid]:
                depth[nid] = 1 + max((depth[p] for p in parents[nid]), default=-1)
            else:
                stack.append((nid, True))
                stack.extend((p, False) for p in parents[nid] if p not in depth)
    layers: dict = {}
    for n in nodes:
        layers.setdefault(depth[n.id], []).append(n)
    height = {n.id: _H + _LINE * (len(n.label) - 1) for n in nodes}
    widest = max(len(v) for v in layers.values())
    width = widest * (_W + _GAP_X) + _GAP_X
    pos, y = {}, _GAP_Y // 2
    for d in sorted(layers):
        row = layers[d]
        row_h = max(height[n.id] for n in row)
        offset = (width - len(row) * (_W + _GAP_X) + _GAP_X) / 2
        for i, n in enumerate(row):
            pos[n.id] = (offset + i * (_W + _GAP_X) + _W / 2, y + row_h / 2)
        y += row_h + _GAP_Y
    y -= _GAP_Y // 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{y:.0f}" '
             f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for a, b, label in edges:  # from a (lower, earlier) up to b
        (x1, y1), (x2, y2) = pos[a], pos[b]
        y1 -= height[a] / 2
        y2 += height[b] / 2
        parts.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                     f'y2="{y2:.1f}" stroke="#555" marker-end="url(#arrow)"/>')
        if label:
            parts.append(f'<text x="{(x1 + x2) / 2 + 4:.1f}" y="{(y1 + y2) / 2:.1f}" '
                         f'fill="#777" font-size="10">{html.escape(label)}</text>')
    fills = {"op": "#dddddd", "leaf": "#a9cbe8", "output": "#b7e1a1"}
    for n in nodes:
        x, yc = pos[n.id]
        h = height[n.id]
        if n.kind == "op":
            parts.append(f'<ellipse class="op" cx="{x:.1f}" cy="{yc:.1f}" rx="{_W / 2.6:.1f}" '
                         f'ry="{h / 2 + 2:.1f}" fill="{fills["op"]}" stroke="#333"/>')
        else:
            parts.append(f'<rect class="{n.kind}" x="{x - _W / 2:.1f}" y="{yc - h / 2:.1f}" '
                         f'width="{_W}" height="{h}" rx="4" fill="{fills[n.kind]}" '
                         'stroke="#333"/>')
        top = yc - _LINE * (len(n.label) - 1) / 2 + 4
        for k, line in enumerate(n.label):
            parts.append(f'<text x="{x:.1f}" y="{top + k * _LINE:.1f}" text-anchor="middle">'
                         f"{html.escape(line)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
