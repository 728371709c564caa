"""Convolution: ``nn.Conv2d(16, 32, 3, padding=1)`` forward and backward on 64x16x28x28.

nbtorch lays each sample's input patches out as columns (im2col, Numba), does one batched
BLAS matrix product forward and two backward, and adds the input gradient back with col2im
(Numba). Prints the median time of nbtorch and, when PyTorch is installed, of PyTorch in
the same run (both on ``--threads`` threads), and the ratio.
"""

from __future__ import annotations

from _common import interleaved, libraries, parser, report


def step_fn(lib, batch: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(16, 32, 3, padding=1)
    x = lib.randn(batch, 16, 28, 28, requires_grad=True)

    def run():
        conv(x).sum().backward()
        x.grad = conv.weight.grad = conv.bias.grad = None

    return run


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=15)
    p.add_argument("--batch", type=int, default=64)
    args = p.parse_args(argv)
    libs = libraries(args)
    times = interleaved({name: step_fn(lib, args.batch) for name, lib in libs.items()},
                        args.repeats)
    return report(f"conv2d {args.batch}x16x28x28 16->32 3x3", times, scale=1e3, unit="ms")


if __name__ == "__main__":
    main()
