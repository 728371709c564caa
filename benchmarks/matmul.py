"""Matmul: ``(A @ B).sum().backward()`` on 1024x1024 float32 matrices.

Three matrix products (one forward, two backward) dominate; both libraries hand them to a
BLAS library, so the ratio shows how little the framework adds around them.
"""

from __future__ import annotations

from _common import interleaved, libraries, parser, report


def step_fn(lib, n: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    a = lib.randn(n, n, requires_grad=True)
    b = lib.randn(n, n, requires_grad=True)

    def run():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return run


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=15)
    p.add_argument("--size", type=int, default=1024)
    args = p.parse_args(argv)
    libs = libraries(args)
    times = interleaved({name: step_fn(lib, args.size) for name, lib in libs.items()},
                        args.repeats)
    return report(f"matmul {args.size}", times, scale=1e3, unit="ms")


if __name__ == "__main__":
    main()
