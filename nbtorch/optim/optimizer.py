"""The ``Optimizer`` base class: parameter groups, per-parameter state, and a step loop.

An optimizer holds

* ``param_groups``: a list of dicts. Each dict has ``'params'`` (a list of tensors) and
  one value for every option of the optimizer (``'lr'``, ``'momentum'``, ...). Options
  missing from a group are filled from ``defaults``, so different groups can train with
  different settings. The step reads ``group['lr']`` every time, so editing it changes
  the learning rate from the next step on (this is all a learning-rate scheduler does).
* ``state``: a dict keyed by parameter, holding what the update rule remembers between
  steps (SGD's momentum buffer, Adam's moving averages, ...), as tensors.

A training step is always::

    optimizer.zero_grad()   # forget the previous gradients
    loss = loss_fn(model(x), y)
    loss.backward()         # fill p.grad for every parameter
    optimizer.step()        # p <- p - (something computed from p.grad and state)

The built-in optimizers only define ``_update(p, group)``: the rule for one parameter.
A custom optimizer may instead override ``step`` itself, as in PyTorch.
"""

from __future__ import annotations

import copy
import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad


class _RequiredParameter:
    """Marks an option with no default value (it must be given)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: the tensors to optimize (a list or a generator such as
            ``model.parameters()``), or a list of dicts, one per parameter group, each with
            a ``'params'`` key and optionally its own options, e.g.
            ``[{'params': base.parameters()}, {'params': head.parameters(), 'lr': 1e-2}]``.
        defaults: the value of every option for the groups that do not set it.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]):
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. to unfreeze a layer later).

        Options the group does not set take the optimizer's defaults. A parameter may
        belong to only one group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError(_missing_params_message(param_group))
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        group = dict(param_group)
        group["params"] = list(params)

        for p in group["params"]:
            _check_param(p)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)

        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors before the next ``backward``.

        With ``set_to_none=True`` (the default) each ``p.grad`` becomes ``None``, which saves
        memory and lets the step skip parameters that got no gradient; with ``False`` the
        gradients are filled with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = p.grad.detach()
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient, once.

        ``closure``, if given, is a function that clears the gradients, recomputes the loss,
        calls ``backward`` and returns the loss (some algorithms, like L-BFGS, need to
        evaluate the loss several times per step). It runs with gradients enabled. Returns
        the closure's loss, or ``None``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, group)
                    p._bump_version()  # p changed in place: autograd must know
        return loss

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """Change ``p._array`` in place using ``p.grad`` (the rule of each optimizer)."""
        raise NotImplementedError

    # -- saving and loading ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data, to save in a checkpoint.

        ``{'state': {index: {name: value}}, 'param_groups': [{option: value, 'params':
        [index, ...]}]}``, where a parameter is named by its position (counting through
        all groups in order) instead of by the tensor itself, as in PyTorch.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by ``state_dict`` into an optimizer over the same parameters.

        The saved options replace the current ones (group by group); the saved per-parameter
        state is copied (floating-point tensors are cast to their parameter's dtype).
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        param_of = {i: p for s, g in zip(saved_groups, self.param_groups)
                    for i, p in zip(s["params"], g["params"])}

        self.state = defaultdict(dict)
        for i, saved in state_dict["state"].items():
            p = param_of[i]
            self.state[p] = {k: _copy_state_value(p, k, v) for k, v in saved.items()}
        self.param_groups = [
            {**copy.deepcopy({k: v for k, v in s.items() if k != "params"}),
             "params": g["params"]}
            for s, g in zip(saved_groups, self.param_groups)
        ]

    def __repr__(self) -> str:
        groups = ["\n".join([f"Parameter Group {i}"]
                             + [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"])
                  for i, group in enumerate(self.param_groups)]
        return f"{type(self).__name__} (\n" + "\n\n".join(groups) + "\n)"


def _missing_params_message(group: dict) -> str:
    """Explain a parameter group without a 'params' key, guessing the misspelled key."""
    keys = [k for k in group if isinstance(k, str)]
    close = difflib.get_close_matches("params", keys, n=1, cutoff=0.6)
    hint = f"; did you write {close[0]!r} instead of 'params'?" if close else ""
    return (f"parameter group has no 'params' key (its keys are {list(group)}){hint} "
            "Each group needs 'params': the tensors it optimizes.")


def _check_param(p) -> None:
    """Only floating-point leaf tensors can be optimized."""
    if not isinstance(p, Tensor):
        raise TypeError(
            f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}"
        )
    if not p.is_leaf and not p.retains_grad:
        raise ValueError("can't optimize a non-leaf Tensor")
    if not p.is_floating_point():
        raise ValueError(
            f"can't optimize a Tensor of dtype {p.dtype}: only floating-point tensors have "
            "gradients"
        )


def _copy_state_value(p: Tensor, key: str, value):
    """A copy of one saved state value; float tensors take the parameter's dtype, but the
    step counter keeps its own."""
    if not isinstance(value, Tensor):
        return copy.deepcopy(value)
    array = np.array(value._array)  # a copy
    if key != "step" and array.dtype.kind == "f":
        array = array.astype(p._array.dtype, copy=False)
    return Tensor._make(array)


# -- helpers the update rules share --------------------------------------------------------
def zeros_state(p: Tensor) -> Tensor:
    """A state tensor of zeros shaped like ``p`` (a moving average, a buffer)."""
    return Tensor._make(np.zeros_like(p._array))


def step_counter() -> Tensor:
    """A 0-d tensor counting the steps taken (float, like PyTorch's ``state['step']``)."""
    return Tensor._make(np.zeros((), dtype=dt.get_default_dtype().numpy))


def scalar_state(value: float) -> Tensor:
    """A 0-d tensor holding one number the rule remembers (NAdam's ``'mu_product'``, ASGD's
    ``'eta'``), in the default float dtype like ``step_counter``."""
    return Tensor._make(np.array(value, dtype=dt.get_default_dtype().numpy))


def check(ok: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok`` (validates optimizer options)."""
    if not ok:
        raise ValueError(message)
