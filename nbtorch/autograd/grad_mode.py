"""Grad mode: whether operations are recorded for backward.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` flip one global switch that
``Function.apply`` reads on every call. Each works as a context manager and as a
decorator, like PyTorch's.
"""

from __future__ import annotations

import functools


class _State:
    """The switches every op reads (kept in one object so reads stay cheap)."""

    grad_enabled = True
    inference = False
    anomaly = False


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return _State.grad_enabled


class _GradModeContext:
    """Base for the context managers: remember the old mode, set the new one, restore it."""

    _mode: bool

    def __enter__(self):
        self._prev = _State.grad_enabled
        _State.grad_enabled = self._mode

    def __exit__(self, *exc):
        _State.grad_enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._init_args()):
                return func(*args, **kwargs)

        return wrapper

    def _init_args(self):
        return ()


class no_grad(_GradModeContext):
    """Context manager / decorator: run without recording a graph (evaluation, updates)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager / decorator: record a graph again inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` is ``no_grad()``; it also works as a plain call."""

    def __init__(self, mode: bool):
        self._mode = bool(mode)
        self._prev = _State.grad_enabled
        _State.grad_enabled = self._mode  # a plain call takes effect at once, as in PyTorch

    def _init_args(self):
        return (self._mode,)

    def __enter__(self):
        pass  # already set in __init__

    def __call__(self, func):
        _State.grad_enabled = self._prev  # used as a decorator: undo the eager switch
        return super().__call__(func)


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (nbtorch keeps no extra bookkeeping to skip, so it is the same)."""

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def _init_args(self):
        return (not self._mode,)

    def __enter__(self):
        super().__enter__()
        self._prev_inference = _State.inference
        _State.inference = not self._mode

    def __exit__(self, *exc):
        _State.inference = self._prev_inference
        return super().__exit__(*exc)


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _State.inference


class detect_anomaly:
    """Context manager: record where each op was created and fail on NaN gradients.

    When a backward function returns NaN, the error names the function and prints the
    forward traceback of the op that made it.
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = _State.anomaly
        _State.anomaly = self.check_nan

    def __exit__(self, *exc):
        _State.anomaly = self._prev
        return False


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off globally."""
    _State.anomaly = bool(mode)


def is_anomaly_enabled() -> bool:
    """True when anomaly detection is on."""
    return _State.anomaly
