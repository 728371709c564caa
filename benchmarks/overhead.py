"""Per-op overhead: a 1,000-op chain of add/mul/tanh on shape-(4,) tensors, forward+backward.

On tensors this small the arithmetic is nothing; what is measured is the framework's own
work per operation (making the output tensor, recording the graph node, running backward).
Prints microseconds per op for nbtorch and, when PyTorch is installed, for PyTorch in the
same run, and the ratio.
"""

from __future__ import annotations

from _common import interleaved, libraries, parser, report


def chain(lib, n_ops: int):
    """Build the benchmark's function for a torch-like module ``lib``."""
    lib.manual_seed(0)
    x, a, b = (lib.randn(4, requires_grad=True) for _ in range(3))

    def run():
        y = x
        for i in range(n_ops):
            k = i % 3
            y = y + a if k == 0 else (y * b if k == 1 else y.tanh())
        y.sum().backward()
        x.grad = a.grad = b.grad = None

    return run


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=20)
    p.add_argument("--ops", type=int, default=1000)
    args = p.parse_args(argv)
    libs = libraries(args)
    times = interleaved({name: chain(lib, args.ops) for name, lib in libs.items()},
                        args.repeats)
    return report("overhead", times, scale=1e6 / args.ops, unit="us/op", digits=2)


if __name__ == "__main__":
    main()
