"""The widget explorers react to their controls (no browser needed)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets")

from nbtorch.viz import widgets  # noqa: E402


def test_playground_path_follows_the_optimizer():
    pg = widgets.gradient_descent_playground("elongated bowl", steps=50)
    start = pg.path[0].copy()
    pg.controls["optimizer"].value = "SGD"
    pg.controls["lr"].value = 0.1
    path = pg.path
    # plain gradient descent on 0.1x^2 + 2y^2 by hand
    p = start.copy()
    for _ in range(50):
        p = p - 0.1 * np.array([0.2 * p[0], 4 * p[1]])
    np.testing.assert_allclose(path[-1], p, rtol=1e-10)
    pg.controls["lr"].value = 0.0001
    assert np.abs(pg.path[-1] - start).max() < 0.05


def test_playground_stops_when_diverging():
    pg = widgets.gradient_descent_playground("elongated bowl", steps=200)
    pg.controls["optimizer"].value = "SGD"
    pg.controls["lr"].value = 1.0  # 1 - 4 * lr < -1: y oscillates and explodes
    assert len(pg.path) < 201


def test_activation_explorer_derivative_is_autograd():
    ex = widgets.activation_explorer()
    ex.controls["activation"].value = "tanh"
    np.testing.assert_allclose(ex.values, np.tanh(ex.x))
    np.testing.assert_allclose(ex.derivative, 1 - np.tanh(ex.x) ** 2, atol=1e-12)
    ex.controls["activation"].value = "relu"
    np.testing.assert_allclose(ex.derivative, (ex.x > 0).astype(float))


def test_convolution_explorer_applies_the_kernel():
    ex = widgets.convolution_explorer()
    ex.controls["preset"].value = "identity"
    np.testing.assert_allclose(ex.output, ex.image)
    ex.cells[4].value = 2.0  # centre weight: the output doubles
    np.testing.assert_allclose(ex.output, 2 * ex.image)
    ex.controls["preset"].value = "blur"
    padded = np.pad(ex.image, 1)
    expected = sum(padded[i:i + 28, j:j + 28] for i in range(3) for j in range(3)) / 9
    np.testing.assert_allclose(ex.output, expected, atol=1e-12)
