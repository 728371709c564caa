"""F.affine_grid and F.grid_sample: values and gradients (to the input, the grid and theta)
against PyTorch for every mode, padding mode and align_corners, in float64 and float32;
finite differences (gradcheck, forward mode too, and gradgradcheck) away from the kinks at
pixel positions; errors and warnings as PyTorch's.
"""

import itertools
import warnings

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import gradcheck, gradgradcheck
from nbtorch.nn import functional as F

MODES = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]
COMBINATIONS = list(itertools.product(MODES, PADDINGS, [False, True]))


def _arrays(input_shape, grid_shape, seed=0, spread=1.3):
    """A random input and a grid reaching ``spread`` (beyond the image when > 1)."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(input_shape),
            rng.uniform(-spread, spread, grid_shape))


def _sampled_with_grads(T, x, g, upstream, dtype, **kwargs):
    """grid_sample in library ``T``: the output and the gradients of sum(upstream * out)."""
    inp = T.tensor(x.astype(dtype), requires_grad=True)
    grid = T.tensor(g.astype(dtype), requires_grad=True)
    out = T.nn.functional.grid_sample(inp, grid, **kwargs)
    (out * T.tensor(upstream.astype(dtype))).sum().backward()
    return [out.detach().numpy(), inp.grad.numpy(), grid.grad.numpy()]


@pytest.mark.oracle
@pytest.mark.parametrize("mode, padding_mode, align_corners", COMBINATIONS)
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_grid_sample_matches_torch(torch, mode, padding_mode, align_corners, dtype, tol):
    x, g = _arrays((2, 3, 4, 5), (2, 6, 7, 2))
    upstream = np.random.default_rng(1).standard_normal((2, 3, 6, 7))
    kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    ours = _sampled_with_grads(nbtorch, x, g, upstream, dtype, **kwargs)
    theirs = _sampled_with_grads(torch, x, g, upstream, dtype, **kwargs)
    for name, got, want in zip(["output", "input grad", "grid grad"], ours, theirs):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.oracle
@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         list(itertools.product(["bilinear", "nearest"], PADDINGS,
                                                [False, True])))
def test_grid_sample_5d_matches_torch(torch, mode, padding_mode, align_corners):
    x, g = _arrays((1, 2, 3, 4, 3), (1, 2, 3, 2, 3), seed=2)
    upstream = np.random.default_rng(3).standard_normal((1, 2, 2, 3, 2))
    kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    ours = _sampled_with_grads(nbtorch, x, g, upstream, np.float64, **kwargs)
    theirs = _sampled_with_grads(torch, x, g, upstream, np.float64, **kwargs)
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.oracle
def test_grid_sample_of_one_pixel_wide_input_matches_torch(torch):
    x, g = _arrays((1, 2, 1, 3), (1, 2, 4, 2), seed=4)
    upstream = np.ones((1, 2, 2, 4))
    for mode, padding_mode, align_corners in COMBINATIONS:
        kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
        ours = _sampled_with_grads(nbtorch, x, g, upstream, np.float64, **kwargs)
        theirs = _sampled_with_grads(torch, x, g, upstream, np.float64, **kwargs)
        for got, want in zip(ours, theirs):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=str(kwargs))


@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         [c for c in COMBINATIONS if c[0] != "nearest"])
def test_grid_sample_gradcheck_input_and_grid(mode, padding_mode, align_corners):
    # Random points are almost surely away from the kinks (pixel positions, image edges).
    x, g = _arrays((1, 2, 3, 4), (1, 3, 2, 2), seed=5, spread=1.2)
    inp = nbtorch.tensor(x, requires_grad=True)
    grid = nbtorch.tensor(g, requires_grad=True)

    def sample(inp, grid):
        return F.grid_sample(inp, grid, mode, padding_mode, align_corners)

    assert gradcheck(sample, (inp, grid), check_forward_ad=True)
    assert gradgradcheck(sample, (inp, grid))


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_nearest_gradcheck(padding_mode):
    # the gradient of the grid is zero (finite differences agree away from the midpoints)
    x, g = _arrays((1, 2, 3, 4), (1, 3, 2, 2), seed=6)
    inp = nbtorch.tensor(x, requires_grad=True)
    grid = nbtorch.tensor(g, requires_grad=True)
    assert gradcheck(lambda inp, grid: F.grid_sample(inp, grid, "nearest", padding_mode, False),
                     (inp, grid), check_forward_ad=True)


def test_identity_grid_reproduces_the_input():
    x = np.random.default_rng(7).standard_normal((2, 3, 4, 5))
    theta = nbtorch.tensor([[[1.0, 0, 0], [0, 1, 0]]] * 2, dtype=nbtorch.float64)
    for align_corners in (False, True):
        grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=align_corners)
        for mode in MODES:
            out = F.grid_sample(nbtorch.tensor(x), grid, mode, align_corners=align_corners)
            np.testing.assert_allclose(out.numpy(), x, atol=1e-12, err_msg=mode)


def test_a_shift_by_one_pixel_moves_the_image():
    # align_corners=True: a pixel is 2 / (W - 1) apart; x + 1 pixel reads the right neighbour
    x = np.random.default_rng(8).standard_normal((1, 1, 3, 5))
    theta = nbtorch.tensor([[[1.0, 0, 2 / 4], [0, 1, 0]]], dtype=nbtorch.float64)
    grid = F.affine_grid(theta, (1, 1, 3, 5), align_corners=True)
    out = F.grid_sample(nbtorch.tensor(x), grid, align_corners=True).numpy()
    np.testing.assert_allclose(out[..., :-1], x[..., 1:], atol=1e-12)
    np.testing.assert_allclose(out[..., -1], 0, atol=1e-12)  # zeros padding


@pytest.mark.oracle
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (1, 2, 3, 1), (2, 3, 2, 3, 4)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(torch, size, align_corners):
    k = len(size) - 2
    theta = np.random.default_rng(9).standard_normal((size[0], k, k + 1))
    upstream = np.random.default_rng(10).standard_normal((*size[:1], *size[2:], k))
    results = []
    for T in (nbtorch, torch):
        th = T.tensor(theta, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unit-size grids with align_corners=True
            grid = T.nn.functional.affine_grid(th, size, align_corners=align_corners)
        (grid * T.tensor(upstream)).sum().backward()
        results.append((grid.detach().numpy(), th.grad.numpy()))
    for got, want in zip(*results):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_affine_grid_gradcheck():
    theta = nbtorch.tensor(np.random.default_rng(11).standard_normal((2, 2, 3)),
                           requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=False),
                     (theta,), check_forward_ad=True)


@pytest.mark.oracle
def test_spatial_transformer_gradient_reaches_theta_as_in_torch(torch):
    x = np.random.default_rng(12).standard_normal((2, 3, 5, 6))
    theta = np.random.default_rng(13).standard_normal((2, 2, 3)) * 0.3 + [[1, 0, 0], [0, 1, 0]]
    grads = []
    for T in (nbtorch, torch):
        th = T.tensor(theta, requires_grad=True)
        grid = T.nn.functional.affine_grid(th, (2, 3, 4, 4), align_corners=False)
        out = T.nn.functional.grid_sample(T.tensor(x), grid, align_corners=False)
        (out ** 2).sum().backward()
        grads.append(th.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


@pytest.mark.oracle
@pytest.mark.parametrize("input_shape, grid_shape", [
    ((0, 3, 4, 5), (0, 6, 7, 2)), ((2, 0, 4, 5), (2, 6, 7, 2)), ((2, 3, 4, 5), (2, 0, 7, 2)),
])
def test_empty_batch_channels_or_output(torch, input_shape, grid_shape):
    x, g = _arrays(input_shape, grid_shape)
    for mode in MODES:
        got = F.grid_sample(nbtorch.tensor(x), nbtorch.tensor(g), mode, align_corners=False)
        want = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g), mode,
                                               align_corners=False)
        assert tuple(got.shape) == tuple(want.shape)


# (id, a bad call, given the library)
BAD_CALLS = [
    ("mode", lambda T: T.nn.functional.grid_sample(T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2),
                                                   mode="area", align_corners=False)),
    ("padding", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2), padding_mode="circular", align_corners=False)),
    ("batch", lambda T: T.nn.functional.grid_sample(T.ones(2, 1, 2, 2), T.zeros(3, 1, 1, 2),
                                                    align_corners=False)),
    ("grid last dim", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 3), align_corners=False)),
    ("grid rank", lambda T: T.nn.functional.grid_sample(T.ones(1, 1, 2, 2), T.zeros(1, 1, 2),
                                                        align_corners=False)),
    ("3-d input", lambda T: T.nn.functional.grid_sample(T.ones(1, 2, 3), T.zeros(1, 2, 1),
                                                        align_corners=False)),
    ("empty spatial", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 0, 2), T.zeros(1, 1, 1, 2), align_corners=False)),
    ("bicubic 5-d", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 2, 2, 2), T.zeros(1, 1, 1, 1, 3), mode="bicubic", align_corners=False)),
    ("integer input", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 2, 2, dtype=T.int64), T.zeros(1, 1, 1, 2), align_corners=False)),
    ("dtypes differ", lambda T: T.nn.functional.grid_sample(
        T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2, dtype=T.float64), align_corners=False)),
    ("theta shape", lambda T: T.nn.functional.affine_grid(T.ones(2, 3, 3), (2, 3, 4, 5),
                                                          align_corners=False)),
    ("theta for 5-d", lambda T: T.nn.functional.affine_grid(T.ones(2, 2, 3), (2, 3, 4, 5, 6),
                                                            align_corners=False)),
    ("integer theta", lambda T: T.nn.functional.affine_grid(
        T.ones(2, 2, 3, dtype=T.int64), (2, 3, 4, 5), align_corners=False)),
    ("3-entry size", lambda T: T.nn.functional.affine_grid(T.ones(2, 2, 3), (2, 3, 4),
                                                           align_corners=False)),
    ("zero size", lambda T: T.nn.functional.affine_grid(T.ones(2, 2, 3), (2, 3, 0, 5),
                                                        align_corners=False)),
    ("theta batch", lambda T: T.nn.functional.affine_grid(T.ones(2, 2, 3), (3, 3, 4, 5),
                                                          align_corners=False)),
]


@pytest.mark.oracle
@pytest.mark.parametrize("call", [c[1] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_errors_as_torch(torch, call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(nbtorch)
    assert type(got.value) is type(want.value)


@pytest.mark.parametrize("call", [
    lambda **kw: F.grid_sample(nbtorch.arange(4.0).reshape(1, 1, 2, 2),
                               nbtorch.full((1, 1, 1, 2), 0.3), **kw),
    lambda **kw: F.affine_grid(nbtorch.ones(1, 2, 3), (1, 1, 2, 2), **kw),
])
def test_align_corners_left_out_warns_and_means_false(call):
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        out = call()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(out.numpy(), call(align_corners=False).numpy())
        assert not np.array_equal(out.numpy(), call(align_corners=True).numpy())
