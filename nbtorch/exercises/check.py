"""``check.ex1`` ... ``check.ex10``: the visible tests of each exercise, with messages.

Every checker takes what you wrote (functions or classes) and an optional ``part`` to run
one part only, prints ``✓ exN · part`` for each part that passes and raises an
``AssertionError`` naming the first problem. The docstring of each checker lists its parts.
"""

from ._ex01 import ex1

__all__ = ["ex1"]
