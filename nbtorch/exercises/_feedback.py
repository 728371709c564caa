"""How the checkers talk to students: one ``ExerciseFailure`` per problem found, with a
message that says where the answer differs from the expected value, and a line per part
that passed.

The checkers only run the *visible* tests of an exercise (the ones in the released
notebook). The hidden tests live in the instructor's source notebooks and run when the
notebook is graded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class ExerciseFailure(AssertionError):
    """A visible test failed; the message says what is wrong."""


def fail(message: str) -> None:
    """Stop the check: ``message`` says what is wrong."""
    raise ExerciseFailure(message)


def as_numpy(value) -> np.ndarray:
    """A numpy copy of a Tensor, numpy array, number or nested list."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return np.array(value.detach().numpy())
    return np.asarray(value)


def _number(x) -> str:
    return f"{x:.6g}" if isinstance(x, (float, np.floating)) else repr(x)


def expect_close(what: str, got, expected, *, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Fail unless ``got`` has the shape of ``expected`` and the same values (within
    tolerance); the message names the first index where they differ, e.g.
    ``gradient wrong for input 2 at index (0, 1): expected 0.25, got 0.5``."""
    if got is None:
        fail(f"{what}: got None, expected an array of shape {tuple(np.shape(expected))}")
    got, expected = as_numpy(got), as_numpy(expected)
    if got.shape != expected.shape:
        fail(f"{what} has shape {got.shape}, expected {expected.shape}")
    if got.dtype.kind == "b" or expected.dtype.kind in "biu":
        wrong = got != expected
    else:
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        where = f" at index {index}" if index else ""
        fail(f"{what} wrong{where}: expected {_number(expected[index])}, "
             f"got {_number(got[index])} ({int(wrong.sum())} of {wrong.size} values wrong)")


def expect_equal(what: str, got, expected) -> None:
    """Fail unless ``got == expected`` (plain Python values: shapes, names, dtypes)."""
    if got != expected:
        fail(f"{what} is {got!r}, expected {expected!r}")


def expect_tensor(what: str, value, dtype=None) -> None:
    """Fail unless ``value`` is an nbtorch Tensor (of ``dtype`` when given)."""
    from .. import Tensor

    if not isinstance(value, Tensor):
        fail(f"{what} should be an nbtorch Tensor, got {type(value).__name__}")
    if dtype is not None and value.dtype != dtype:
        fail(f"{what} has dtype {value.dtype}, expected {dtype}")


def run_parts(exercise: str, parts: dict[str, Callable[[], None]], part: str | None) -> None:
    """Run the named parts in order (or only ``part``, which may also name the end of a
    dotted part name: "backward" runs "Sigmoid.backward"), printing a line per part passed.

    The first failure is raised with the exercise and part in its message; exceptions
    raised by the student's own code are reported as such, with their type and message.
    """
    chosen = {n: run for n, run in parts.items()
              if part is None or n == part or n.endswith("." + part)}
    if not chosen:
        raise ValueError(f"{exercise} has no part {part!r}; its parts are {list(parts)}")
    for name, run in chosen.items():
        try:
            run()
        except ExerciseFailure as e:
            raise ExerciseFailure(f"{exercise} · {name}: {e}") from None
        except NotImplementedError:
            raise ExerciseFailure(
                f"{exercise} · {name}: not implemented yet (the code still raises "
                "NotImplementedError)") from None
        except Exception as e:
            raise ExerciseFailure(
                f"{exercise} · {name}: your code raised {type(e).__name__}: {e}") from e
        print(f"✓ {exercise} · {name}")
    if part is None:
        print(f"{exercise}: all visible checks passed (the hidden tests run when it is graded)")


def by_name(exercise: str, components: tuple, known: dict[str, object]) -> list:
    """Match each component (function or class) with the checker of the same ``__name__``."""
    if not components:
        raise TypeError(f"{exercise}: pass what you wrote, e.g. {exercise}({next(iter(known))})")
    found = []
    for c in components:
        name = getattr(c, "__name__", None)
        if name not in known:
            raise ValueError(f"{exercise} checks {', '.join(known)}; got {name or c!r}")
        found.append((name, c, known[name]))
    return found
