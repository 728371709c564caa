"""``check.ex1`` ... ``check.ex10``: the visible tests of each exercise, with messages.

Every checker takes what you wrote (functions or classes) and an optional ``part`` to run
one part only, prints ``✓ exN · part`` for each part that passes and raises an
``AssertionError`` naming the first problem. The docstring of each checker lists its parts.
"""

from ._ex01 import ex1
from ._ex02 import ex2
from ._ex03 import ex3
from ._ex04 import ex4
from ._ex05 import ex5
from ._ex06 import ex6
from ._ex07 import ex7
from ._ex08 import ex8
from ._ex09 import ex9
from ._ex10 import ex10

__all__ = ["ex1", "ex2", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8", "ex9", "ex10"]
