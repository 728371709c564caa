"""Cross entropy: ``F.cross_entropy(logits, labels)`` forward and backward on 4096x1000.

The loss of every classifier: log-softmax over 1000 classes, pick the target's entry, mean,
then the gradient softmax - onehot. nbtorch runs it as one fused op: two Numba passes
over the logits, no log-probability matrix stored (``cpu_kernels/softmax.py``). Prints the
median time of nbtorch and, when PyTorch is installed, of PyTorch in the same run (both on
``--threads`` threads), and the ratio.
"""

from __future__ import annotations

from _common import interleaved, libraries, parser, report


def step_fn(lib, rows: int, classes: int):
    """One forward+backward of the benchmark for a torch-like module ``lib``."""
    lib.manual_seed(0)
    logits = lib.randn(rows, classes, requires_grad=True)
    labels = lib.randint(0, classes, (rows,))
    cross_entropy = lib.nn.functional.cross_entropy

    def run():
        cross_entropy(logits, labels).backward()
        logits.grad = None

    return run


def main(argv=None) -> dict:
    p = parser(__doc__, repeats=20)
    p.add_argument("--rows", type=int, default=4096)
    p.add_argument("--classes", type=int, default=1000)
    args = p.parse_args(argv)
    libs = libraries(args)
    runs = {name: step_fn(lib, args.rows, args.classes) for name, lib in libs.items()}
    times = interleaved(runs, args.repeats)
    return report(f"softmax_ce {args.rows}x{args.classes}", times, scale=1e3, unit="ms",
                  digits=2)


if __name__ == "__main__":
    main()
