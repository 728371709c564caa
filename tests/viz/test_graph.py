"""draw_graph: the nodes and edges it finds, its DOT text and its built-in SVG."""

import xml.etree.ElementTree as ET

import pytest

import nbtorch
from nbtorch.viz.graph import draw_graph

SVG = "{http://www.w3.org/2000/svg}"


def course_graph():
    """The course notes' example: y = sin(x * a + b)."""
    x, a, b = (nbtorch.tensor(v, requires_grad=True) for v in (2.0, 3.0, 1.0))
    y = (x * a + b).tanh()
    return y, dict(x=x, a=a, b=b)


def test_finds_operations_and_leaves():
    y, params = course_graph()
    d = draw_graph(y, params)
    ops = [n.label[0] for n in d.nodes if n.kind == "op"]
    leaves = sorted(n.label[0].split()[0] for n in d.nodes if n.kind == "leaf")
    assert sorted(ops) == ["Add", "Mul", "Tanh"]
    assert leaves == ["a", "b", "x"]
    assert len(d.edges) == 6  # x,a -> Mul -> Add <- b; Add -> Tanh -> result


def test_edges_point_forward_from_inputs_to_result():
    y, params = course_graph()
    d = draw_graph(y, params)
    label = {n.id: n.label[0].split()[0] for n in d.nodes}
    pairs = {(label[a], label[b]) for a, b, _ in d.edges}
    assert ("x", "Mul") in pairs and ("Mul", "Add") in pairs and ("Tanh", "result") in pairs


def test_gradients_appear_after_backward():
    y, params = course_graph()
    assert not any("grad" in line for n in draw_graph(y, params).nodes for line in n.label)
    y.backward()
    d = draw_graph(y, params)
    x_node = next(n for n in d.nodes if n.label[0].startswith("x"))
    assert any(line.startswith("grad") for line in x_node.label)
    assert "grad" not in " ".join(draw_graph(y, params, show_grads=False).nodes[-1].label)


def test_source_is_deterministic_dot():
    y1, p1 = course_graph()
    y2, p2 = course_graph()
    assert draw_graph(y1, p1).source == draw_graph(y2, p2).source
    assert draw_graph(y1, p1).source.startswith("digraph autograd {")
    assert "0x" not in draw_graph(y1, p1).source


def test_builtin_svg_is_wellformed_with_one_shape_per_node():
    y, params = course_graph()
    d = draw_graph(y, params, engine="builtin")
    root = ET.fromstring(d.svg)
    assert root.tag == SVG + "svg"
    ellipses = root.findall(f"{SVG}ellipse")
    rects = root.findall(f"{SVG}rect")
    lines = root.findall(f"{SVG}line")
    assert len(ellipses) == 3 and len(rects) == 4 and len(lines) == len(d.edges)


def test_large_graphs_and_tensors_without_history():
    x = nbtorch.ones(3, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y * 1.0
    d = draw_graph(y, engine="builtin")
    assert sum(n.kind == "op" for n in d.nodes) == 2000
    plain = draw_graph(nbtorch.ones(2))
    assert len(plain.nodes) == 1 and plain.edges == []


def test_bad_engine_is_rejected():
    y, _ = course_graph()
    with pytest.raises(ValueError, match="engine"):
        draw_graph(y, engine="matplotlib")
