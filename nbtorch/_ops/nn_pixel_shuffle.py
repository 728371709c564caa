"""``pixel_shuffle`` and ``pixel_unshuffle``: trade channels for resolution.

``pixel_shuffle`` with factor r turns (*, C r^2, H, W) into (*, C, H r, W r): each group of
r^2 channels becomes the r x r sub-pixels of one output pixel (the "sub-pixel convolution"
of super-resolution networks: a convolution to C r^2 channels, then this, upsamples by r).
``pixel_unshuffle`` is its inverse. Both are a reshape, a permutation of dims and a
reshape, so their gradients are the same rearrangement run backwards.
"""

from __future__ import annotations

from .._tensor import Tensor


def _check(input: Tensor, factor: int, name: str, what: str) -> None:
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = ``upscale_factor``:
    ``out[..., c, h r + i, w r + j] = input[..., c r^2 + i r + j, h, w]``."""
    r = upscale_factor
    _check(input, r, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = ``downscale_factor``: the inverse of
    ``pixel_shuffle``."""
    r = downscale_factor
    _check(input, r, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = input.shape
    for side, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {side} to be divisible by downscale_factor, but "
                f"input.size({dim})={size} is not divisible by {r}"
            )
    k = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return x.reshape(*batch, c * r * r, h // r, w // r)


__all__ = ["pixel_shuffle", "pixel_unshuffle"]

TENSOR_METHODS: dict = {}
