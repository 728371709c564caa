"""L-BFGS: a quasi-Newton method that builds curvature from the last few gradient changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._ops.join import cat
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from .line_search import strong_wolfe
from .optimizer import Optimizer, check


class LBFGS(Optimizer):
    r"""Limited-memory BFGS (Nocedal, 1980), as ``torch.optim.LBFGS``.

    Newton's method steps by ``-H^{-1} g`` (the inverse Hessian times the gradient) and
    converges in a few steps near a minimum, but ``H`` has ``n * n`` entries. L-BFGS
    never forms it: it remembers the last ``history_size`` pairs::

        s_k = x_{k+1} - x_k            (a step taken,            'old_stps')
        y_k = g_{k+1} - g_k            (how the gradient changed, 'old_dirs')

    and computes ``d = -H^{-1} g`` from them with two loops over the pairs (the "two-loop
    recursion"), starting from the scale ``H_diag = s.y / y.y`` of the newest pair. Each
    call ``step(closure)`` runs up to ``max_iter`` such iterations, each moving the
    parameters to ``x + t * d``, where ``t = lr`` or, with
    ``line_search_fn='strong_wolfe'``, a step chosen by a line search (see
    ``line_search.py``). It stops early when the gradient is smaller than
    ``tolerance_grad`` or the loss or parameters change by less than ``tolerance_change``.

    All parameters are treated as one flat vector, so L-BFGS takes a single parameter
    group. ``step`` needs a ``closure`` that clears the gradients, recomputes the loss,
    calls ``backward`` and returns the loss: an iteration evaluates the loss several
    times::

        def closure():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        optimizer.step(closure)

    Args:
        params: the tensors to optimize (one group).
        lr: step length (the first step of a line search). max_iter: iterations per
        ``step``. max_eval: loss evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when every gradient entry is at most this. tolerance_change:
        stop when the loss or the step changes less. history_size: pairs remembered.
        line_search_fn: ``None`` (fixed steps) or ``'strong_wolfe'``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1,
                 max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        check(len(self.param_groups) == 1,
              "LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # -- the parameters as one flat vector ---------------------------------------------------
    def _gather_flat_grad(self) -> Tensor:
        return cat([p.grad.reshape(-1) if p.grad is not None else p.new_zeros(p.numel())
                    for p in self._params])

    def _add_grad(self, step_size: float, update: Tensor) -> None:
        """``x = x + step_size * update``, for the flat vector ``x`` of all parameters."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(update[offset:offset + n].view_as(p), alpha=step_size)
            offset += n

    def _directional_evaluate(self, closure: Callable, x: list[Tensor], t: float,
                              d: Tensor) -> tuple[float, Tensor]:
        """The loss and flat gradient at ``x + t * d``; the parameters are put back to ``x``."""
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.copy_(saved)
        return loss, flat_grad

    @no_grad()
    def step(self, closure: Callable[[], Tensor]) -> Tensor:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss before the first."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # L-BFGS's state is global; it is kept under the first parameter, as in PyTorch
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if float(flat_grad.abs().max()) <= tolerance_grad:  # already at a minimum
            return orig_loss

        # what the previous call left (the scalars may be 0-d tensors from a checkpoint)
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps = state.get("old_dirs"), state.get("old_stps")
        ro = [float(r) for r in state.get("ro", [])]
        H_diag = float(state.get("H_diag", 1))
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # 1. the direction: -gradient at first, then the two-loop recursion
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro, H_diag = [], [], [], 1.0
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = float(y.dot(s))
                if ys > 1e-10:  # keep only pairs with positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y.dot(y))
                if "al" not in state:
                    state["al"] = [None] * history_size
                d = _two_loop_direction(flat_grad, old_dirs, old_stps, ro, H_diag, state["al"])

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # 2. the step length
            if state["n_iter"] == 1:  # the first step: at most lr in the L1 sense
                t = min(1.0, 1.0 / float(flat_grad.abs().sum())) * lr
            else:
                t = lr
            gtd = float(flat_grad.dot(d))  # slope along d
            if gtd > -tolerance_change:  # d no longer goes down
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p.clone() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = float(flat_grad.abs().max()) <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = float(flat_grad.abs().max()) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # 3. stop?
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if float(d.mul(t).abs().max()) <= tolerance_change:  # the step is tiny
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss stopped changing
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss


def _two_loop_direction(grad: Tensor, old_dirs: list[Tensor], old_stps: list[Tensor],
                        ro: list[float], H_diag: float, al: list) -> Tensor:
    """``-H^{-1} grad`` for the inverse Hessian estimate built from the pairs
    ``(s, y) = (old_stps[i], old_dirs[i])``, ``ro[i] = 1 / (y . s)``, oldest first."""
    q = grad.neg()
    for i in range(len(old_dirs) - 1, -1, -1):  # newest to oldest
        al[i] = float(old_stps[i].dot(q)) * ro[i]
        q.add_(old_dirs[i], alpha=-al[i])
    r = q.mul(H_diag)  # the initial estimate: a multiple of the identity
    for i in range(len(old_dirs)):  # oldest to newest
        be_i = float(old_dirs[i].dot(r)) * ro[i]
        r.add_(old_stps[i], alpha=al[i] - be_i)
    return r
