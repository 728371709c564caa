"""Checker of exercise 5 (chapter 06, nn.Module): a custom layer ``LowRankLinear``."""

from __future__ import annotations

import math

import numpy as np

from ._feedback import as_numpy, expect_close, expect_equal, fail, run_parts


def _layer(Layer, *args, **kwargs):
    import nbtorch

    nbtorch.manual_seed(0)
    layer = Layer(*args, **kwargs)
    if not isinstance(layer, nbtorch.nn.Module):
        fail(f"{type(layer).__name__} should be a subclass of nn.Module")
    return layer


def _parameters(Layer) -> None:
    import nbtorch

    layer = _layer(Layer, 6, 4, rank=2)
    names = {n: tuple(p.shape) for n, p in layer.named_parameters()}
    expect_equal("dict(name: shape) of layer.named_parameters() for LowRankLinear(6, 4, "
                 "rank=2)", names, {"U": (4, 2), "V": (2, 6), "bias": (4,)})
    for name, p in layer.named_parameters():
        if not isinstance(p, nbtorch.nn.Parameter):
            fail(f"layer.{name} should be an nn.Parameter")


def _init(Layer) -> None:
    layer = _layer(Layer, 400, 300, rank=50)
    for name, fan_in in [("U", 50), ("V", 400), ("bias", 400)]:
        w = as_numpy(getattr(layer, name))
        bound = 1 / math.sqrt(fan_in)
        if np.abs(w).max() > bound:
            fail(f"layer.{name} has a value {np.abs(w).max():.4g} outside the bound "
                 f"1/sqrt({fan_in}) = {bound:.4g}")
        if w.std() < 0.8 * bound / math.sqrt(3):
            fail(f"layer.{name} has standard deviation {w.std():.4g}: values from "
                 f"U(-{bound:.4g}, {bound:.4g}) would give about {bound / math.sqrt(3):.4g}")


def _forward(Layer) -> None:
    import nbtorch

    layer = _layer(Layer, 5, 3, rank=2)
    x = np.random.default_rng(5).normal(size=(4, 5)).astype(np.float32)
    U, V, b = (as_numpy(getattr(layer, n)) for n in ("U", "V", "bias"))
    expect_close("layer(x) for x of shape (4, 5)", layer(nbtorch.tensor(x)),
                 x @ V.T @ U.T + b, rtol=1e-4, atol=1e-5)


def _no_bias(Layer) -> None:
    layer = _layer(Layer, 5, 3, rank=2, bias=False)
    if layer.bias is not None:
        fail("with bias=False, layer.bias should be None")
    expect_equal("parameter names with bias=False",
                 sorted(n for n, _ in layer.named_parameters()), ["U", "V"])


def ex5(Layer, part: str | None = None) -> None:
    """Check your ``LowRankLinear`` (exercise 5, chapter 06).

    Parts: ``parameters`` (names, shapes, nn.Parameter), ``init`` (uniform in
    ±1/sqrt(fan_in) of each factor), ``forward`` (x V^T U^T + b), ``no_bias``.
    """
    parts = {"parameters": _parameters, "init": _init, "forward": _forward,
             "no_bias": _no_bias}
    run_parts("ex5", {name: (lambda f=f: f(Layer)) for name, f in parts.items()}, part)
