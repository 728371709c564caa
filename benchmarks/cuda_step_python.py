"""nbtorch's own Python per cuda training step, measured without a GPU: kernels not run.

On a GPU, a small model's training step is bound by the CPU: nbtorch's Python for every op
(autograd, shapes, allocation) plus Numba's for every kernel launch. This script measures
the first part and counts the launches, on any machine: it runs the MLP step of
``gpu_check.py`` (784-256-128-10, batch 64, SGD with momentum) on the CUDA simulator with
every kernel launch replaced by a no-op, so what is timed is nbtorch's code alone (the
numbers the kernels would compute are garbage and ignored). Use it to see whether a change
makes the cuda path lighter before a GPU is at hand::

    python benchmarks/cuda_step_python.py --steps 300
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ["NUMBA_ENABLE_CUDASIM"] = "1"  # before numba is imported

import numpy as np  # noqa: E402

import nbtorch  # noqa: E402


def stub_launches():
    """Make every kernel launch of the simulator do nothing (device functions still run)."""
    from numba.cuda.simulator.kernel import FakeCUDAKernel

    original = FakeCUDAKernel.__call__

    def launch(self, *args):
        return original(self, *args) if self._device else None

    FakeCUDAKernel.__call__ = launch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300, help="timed steps per repetition")
    p.add_argument("--repeats", type=int, default=5, help="repetitions (the median is shown)")
    args = p.parse_args()
    stub_launches()
    nn = nbtorch.nn
    nbtorch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                          nn.ReLU(), nn.Linear(128, 10)).cuda()
    opt = nbtorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    X = nbtorch.tensor(rng.standard_normal((640, 1, 28, 28)).astype(np.float32)).cuda()
    Y = nbtorch.tensor(rng.integers(0, 10, 640)).cuda()

    def run(steps: int) -> None:
        for i in range(steps):
            j = i % 10
            xb, yb = X[j * 64:(j + 1) * 64], Y[j * 64:(j + 1) * 64]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

    run(3)  # the momentum buffers are made in the first step
    with nbtorch.cuda.count_launches() as launches:
        run(1)
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run(args.steps)
        times.append((time.perf_counter() - t0) / args.steps)
    print(f"nbtorch's Python per cuda MLP step (kernels not run): "
          f"{statistics.median(times) * 1e6:.0f} us (median of {args.repeats}); "
          f"{sum(launches.values())} kernel launches per step")


if __name__ == "__main__":
    main()
