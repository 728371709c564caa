"""Check nbtorch's CUDA kernels against the CPU and time them against PyTorch on one GPU.

Run on a machine with an NVIDIA GPU (``python benchmarks/gpu_check.py``), or under the
simulator with tiny sizes (``NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu_check.py --small``).

1. Correctness: every kernel family on large inputs, cuda result vs numpy on the CPU
   (max relative error printed; NaN or a large error fails).
2. Speed: matmul 4096 float32 (each tile configuration of our kernel), conv2d, and a
   training epoch of an MLP and of LeNet-5 on synthetic MNIST-shaped data, for nbtorch on
   cuda, PyTorch on the same GPU (when installed with CUDA) and nbtorch on the CPU.
   GPU times are taken after ``synchronize()``; each is the median of a few runs after a
   warm-up (the warm-up also compiles the kernels).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
import traceback

import numpy as np

import nbtorch


def _torch_cuda():
    try:
        import torch

        return torch if torch.cuda.is_available() else None
    except ImportError:
        return None


def timed(fn, sync, repeat: int = 3) -> float:
    """Median seconds of ``fn()`` after one warm-up run."""
    fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# -- 1. correctness -----------------------------------------------------------------------


def correctness(small: bool) -> list:
    from nbtorch._backend import cpu
    from nbtorch._backend import cuda as B
    from nbtorch._backend.cpu_kernels import conv as cpu_conv
    from nbtorch._backend.cpu_kernels import pool as cpu_pool
    from nbtorch._backend.cuda import conv, pool

    rng = np.random.default_rng(0)
    n = 32 if small else 2048
    a = rng.standard_normal((n, n // 2)).astype(np.float32)
    b = rng.standard_normal((n // 2,)).astype(np.float32)
    da, db = B.from_numpy(a), B.from_numpy(b)
    m = 48 if small else 1000
    x = rng.standard_normal((2 if small else 64, 3, 8 if small else 32, 8 if small else 32))
    x = x.astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    idx = rng.integers(0, n, n * 2)

    def conv_ref():
        N, C, H, W = x.shape
        cols = np.empty((C, 3, 3, N, H - 2, W - 2), np.float32)
        cpu_conv.im2col(x, 3, 3, 1, 1, 1, 1, H - 2, W - 2, cols)
        return cols

    def col2im_ref():
        out = np.zeros_like(x)
        cpu_conv.col2im(conv_ref(), 1, 1, 1, 1, out)
        return out

    def pool_ref():
        N, C, H, W = x.shape
        out, where = np.empty((N, C, H // 2, W // 2), np.float32), np.empty(
            (N, C, H // 2, W // 2), np.int64)
        cpu_pool.max_pool2d(x, 2, 2, 2, 2, 0, 0, 1, 1, out, where)
        return out

    def pool_cuda():
        N, C, H, W = x.shape
        out = B.empty((N, C, H // 2, W // 2), np.float32)
        pool.max_pool2d(B.from_numpy(x), 2, 2, 2, 2, 0, 0, 1, 1, out,
                        B.empty(out.shape, np.int64))
        return out

    def add_at_ref():
        out = np.zeros(n, np.float32)
        np.add.at(out, idx, np.ones(idx.size, np.float32))
        return out

    def add_at_cuda():
        out = B.zeros(n, np.float32)
        B.index_add_at(out, B.from_numpy(idx), B.ones(idx.size, np.float32))
        return out

    def sgd_step(backend, arrays):
        """One fused SGD-with-momentum update (Nesterov, weight decay); the new parameter."""
        p, g, buf = (backend.from_numpy(v.copy()) if backend is B else v.copy()
                     for v in arrays)
        backend.sgd_momentum_(p, g, buf, 0.1, 0.9, 0.0, 0.01, True, False)
        return p

    sgd_arrays = (a.reshape(-1), a[::-1].reshape(-1), a[:, ::-1].reshape(-1))

    # the fused ops of a training step: linear (bias in the product), its weight and bias
    # gradients from one product, ReLU's backward, cross entropy forward and backward
    k = 16 if small else 256
    bias = rng.standard_normal(k).astype(np.float32)
    t = rng.integers(0, a.shape[1], n)
    a64 = a.astype(np.float64)

    def row_sums_cuda():
        prod, sums = B.matmul_and_row_sums(da.T, da[:, :k])
        return B.concatenate([prod.reshape(-1), sums])

    def cross_entropy_cuda():
        loss, lse = B.cross_entropy_rows(da, B.from_numpy(t), 1 / n)
        grad = B.cross_entropy_rows_backward(da, lse, B.from_numpy(t), B.full((), 2.0,
                                                                              np.float32), 1 / n)
        return B.concatenate([loss, grad.reshape(-1)])

    def cross_entropy_ref():
        m = a64.max(1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(a64 - m).sum(1))
        grad = np.exp(a64 - lse[:, None])
        grad[np.arange(n), t] -= 1
        return np.concatenate([(lse - a64[np.arange(n), t]) / n, (2.0 / n * grad).reshape(-1)])

    t10 = rng.integers(0, 10, n)  # a classifier's short rows: the mean's one-launch kernel

    def cross_entropy_mean_cuda():
        total, lse = B.cross_entropy_sum(da[:, :10], B.from_numpy(t10), 1 / n)
        return B.concatenate([total.reshape(1), lse])

    def cross_entropy_mean_ref():
        x10 = a64[:, :10]
        m = x10.max(1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(x10 - m).sum(1))
        return np.concatenate([[(lse - x10[np.arange(n), t10]).mean()], lse])

    e = np.exp(a - a.max(1, keepdims=True))
    cases = [
        ("exp (strided view)", lambda: B.exp(da[:, ::2]), lambda: np.exp(a[:, ::2])),
        ("tanh", lambda: B.tanh(da), lambda: np.tanh(a)),
        ("add, broadcast row", lambda: da + db, lambda: a + b),
        ("maximum with 0 (relu)", lambda: B.maximum(da, 0), lambda: np.maximum(a, 0)),
        ("where", lambda: B.where(da > 0, da, db), lambda: np.where(a > 0, a, b)),
        ("sum over rows", lambda: B.sum(da, axis=0), lambda: a.sum(0, dtype=np.float64)),
        ("sum over columns", lambda: B.sum(da, axis=1), lambda: a.sum(1, dtype=np.float64)),
        ("sum of all", lambda: B.sum(da), lambda: a.sum(dtype=np.float64)),
        ("max over columns", lambda: B.max(da, axis=1), lambda: a.max(1)),
        ("argmax over columns", lambda: B.argmax(da, axis=1), lambda: a.argmax(1)),
        ("cumsum", lambda: B.cumsum(da[:m, :8], axis=0), lambda: np.cumsum(a[:m, :8], 0)),
        ("matmul A @ A.T", lambda: da @ da.T, lambda: a.astype(np.float64) @ a.T),
        ("batched matmul", lambda: B.matmul(da.reshape(4, -1, n // 2), da[: n // 2].T),
         lambda: a.astype(np.float64).reshape(4, -1, n // 2) @ a[: n // 2].T),
        ("transpose copy", lambda: B.ascontiguousarray(da.T), lambda: a.T),
        ("gather a[idx]", lambda: da[B.from_numpy(idx)], lambda: a[idx]),
        ("scatter add.at", add_at_cuda, add_at_ref),
        ("im2col 3x3", lambda: conv.im2col(B.from_numpy(x), 3, 3, 1, 1, 1, 1,
                                           x.shape[2] - 2, x.shape[3] - 2), conv_ref),
        ("col2im 3x3", lambda: conv.col2im(B.from_numpy(conv_ref()), 1, 1, 1, 1,
                                           B.zeros(x.shape, np.float32)), col2im_ref),
        ("conv2d 3x3 pad 1", lambda: conv.conv2d(B.from_numpy(x), B.from_numpy(w),
                                                 padding=(1, 1)),
         lambda: _conv_reference(x, w)),
        ("max_pool2d 2x2", pool_cuda, pool_ref),
        ("softmax rows", lambda: B.softmax(da), lambda: e / e.sum(1, keepdims=True)),
        ("sgd momentum update", lambda: sgd_step(B, sgd_arrays),
         lambda: sgd_step(cpu, sgd_arrays)),
        ("linear, bias in the product", lambda: B.linear(da, da[:k], B.from_numpy(bias)),
         lambda: a64 @ a64[:k].T + bias),
        ("matmul and row sums", row_sums_cuda,
         lambda: np.concatenate([(a64.T @ a64[:, :k]).reshape(-1), a64.T.sum(1)])),
        ("relu backward", lambda: B.relu_backward(da, da[::-1]), lambda: a * (a[::-1] > 0)),
        ("cross entropy fwd + bwd", cross_entropy_cuda, cross_entropy_ref),
        ("cross entropy, 10 classes", cross_entropy_mean_cuda, cross_entropy_mean_ref),
    ]
    rows = []
    for name, on_gpu, on_cpu in cases:
        try:
            got = on_gpu().get().astype(np.float64)
            want = np.asarray(on_cpu(), dtype=np.float64)
            err = float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
            ok = got.shape == want.shape and err < 1e-4
            rows.append((name, "PASS" if ok else "FAIL", f"{err:.1e}"))
        except Exception as exc:  # report and go on: one broken kernel must not hide others
            rows.append((name, "ERROR", f"{type(exc).__name__}: {exc}"[:60]))
            traceback.print_exc()
    u = _random_check(2_000 if small else 100_000)
    rows.append(("random uniform/normal", "PASS" if u else "FAIL", ""))
    return rows


def _random_check(n: int) -> bool:
    from nbtorch._backend.cuda import random

    random.manual_seed(1)
    u = random.uniform((n,)).get()
    z = random.normal((n,)).get()
    tol = 3 / n**0.5
    return bool(0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < tol
                and abs(z.std() - 1) < 3 * tol)


def _conv_reference(x, w):
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(np.float64)
    H, W = x.shape[2:]
    out = 0
    for i in range(3):
        for j in range(3):
            out = out + np.einsum("nchw,oc->nohw", xp[:, :, i:i + H, j:j + W], w[:, :, i, j])
    return out


# -- 2. speed -------------------------------------------------------------------------------


def bench_matmul(size: int, torch) -> list:
    import importlib

    mm = importlib.import_module("nbtorch._backend.cuda.matmul")  # the module, not the function

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(np.float32)
    b = rng.standard_normal((size, size)).astype(np.float32)
    flops = 2 * size**3
    rows = []
    ga, gb = nbtorch.tensor(a).cuda(), nbtorch.tensor(b).cuda()
    default = mm.config
    for name in ([default] if mm.config == "sim" else ["64x64", "128x128"]):
        mm.config = name
        t = timed(lambda: ga @ gb, nbtorch.cuda.synchronize, repeat=1 if size < 100 else 3)
        rows.append((f"matmul {size} f32, nbtorch cuda (tiles {name})", t, flops / t / 1e12))
    mm.config = default
    if torch is not None:
        ta, tb = torch.tensor(a, device="cuda"), torch.tensor(b, device="cuda")
        t = timed(lambda: ta @ tb, torch.cuda.synchronize, repeat=10)
        rows.append((f"matmul {size} f32, torch cuda (cuBLAS)", t, flops / t / 1e12))
    ca, cb = nbtorch.tensor(a), nbtorch.tensor(b)
    t = timed(lambda: ca @ cb, lambda: None, repeat=1)
    rows.append((f"matmul {size} f32, nbtorch cpu (BLAS)", t, flops / t / 1e12))
    return rows


def bench_small_op(torch) -> list:
    """One small elementwise op (64 x 256 + 1.0): almost all of its time is the launch."""
    a = np.ones((64, 256), np.float32)
    rows = []
    ga = nbtorch.tensor(a).cuda()
    t = timed(lambda: [ga + 1.0 for _ in range(100)], nbtorch.cuda.synchronize) / 100
    rows.append(("one small op (64 x 256) + 1.0, nbtorch cuda", t, None))
    if torch is not None:
        ta = torch.tensor(a, device="cuda")
        t = timed(lambda: [ta + 1.0 for _ in range(100)], torch.cuda.synchronize) / 100
        rows.append(("one small op (64 x 256) + 1.0, torch cuda", t, None))
    return rows


def bench_conv(small: bool, torch) -> list:
    from nbtorch._backend.cuda import conv

    rng = np.random.default_rng(0)
    shape = (2, 2, 5, 5) if small else (64, 32, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((3 if small else 64, shape[1], 3, 3)).astype(np.float32)
    label = f"conv2d {shape}x{w.shape}"
    rows = []
    gx, gw = nbtorch.tensor(x).cuda(), nbtorch.tensor(w).cuda()
    t = timed(lambda: conv.conv2d(gx._array, gw._array, padding=(1, 1)),
              nbtorch.cuda.synchronize, repeat=1 if small else 3)
    rows.append((f"{label}, nbtorch cuda", t, None))
    if torch is not None:
        tx, tw = torch.tensor(x, device="cuda"), torch.tensor(w, device="cuda")
        t = timed(lambda: torch.nn.functional.conv2d(tx, tw, padding=1),
                  torch.cuda.synchronize, repeat=10)
        rows.append((f"{label}, torch cuda (cuDNN)", t, None))
    cx, cw = nbtorch.tensor(x), nbtorch.tensor(w)
    t = timed(lambda: nbtorch.nn.functional.conv2d(cx, cw, padding=1), lambda: None, repeat=1)
    rows.append((f"{label}, nbtorch cpu", t, None))
    return rows


def _mlp(lib, side=28, hidden=(256, 128)):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(side * side, hidden[0]), nn.ReLU(),
                         nn.Linear(hidden[0], hidden[1]), nn.ReLU(), nn.Linear(hidden[1], 10))


def _tiny_mlp(lib):
    return _mlp(lib, side=4, hidden=(8, 8))


def _lenet(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def epoch_time(lib, make_model, device: str, n: int, steps: int | None, sync,
               side: int = 28, targets_made_on_device: bool = False) -> float:
    """Seconds for one epoch of SGD (batch 64) on ``n`` synthetic images, data on
    ``device``; with ``steps`` given, that many steps are timed and scaled to the epoch.
    ``targets_made_on_device``: the class indices are computed on the device (``+ 0``), so
    the host does not know their range and cross_entropy reads them back at every step."""
    rng = np.random.default_rng(0)
    X = lib.tensor(rng.standard_normal((n, 1, side, side)).astype(np.float32)).to(device)
    Y = lib.tensor(rng.integers(0, 10, n)).to(device)
    if targets_made_on_device:
        Y = Y + 0
    lib.manual_seed(0)
    model = make_model(lib).to(device)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    total_steps = n // 64
    run_steps = total_steps if steps is None else min(steps, total_steps)

    def run(k):
        total = 0.0
        for i in range(k):
            xb, yb = X[i * 64:(i + 1) * 64], Y[i * 64:(i + 1) * 64]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total = total + loss.detach()
        return float(total) / max(k, 1)

    run(2)  # warm-up: compiles the kernels
    sync()
    t0 = time.perf_counter()
    run(run_steps)
    sync()
    return (time.perf_counter() - t0) * total_steps / run_steps


def launches_per_step(make_model, side: int) -> str:
    """How many kernels one nbtorch training step (batch 64) launches on cuda, by phase:
    on a GPU each launch costs tens of microseconds of Python, so this explains the epoch
    times below."""
    from nbtorch._backend.cuda.runtime import count_launches

    rng = np.random.default_rng(0)
    x = nbtorch.tensor(rng.standard_normal((64, 1, side, side)).astype(np.float32)).cuda()
    y = nbtorch.tensor(rng.integers(0, 10, 64)).cuda()
    model = make_model(nbtorch).cuda()
    opt = nbtorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nbtorch.nn.CrossEntropyLoss()
    parts = {}
    for _ in range(2):  # the first step makes the momentum buffers
        opt.zero_grad()
        with count_launches() as forward:
            loss = loss_fn(model(x), y)
        with count_launches() as backward:
            loss.backward()
        with count_launches() as update:
            opt.step()
        parts = {"forward + loss": forward, "backward": backward, "optimizer": update}
    total = sum(sum(c.values()) for c in parts.values())
    return f"{total} launches per step (" + ", ".join(
        f"{name} {sum(c.values())}" for name, c in parts.items()) + ")"


@contextlib.contextmanager
def _numba_launch(on: bool):
    """With ``on``, nbtorch launches kernels through numba-cuda's own path instead of its
    FastLauncher (``nbtorch/_backend/cuda/launcher.py``) inside the block."""
    if not on:
        yield
        return
    from nbtorch._backend.cuda import launcher, runtime

    enabled = launcher.ENABLED
    launcher.ENABLED = False
    runtime._configured.clear()
    try:
        yield
    finally:
        launcher.ENABLED = enabled
        runtime._configured.clear()


NUMBA_LAUNCH = "nbtorch cuda, numba-cuda's launch (no FastLauncher)"
READ_BACK = "nbtorch cuda, targets made on the GPU (read back at every step)"


def bench_epochs(small: bool, torch, rounds: int = 5) -> list:
    """Epoch times of each model for each way of running it. The MLP's rows, the #8 target,
    are medians of ``rounds`` rounds (``--rounds``, 5 by default); each round runs every
    row once, in turn, so that a slow minute of a shared machine slows all rows alike
    (single MLP epochs on one H100 machine ranged from 1.08 to 1.68 s for the CPU row in
    one session)."""
    n = 64 * 2 if small else 60_000
    rows = []
    sync = nbtorch.cuda.synchronize
    models = [("MLP 784-256-128-10", _mlp, None, None, rounds), ("LeNet-5", _lenet, 100, 150, 1)]
    if small:  # the simulator runs every thread in Python: a tiny MLP only
        models = [("MLP 16-8-8-10 (--small)", _tiny_mlp, None, None, 1)]
    for name, make, cpu_steps, gpu_steps, model_rounds in models:
        print(f"{name}: {launches_per_step(make, 4 if small else 28)}", flush=True)
        runs = [("nbtorch cuda", nbtorch, "cuda", gpu_steps, sync),
                ("torch cuda", torch, "cuda", None, torch and torch.cuda.synchronize),
                ("nbtorch cpu", nbtorch, "cpu", cpu_steps, lambda: None)]
        if not small and name.startswith("MLP"):  # the same cuda epoch through numba-cuda's
            runs[1:1] = [(NUMBA_LAUNCH, nbtorch, "cuda", gpu_steps, sync),  # own launch, and
                         (READ_BACK, nbtorch, "cuda", gpu_steps, sync)]  # with a sync a step
        runs = [run for run in runs if run[1] is not None]
        times: dict = {run[0]: [] for run in runs}
        for _ in range(model_rounds):
            for label, lib, device, steps, sync_fn in runs:
                try:
                    with _numba_launch(label == NUMBA_LAUNCH):
                        times[label].append(epoch_time(
                            lib, make, device, n, steps, sync_fn, 4 if small else 28,
                            targets_made_on_device=label == READ_BACK))
                except Exception as exc:
                    times[label].append(float("nan"))
                    print(f"{name} epoch, {label}: {type(exc).__name__}: {exc}")
                    traceback.print_exc()
        for label, ts in times.items():
            spread = (f" (median of {model_rounds}: {min(ts):.3g}-{max(ts):.3g} s)"
                      if model_rounds > 1 else "")
            rows.append((f"{name} epoch ({n} images), {label}{spread}", statistics.median(ts),
                         None))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes (for the simulator)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds of the MLP epochs (their median is shown)")
    args = parser.parse_args()
    if not nbtorch.cuda.is_available():
        sys.exit("no CUDA GPU (and NUMBA_ENABLE_CUDASIM is not 1): nothing to check")
    torch = _torch_cuda()
    import numba

    print(f"GPU: {nbtorch.cuda.get_device_name()}   numba {numba.__version__}   "
          f"numpy {np.__version__}   torch: "
          f"{torch.__version__ if torch else 'not installed with CUDA'}", flush=True)
    if not nbtorch.cuda.is_simulator():
        from nbtorch._backend.cuda import launcher

        print(f"FastLauncher: {'on' if launcher.ENABLED else 'off'}", flush=True)

    print("\n== correctness: cuda vs numpy on the CPU ==", flush=True)
    for name, status, detail in correctness(args.small):
        print(f"{status:5}  {name:28} {detail}", flush=True)

    print("\n== speed ==", flush=True)
    rows = []
    for part in (lambda: bench_small_op(torch),
                 lambda: bench_matmul(24 if args.small else 4096, torch),
                 lambda: bench_conv(args.small, torch),
                 lambda: bench_epochs(args.small, torch, args.rounds)):
        try:
            for row in part():
                rows.append(row)
                print(_fmt(row), flush=True)
        except Exception:
            traceback.print_exc()
    print("\n| what | seconds | TFLOP/s |\n|---|---:|---:|")
    for row in rows:
        print(_fmt(row, markdown=True))


def _fmt(row, markdown: bool = False) -> str:
    name, t, rate = row
    rate_s = "" if rate is None else f"{rate:.2f}"
    if markdown:
        return f"| {name} | {t:.4g} | {rate_s} |"
    return f"{t:10.4g} s  {rate_s:>7}  {name}"


if __name__ == "__main__":
    main()
