"""viz.trace: evaluation traces (Baydin et al. 2018, Tables 2 and 3) recorded from real runs."""

import math
import unicodedata

import numpy as np
import pytest

import nbtorch
from nbtorch import viz


def course_f(x1, x2):
    return nbtorch.log(x1) + x1 * x2 - nbtorch.sin(x2)


Y = math.log(2) + 2 * 5 - math.sin(5)


def test_forward_trace_of_course_example():
    t = viz.trace(course_f, 2.0, 5.0, mode="forward")
    assert t.value.item() == pytest.approx(Y)
    assert f"{t.value.item():.3f}" == "11.652"
    assert t.derivative.item() == pytest.approx(5.5)
    names = [v.name for v in t.variables]
    assert names == ["v₋₁", "v₀", "v₁", "v₂", "v₃", "v₄", "v₅", "y"]
    ops = [v.expr for v in t.variables]
    assert ops[2:6] == ["ln v₋₁", "v₋₁ × v₀", "v₁ + v₂", "sin v₀"]
    tangents = [v.deriv.item() for v in t.variables]
    assert tangents == pytest.approx([1, 0, 0.5, 5, 5.5, 0, 5.5, 5.5])


def test_forward_trace_with_respect_to_the_second_input():
    t = viz.trace(course_f, 2.0, 5.0, wrt=1)
    assert t.derivative.item() == pytest.approx(2 - math.cos(5))


def test_reverse_trace_gives_both_partials_in_one_sweep():
    t = viz.trace(course_f, 2.0, 5.0, mode="reverse")
    assert t.value.item() == pytest.approx(Y)
    d1, d2 = t.derivative
    assert d1.item() == pytest.approx(5.5)
    assert d2.item() == pytest.approx(2 - math.cos(5))
    adjoints = {v.name: v.deriv.item() for v in t.variables}
    assert adjoints["v₄"] == pytest.approx(-1)  # v5 = v3 - v4
    assert adjoints["v₂"] == pytest.approx(1)


def test_text_and_html_tables():
    t = viz.trace(course_f, 2.0, 5.0)
    text = str(t)
    assert "v₁ = ln v₋₁" in text and "11.652" in text and "5.500" in text
    lines = text.splitlines()[1:]  # under the title, the right-aligned last column lines up
    widths = {sum(not unicodedata.combining(c) for c in line) for line in lines}
    assert len(widths) == 1
    html = t._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == len(t.variables) + 2
    reverse = viz.trace(course_f, 2.0, 5.0, mode="reverse")
    assert "v̄₋₁ = v̄₁/v₋₁ + v̄₂ × v₀" in str(reverse)
    assert "Reverse adjoint trace" in reverse._repr_html_()


def test_trace_follows_the_function_it_runs():
    t = viz.trace(lambda x: nbtorch.exp(x * x) / 2, nbtorch.tensor([1.0, 2.0]), mode="reverse")
    assert [v.expr for v in t.variables[1:3]] == ["v₀ × v₀", "exp v₁"]
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(t.derivative[0].numpy(), x * np.exp(x * x))


def test_bad_mode():
    with pytest.raises(ValueError, match="mode must be"):
        viz.trace(course_f, 2.0, 5.0, mode="sideways")
