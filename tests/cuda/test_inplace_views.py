"""In-place changes through views on cuda: the CopySlices and AsStrided views of
``nbtorch/_ops/inplace_view.py`` on device arrays give the CPU's values and gradients."""

import numpy as np
import pytest

import nbtorch

pytestmark = pytest.mark.cuda

X = np.arange(12.0).reshape(3, 4) / 7 - 0.5
V = np.array([1.5, -2.0, 0.25, 3.0])


def through_a_slice(x, v):
    y = x * 2
    z = y[1:]
    z += v
    return (y * y).sum()


def a_view_before_the_base_changes(x, v):
    y = x * 2
    first, col = y[0], y[:, 1]
    y.mul_(v)
    return (first * col[0]).sum() + y.sum() + (col**2).sum()


def columns_and_a_flat_view(x, v):
    y = x * 1
    y[:, 1] *= v[:3]
    y.view(-1)[3:7].add_(v)
    return (y**3).sum()


def an_expanded_view_before_a_change(x, v):
    y = x * 2
    wide = y.expand(2, 3, 4)
    y.mul_(v)
    return (wide * wide).sum()


@pytest.mark.parametrize("case", [through_a_slice, a_view_before_the_base_changes,
                                  columns_and_a_flat_view, an_expanded_view_before_a_change],
                         ids=lambda c: c.__name__)
def test_in_place_changes_through_views_equal_the_cpus(case):
    results = []
    for device in ("cpu", "cuda"):
        x = nbtorch.tensor(X, dtype=nbtorch.float32, device=device, requires_grad=True)
        v = nbtorch.tensor(V, dtype=nbtorch.float32, device=device, requires_grad=True)
        out = case(x, v)
        out.backward()
        results.append([out.item(), x.grad.cpu().numpy(), v.grad.cpu().numpy()])
    for on_cpu, on_cuda in zip(*results):
        np.testing.assert_allclose(on_cuda, on_cpu, rtol=1e-5, atol=1e-6)
