"""``ChannelShuffle``: interleave the channel groups of a grouped convolution (ShuffleNet;
see ``F.channel_shuffle``). No parameters."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class ChannelShuffle(Module):
    """(N, C, *) -> (N, C, *) with the C channels, seen as ``groups`` groups of C / groups,
    interleaved: [0 1 2 | 3 4 5] with 2 groups becomes [0 3 1 4 2 5]."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
