"""``CyclicLR``: the learning rate goes up and down between two bounds, batch after batch.

Imported by ``lr_scheduler`` (``nbtorch.optim.lr_scheduler.CyclicLR``), whose base class
and helpers it uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .lr_scheduler import LRScheduler, OneCycleLR, _one_per_group
from .optimizer import Optimizer


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017), stepped after every *batch*.

    The lr climbs linearly from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps, comes
    back down in ``step_size_down`` steps (default: the same), and starts again. At step
    ``i``, with ``cycle = floor(1 + i / cycle_length)`` counting cycles from 1::

        lr = base_lr + (max_lr - base_lr) * triangle(i) * scale

    where ``triangle`` goes 0 -> 1 -> 0 over a cycle and ``scale`` is set by ``mode``:

    * ``'triangular'``: 1 (every cycle the same);
    * ``'triangular2'``: ``1 / 2 ** (cycle - 1)`` (the height halves every cycle);
    * ``'exp_range'``: ``gamma ** i`` (the height decays every step);
    * or ``scale_fn(x)`` of your own, with ``x`` the cycle (``scale_mode='cycle'``) or the
      step (``scale_mode='iterations'``); then ``mode`` is ignored.

    Raising the lr now and then lets training jump out of sharp minima and saddles; the
    bounds can be found with a short "lr range test". With ``cycle_momentum=True`` the
    momentum (SGD's ``momentum``, or Adam's ``betas[0]``) moves the opposite way, from
    ``max_momentum`` down to ``base_momentum`` and back.

    Args:
        optimizer: the optimizer whose lrs to set. base_lr, max_lr: the bounds (one number,
        or one per parameter group). step_size_up, step_size_down: the lengths of the two
        halves of a cycle. mode, gamma, scale_fn, scale_mode: the scaling (above).
        cycle_momentum, base_momentum, max_momentum: the momentum's cycle.
        last_epoch: the index of the last batch (-1: start from the beginning).
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        base_lrs = _one_per_group(base_lr, optimizer, "base_lr")
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        self.max_lrs = _one_per_group(max_lr, optimizer, "max_lr")
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down  # the length of a cycle
        self.step_ratio = up / self.total_size  # the part of it spent climbing

        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        if scale_fn is None:  # the built-in modes decide what their scale depends on
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.scale_mode = scale_mode

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _one_per_group(base_momentum, optimizer, "base_momentum")
            self.max_momentums = _one_per_group(max_momentum, optimizer, "max_momentum")
            if last_epoch == -1:
                for group, top, bottom in zip(optimizer.param_groups, self.max_momentums,
                                              self.base_momentums):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    _set_momentum = OneCycleLR._set_momentum

    def scale_fn(self, x: float) -> float:
        """The height of the cycle as a fraction of ``max_lr - base_lr`` (see the modes)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # position in the cycle, 0..1
        if x <= self.step_ratio:
            triangle = x / self.step_ratio  # climbing
        else:
            triangle = (x - 1) / (self.step_ratio - 1)  # coming down
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)

        lrs = [base + (top - base) * triangle * scale
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups, self.base_momentums,
                                          self.max_momentums):
                self._set_momentum(group, top - (top - bottom) * triangle * scale)
        return lrs

    def state_dict(self) -> dict:
        """The state without a custom ``scale_fn`` (a function cannot be saved)."""
        return {k: v for k, v in self.__dict__.items()
                if k not in ("optimizer", "_scale_fn_custom")}
