"""Sampling an image at any points: ``affine_grid`` and ``grid_sample``, the two halves of a
spatial transformer network.

* ``affine_grid(theta, size)`` says *where* to look: for every output pixel, the point of
  the input it comes from, ``theta @ (x, y, 1)``, in normalised coordinates (-1 is the left
  or top edge of the input, +1 the right or bottom one).
* ``grid_sample(input, grid)`` *looks there*: each output pixel is the input interpolated
  at its grid point. Bilinear interpolation blends the four pixels around the point with
  weights that depend on how close it is to each; bicubic blends sixteen; nearest takes one.

Both are compositions of differentiable Tensor ops, so autograd (reverse and forward mode,
higher order) and the cuda device come for free: the neighbouring pixels are fetched with
``gather`` (its backward adds the output gradient into the pixels it read), and the weights
are arithmetic on the grid (so the gradient also reaches the grid, and through it
``theta``). The integer pixel positions themselves are computed on detached tensors: moving
a point slightly changes the weights, not which pixels it reads.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from .._tensor import Tensor

_CUBIC_A = -0.75  # the cubic convolution kernel PyTorch (and OpenCV) use
_ALIGN_CORNERS_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta`` (``torch.nn.functional.affine_grid``).

    ``theta`` (N, 2, 3) and ``size`` (N, C, H, W) give a grid (N, H, W, 2); ``theta``
    (N, 3, 4) and ``size`` (N, C, D, H, W) a grid (N, D, H, W, 3). ``grid[n, h, w]`` is
    ``theta[n] @ (x_w, y_h, 1)`` where (x_w, y_h) is output pixel (h, w) in normalised
    coordinates: from -1 to 1 across the image, at the centres of the corner pixels with
    ``align_corners=True`` and at the outer edges of the corner pixels with ``False`` (the
    default). The identity ``theta = [[1, 0, 0], [0, 1, 0]]`` gives a grid that
    ``grid_sample`` maps back to its input.
    """
    align_corners = _default_align_corners(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(n) for n in size)
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    k = len(size) - 2  # spatial dims
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(
            f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size "
            f"{size}. Got {theta.shape}."
        )
    if align_corners and min(size[2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(
            f"affine_grid(): expected theta and size to have the same batch size, but got "
            f"theta with sizes {list(theta.shape)} and size {list(size)}"
        )
    # Every output pixel as a row (x, y, [z,] 1): x runs along the last dim (width).
    axes = np.meshgrid(*[_positions(n, align_corners) for n in size[2:]], indexing="ij")
    base = np.stack([*reversed(axes), np.ones_like(axes[0])], axis=-1).reshape(-1, k + 1)
    base = Tensor._make(base).to(theta.device, theta.dtype)
    return (base @ theta.transpose(1, 2)).reshape(size[0], *size[2:], k)


def _positions(n: int, align_corners: bool) -> np.ndarray:
    """The normalised coordinates of the centres of ``n`` pixels in a row."""
    if n <= 1:
        return np.zeros(1)
    steps = np.linspace(-1.0, 1.0, n)
    return steps if align_corners else steps * (n - 1) / n


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` at the points of ``grid`` (``torch.nn.functional.grid_sample``).

    ``input`` (N, C, H, W) and ``grid`` (N, H_out, W_out, 2) give (N, C, H_out, W_out):
    ``grid[n, h, w] = (x, y)`` is the point of ``input[n]`` that output pixel (h, w) shows,
    in normalised coordinates (-1 left/top, +1 right/bottom; see ``affine_grid`` for what
    ``align_corners`` changes). 5-d inputs (N, C, D, H, W) with grids (..., 3) of (x, y, z)
    work alike (``mode='bicubic'`` is 4-d only).

    * ``mode``: ``'bilinear'`` (default) blends the 2x2 pixels around the point,
      ``'nearest'`` takes the closest one, ``'bicubic'`` blends 4x4 with cubic weights.
    * ``padding_mode``, what is read outside the image: ``'zeros'`` (default), ``'border'``
      (the nearest edge pixel) or ``'reflection'`` (the image mirrored at its edges).

    Gradients reach both ``input`` and ``grid`` (with ``'nearest'``, the grid's is zero).
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align_corners = _default_align_corners(align_corners)
    _check_grid_sample(input, grid, mode)
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])
    out_sizes = tuple(grid.shape[1:-1])
    points = int(np.prod(out_sizes))
    flat = input.reshape(n, c, int(np.prod(sizes)))
    k = len(sizes)
    # grid[..., 0] is x, along the last dim: the coordinate along spatial dim d is k-1-d.
    coords = [_unnormalize(grid[..., k - 1 - d].reshape(n, 1, points), size, align_corners)
              for d, size in enumerate(sizes)]
    taps_per_dim = [_taps(x, size, mode, padding_mode, align_corners)
                    for x, size in zip(coords, sizes)]
    out = None
    for taps in itertools.product(*taps_per_dim):  # every combination of one tap per dim
        term = _read(flat, [index for index, _ in taps], sizes)
        for _, weight in taps:
            term = term * weight
        out = term if out is None else out + term
    return out.reshape(n, c, *out_sizes)


def _default_align_corners(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, stacklevel=3)
        return False
    return bool(align_corners)


def _check_grid_sample(input: Tensor, grid: Tensor, mode: str) -> None:
    """PyTorch's checks, in its order."""
    if input.device != grid.device:
        raise RuntimeError(f"grid_sampler(): expected input and grid to be on same device, "
                           f"but input is on {input.device} and grid is on {grid.device}")
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}"
        )
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {d} being empty"
            )
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        wanted = 4 if input.dim() == 4 else 5
        raise RuntimeError(f"grid_sampler(): expected {wanted}D input and grid with same "
                           f"number of dimensions, but got {sizes}")
    if not input.is_floating_point():
        raise NotImplementedError(f"grid_sampler(): not implemented for {input.dtype} input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, "
                           f"but got input of dtype {input.dtype} and grid of {grid.dtype}")


def _unnormalize(x: Tensor, size: int, align_corners: bool) -> Tensor:
    """Normalised coordinate (-1 .. 1) -> pixel coordinate (0 .. size-1 at the centres)."""
    if align_corners:
        return (x + 1) / 2 * (size - 1)
    return ((x + 1) * size - 1) / 2


def _pad(x: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Move a pixel coordinate that lies outside the image to the point that
    ``padding_mode`` reads instead (``'zeros'`` leaves it: the reading gives 0 there)."""
    if padding_mode == "reflection":
        x = (_reflect(x, 0, 2 * (size - 1)) if align_corners
             else _reflect(x, -1, 2 * size - 1))
    if padding_mode == "zeros":
        return x
    return x.clamp(0, size - 1)


def _reflect(x: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Mirror ``x`` back and forth into [twice_low / 2, twice_high / 2]: the interval is
    repeated, every other copy flipped."""
    if twice_low == twice_high:
        return x * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    x = (x - low).abs()
    extra = x.fmod(span)
    flipped = (x.detach() / span).floor().fmod(2) == 1
    return (span - extra + low).where(flipped, extra + low)


def _taps(x: Tensor, size: int, mode: str, padding_mode: str, align_corners: bool) -> list:
    """Along one dim: the pixels a point at ``x`` reads, as (index, weight) pairs (the index
    a detached float tensor)."""
    if mode == "bicubic":  # the taps, not the point, are padded
        start = x.detach().floor()
        t = x - start
        weights = [_cubic_far(t + 1), _cubic_near(t), _cubic_near(1 - t), _cubic_far(2 - t)]
        return [(_pad(start + (i - 1), size, padding_mode, align_corners).floor(), w)
                for i, w in enumerate(weights)]
    x = _pad(x, size, padding_mode, align_corners)
    if mode == "nearest":  # round half to even, as PyTorch's nearbyint
        # The weight is 1, but still a function of the point, so that the grid gets the
        # zero gradient PyTorch gives it, rather than none.
        return [(x.detach().round(), x * 0 + 1)]
    left = x.detach().floor()
    return [(left, 1 - (x - left)), (left + 1, x - left)]


def _cubic_near(d: Tensor) -> Tensor:
    """The cubic convolution weight of a pixel at distance ``d`` <= 1."""
    a = _CUBIC_A
    return ((a + 2) * d - (a + 3)) * d * d + 1


def _cubic_far(d: Tensor) -> Tensor:
    """The cubic convolution weight of a pixel at distance 1 < ``d`` < 2."""
    a = _CUBIC_A
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a


def _read(flat: Tensor, indices: list, sizes: tuple) -> Tensor:
    """``flat`` (N, C, prod(sizes)) at the integer pixel ``indices`` (one (N, 1, P) tensor
    per spatial dim): (N, C, P), 0 where an index falls outside the image."""
    inside, position = None, None
    for index, size in zip(indices, sizes):
        ok = (index >= 0) & (index <= size - 1)
        inside = ok if inside is None else inside & ok
        index = index.clamp(0, size - 1)
        position = index if position is None else position * size + index
    n, c, _ = flat.shape
    values = flat.gather(2, position.long().expand(n, c, position.shape[-1]))
    return values.where(inside, 0.0)
