"""``channel_shuffle``: mix the channels of grouped convolutions (ShuffleNet).

A grouped convolution with g groups splits the C channels into g groups that never see each
other. ShuffleNet (Zhang et al., 2017) interleaves the groups between two such layers, so
that each group of the next layer gets channels from every group of this one: view the
channels as a (g, C / g) grid, transpose it to (C / g, g) and read it out again. With
C = 6 and g = 2, channels [0 1 2 | 3 4 5] become [0 3 1 4 2 5].

A reshape, a transpose and a reshape: the gradient is the same shuffle run backwards.
"""

from __future__ import annotations

from .._tensor import Tensor


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the ``groups`` groups of the channels (dim 1) of (N, C, *) input:
    output channel ``j * groups + i`` is input channel ``i * (C // groups) + j``."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    grid = input.reshape(n, groups, c // groups, *rest)
    return grid.transpose(1, 2).reshape(n, c, *rest)


__all__ = ["channel_shuffle"]
