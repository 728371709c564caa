"""Instant feedback for the graded exercises (``exercises/`` in the repository).

In an exercise notebook::

    from nbtorch.exercises import check
    check.ex3(Sigmoid)                  # every visible test of exercise 3 for Sigmoid
    check.ex3(Sigmoid, part="backward")  # one part

Each check prints a line per part that passes and stops at the first problem with an
``AssertionError`` that says what is wrong. Only the visible tests run here; the hidden
tests run when the notebook is graded (``make grade``).
"""

from . import check

__all__ = ["check"]
