"""nbtorch.exercises.check: passes right answers, and names what is wrong in wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import nbtorch
from nbtorch.autograd import Function
from nbtorch.exercises import check
from nbtorch.exercises._feedback import ExerciseFailure, expect_close


def test_expect_close_names_the_first_wrong_index():
    with pytest.raises(AssertionError, match=r"gradient for input 2 wrong at index \(0, 1\): "
                                             r"expected 0.25, got 0.5 \(1 of 4 values wrong\)"):
        expect_close("gradient for input 2", np.array([[1.0, 0.5], [0, 0]]),
                     np.array([[1.0, 0.25], [0, 0]]))
    with pytest.raises(AssertionError, match=r"has shape \(2,\), expected \(2, 1\)"):
        expect_close("out", np.zeros(2), np.zeros((2, 1)))


def outer_sum(a, b):
    return a[:, None] + b[None, :]


def pick(x, idx):
    return x[:, 0]  # wrong: always the first column


def one_hot(labels, num_classes):
    raise NotImplementedError()


def test_ex1_passes_a_right_answer_and_explains_wrong_ones(capsys):
    check.ex1(outer_sum)
    assert "✓ ex1 · outer_sum" in capsys.readouterr().out
    with pytest.raises(ExerciseFailure, match=r"ex1 · pick: pick\(x, idx\).* wrong at index "
                                              r"\(1,\): expected 5, got 3"):
        check.ex1(pick)
    with pytest.raises(ExerciseFailure, match="one_hot: not implemented yet"):
        check.ex1(one_hot)
    with pytest.raises(ValueError, match="ex1 checks outer_sum"):
        check.ex1(np.sum)


class Hypot(Function):
    @staticmethod
    def forward(ctx, x, y):
        out = nbtorch.sqrt(x * x + y * y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return grad * x / out, x / out  # wrong: the second misses y and grad


def test_ex3_names_the_input_whose_gradient_is_wrong():
    check.ex3(Hypot, part="forward")
    with pytest.raises(ExerciseFailure, match=r"Hypot.backward: Hypot: gradient for input 2 "
                                              r"wrong at index \(0, 0\)"):
        check.ex3(Hypot)
    with pytest.raises(ValueError, match="no part 'sideways'"):
        check.ex3(Hypot, part="sideways")


class SGDWithoutMomentum(nbtorch.optim.Optimizer):
    __name__ = "SGD"

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @nbtorch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p -= group["lr"] * (p.grad + group["weight_decay"] * p)


def test_ex6_compares_step_by_step_with_the_reference_sgd(capsys):
    check.ex6(SGDWithoutMomentum, part="plain")
    assert "✓ ex6 · plain" in capsys.readouterr().out
    with pytest.raises(ExerciseFailure, match=r"ex6 · momentum: SGD\(params, lr=0.1, "
                                              r"momentum=0.9\): parameter w after step 2 wrong"):
        check.ex6(SGDWithoutMomentum)
