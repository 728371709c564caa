"""Random numbers: one default ``Generator``, seeded by ``manual_seed``, or your own.

A Generator wraps numpy's PCG64 bit generator. The same seed gives the same stream, so a
seeded notebook prints the same numbers on every machine (the numbers differ from
PyTorch's, whose generator is a different algorithm).
"""

from __future__ import annotations

import json

import numpy as np

from . import _device as dv
from . import _dtype as dt
from ._creation import _finish, _float_dtype, _size
from ._tensor import Tensor


class Generator:
    """A random number generator with its own state (``torch.Generator``)."""

    def __init__(self, device="cpu"):
        self.device = dv.as_device(device)
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Reset the state from ``seed``; returns the generator."""
        seed = int(seed)
        if seed < 0:
            seed += 2**64
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed used."""
        seed = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The full state as a uint8 tensor (give it back to ``set_state``)."""
        state = json.dumps(self._rng.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, state: Tensor) -> Generator:
        """Restore a state from ``get_state``."""
        raw = bytes(state.numpy().astype(np.uint8))
        try:
            self._rng.bit_generator.state = json.loads(raw.decode())
        except (ValueError, UnicodeDecodeError, TypeError, KeyError):
            raise RuntimeError("Invalid RNG state: expected a tensor from get_rng_state()") \
                from None
        return self


default_generator = Generator()


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: the same seed gives the same random tensors."""
    default_generator.manual_seed(seed)
    try:
        from . import cuda

        if cuda._initialized():
            cuda.manual_seed_all(seed)
    except ImportError:
        pass
    return default_generator


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(state: Tensor) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(state)


def _on_gpu(draw: str, size, d: np.dtype, device, generator, requires_grad: bool):
    """Random numbers made on the GPU itself by its own generators (``uniform`` or
    ``normal`` of ``_backend/cuda/random.py``), no host copy; None when they cannot be:
    not a cuda device, a ``generator`` given, or not float32/float64."""
    device = dv.as_device(device)
    if device.type != "cuda" or generator is not None or d not in (np.float32, np.float64):
        return None
    from ._backend.cuda import random as cuda_random
    from ._backend.cuda import runtime

    index = runtime.current_device() if device.index is None else device.index
    cuda_random.seed_if_new(default_generator.initial_seed(), index)
    t = Tensor._make(getattr(cuda_random, draw)(_size(size), dtype=d, device_index=index))
    if requires_grad:
        t.requires_grad = True
    return t


def _random_float_dtype(dtype, kernel: str) -> np.dtype:
    """The float dtype that ``rand``/``randn`` draw (PyTorch has no integer version)."""
    d = _float_dtype(dtype)
    if d.kind != "f":
        from ._ops.pointwise import type_name

        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{type_name(np.empty(0, d))}'")
    return d


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform random numbers in [0, 1) (on a cuda device: drawn there)."""
    d = _random_float_dtype(dtype, "check_uniform_bounds")
    on_gpu = _on_gpu("uniform", size, d, device, generator, requires_grad)
    if on_gpu is not None:
        return on_gpu
    array = _rng(generator).random(_size(size), dtype=np.float64).astype(d)
    return _finish(array, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1; on a cuda device: drawn
    there)."""
    d = _random_float_dtype(dtype, "normal_kernel_cpu")
    on_gpu = _on_gpu("normal", size, d, device, generator, requires_grad)
    if on_gpu is not None:
        return on_gpu
    array = _rng(generator).standard_normal(_size(size), dtype=np.float64).astype(d)
    return _finish(array, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(3, 10, (3,))``."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    d = dt.to_numpy_dtype(dtype) if dtype is not None else dt.int64.numpy
    array = _rng(generator).integers(low, high, size=_size((size,))).astype(d)
    return _finish(array, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random ordering of 0..n-1."""
    d = dt.to_numpy_dtype(dtype) if dtype is not None else dt.int64.numpy
    (n,) = _size((n,))  # refuses a negative n
    return _finish(_rng(generator).permutation(n).astype(d), device, requires_grad)


def rand_like(input, *, dtype=None, device=None, generator=None) -> Tensor:
    return rand(*input.shape, generator=generator, dtype=dtype or input.dtype,
                device=device or input.device)


def randn_like(input, *, dtype=None, device=None, generator=None) -> Tensor:
    return randn(*input.shape, generator=generator, dtype=dtype or input.dtype,
                 device=device or input.device)


def randint_like(input, low, high=None, *, dtype=None, device=None, generator=None) -> Tensor:
    return randint(low, high, tuple(input.shape), generator=generator,
                   dtype=dtype or input.dtype, device=device or input.device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    """Normal random numbers: ``normal(mean, std, size)``, or with tensor mean/std."""
    _check_std(std)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean if isinstance(mean, Tensor) else None
        s = std if isinstance(std, Tensor) else None
        like = m if m is not None else s
        noise = randn(*like.shape, generator=generator, dtype=like.dtype, device=like.device)
        return (noise * std + mean).detach()
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    return randn(*_size((size,)), generator=generator, dtype=dtype, device=device) * std + mean


def _check_std(std) -> None:
    if isinstance(std, Tensor):
        if bool((std < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def _check_probabilities(probs: Tensor) -> None:
    if not bool(((probs >= 0) & (probs <= 1)).all()):  # False for NaN too
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false. "
                           "(bernoulli: every probability must be in [0, 1])")


def _check_p(p: float) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")


def _coin_flips(probs, shape, dtype: dt.dtype, device, generator) -> Tensor:
    """1 where a uniform number u in [0, 1) falls below the probability (which happens with
    exactly that probability), else 0. The uniform numbers are float64, drawn where ``rand``
    draws them (on the GPU for a cuda device)."""
    u = rand(*shape, generator=generator, dtype=dt.float64, device=device)
    return (u < probs).to(dtype)


def bernoulli(input: Tensor, p: float | None = None, *, generator=None) -> Tensor:
    """0/1 samples shaped like ``input``: 1 with probability ``input`` at each position (or
    with probability ``p`` everywhere, when given). Not differentiable."""
    if p is None:
        if not input.is_floating_point():
            from ._ops.pointwise import type_name

            raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                      f"'{type_name(input._array)}'")
        probs = input.detach()
        _check_probabilities(probs)
    else:
        _check_p(p)
        probs = p
    return _coin_flips(probs, input.shape, input.dtype, input.device, generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """``num_samples`` category indices drawn from each row of ``input`` (1-D or 2-D), with
    probabilities proportional to the row's non-negative weights; int64.

    With replacement, a draw is a uniform number u in [0, total weight): the category is
    where u lands among the running sums of the weights (``searchsorted``). Without
    replacement, each category gets an arrival time E / w (E exponential, so a heavier
    category tends to come sooner) and the first ``num_samples`` to arrive are taken
    (``topk`` of w / E): this is the same as drawing one, removing it, and drawing again.
    """
    from ._ops.pointwise import type_name
    from ._ops.search import searchsorted

    if not input.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{type_name(input._array)}")
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    w = input.detach().double()
    if not bool((w.isfinite() & (w >= 0)).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if bool((w.sum(-1) <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        running = w.cumsum(-1)
        u = rand(*w.shape[:-1], num_samples, generator=generator, dtype=dt.float64,
                 device=w.device)
        return searchsorted(running, u * running[..., -1:], right=True).clamp(max=n - 1)
    u = rand(*w.shape, generator=generator, dtype=dt.float64, device=w.device)
    exponential = -(-u).log1p()  # -log(1 - u)
    return (w / exponential).topk(num_samples, -1).indices  # soonest: largest w / E


# -- in-place fills used by nn.init and by students -----------------------------------------


def _fill_from(self, array: np.ndarray) -> Tensor:
    from ._ops import inplace

    self._check_inplace()
    if inplace._is_recording(self, ()):  # autograd sees the fill (see inplace.Overwrite)
        inplace.assign_result(self, _finish(array.astype(self.dtype.numpy), self.device, False))
        return self
    if self.is_cpu:
        inplace.writable(self)[...] = array
    else:
        inplace.writable(self)[...] = _finish(array.astype(self.dtype.numpy), self.device,
                                              False)._array
    self._bump_version()
    return self


def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with uniform numbers in [a, b)."""
    return _fill_from(self, _rng(generator).uniform(a, b, self._array.shape))


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with normal numbers."""
    _check_std(std)
    return _fill_from(self, _rng(generator).normal(mean, std, self._array.shape))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill in place with 0/1 draws, 1 with probability ``p`` (a number, or a tensor that
    broadcasts to ``self``'s shape)."""
    from ._ops import inplace

    self._check_inplace()
    if isinstance(p, Tensor):
        p = p.detach().to(self.device).expand(self.shape)
        _check_probabilities(p)
    else:
        _check_p(p)
    inplace.assign_result(self, _coin_flips(p, self.shape, self.dtype, self.device, generator))
    return self


def random_(self, low: int = 0, high: int | None = None, *, generator=None) -> Tensor:
    """Fill in place with random integers in [low, high)."""
    if high is None:
        low, high = 0, low if low else 2**24
    return _fill_from(self, _rng(generator).integers(low, high, self._array.shape))


def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with exponential numbers of rate ``lambd``."""
    return _fill_from(self, _rng(generator).exponential(1.0 / lambd, self._array.shape))


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with Cauchy numbers, median + sigma * tan(pi (u - 1/2)) for uniform u:
    a bell curve with tails so heavy that it has no mean (floating point tensors only)."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    if not self.is_floating_point():
        c_name = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                  "uint8": "unsigned char", "bool": "bool"}[self.dtype.name]
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified {c_name}")
    return _fill_from(self, median + sigma * _rng(generator).standard_cauchy(self._array.shape))


def geometric_(self, p: float, *, generator=None) -> Tensor:
    """Fill in place with geometric numbers: how many tries, each succeeding with
    probability ``p``, up to and including the first success (1, 2, 3, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_from(self, _rng(generator).geometric(p, self._array.shape))


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill in place with log-normal numbers: e^x for x normal with ``mean`` and ``std``
    (floating point tensors only)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    if not self.is_floating_point():
        from ._ops.pointwise import not_implemented

        raise not_implemented("log_normal", self._array)
    return _fill_from(self, _rng(generator).lognormal(mean, std, self._array.shape))
