"""Run one course snippet under nbtorch or under PyTorch and capture what it prints.

A snippet is ordinary PyTorch course code (``import torch``, ``import torch.nn as nn``,
``from torch.utils.data import DataLoader``, ``import torchvision``). Under the ``nbtorch``
flavour its imports are redirected (``torch`` -> ``nbtorch``, ``torchvision`` ->
``nbtorch.vision``), so the very same text runs on both libraries. What the snippet prints
is the observable behaviour compared between the two; a top-level exception becomes one
``EXCEPTION: TypeName`` line, so raising the same exception type also counts as agreeing.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import re
import tempfile
import textwrap
import traceback

import numpy as np
import pytest

_REAL_IMPORT = builtins.__import__


def _redirect(name: str) -> str:
    if name == "torchvision" or name.startswith("torchvision."):
        return "nbtorch.vision" + name[len("torchvision"):]
    if name == "torch" or name.startswith("torch."):
        return "nbtorch" + name[len("torch"):]
    return name


def _nbtorch_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0:
        return _REAL_IMPORT(name, globals, locals, fromlist, level)
    module = _REAL_IMPORT(_redirect(name), globals, locals, fromlist, level)
    if name.split(".")[0] == "torchvision" and not fromlist:  # `import torchvision[.x]`
        return module.vision  # binds `torchvision`, the top of the imported dotted name
    return module


def run_snippet(code: str, flavour: str) -> str:
    """Execute ``code`` with ``flavour`` ("nbtorch" or "torch"); return its printed output.

    The snippet runs in a fresh temporary directory (for files it saves) with numpy seeded,
    and its output is normalised: ``nbtorch`` reads as ``torch``, object addresses are
    dropped, and so are the names of ``grad_fn`` nodes in printed tensors.
    """
    scope_builtins = dict(vars(builtins))
    if flavour == "nbtorch":
        scope_builtins["__import__"] = _nbtorch_import
    scope = {"__builtins__": scope_builtins, "__name__": "__snippet__"}
    out = io.StringIO()
    cwd = os.getcwd()
    np.random.seed(0)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(out):
        os.chdir(tmp)
        try:
            exec(compile(textwrap.dedent(code), f"<{flavour} snippet>", "exec"), scope)
        except Exception as e:  # the exception type is part of the compared behaviour
            print(f"EXCEPTION: {type(e).__name__}")
            traceback.print_exc(limit=-3)  # to stderr: shown by pytest when the test fails
        finally:
            os.chdir(cwd)
    text = out.getvalue().replace("nbtorch.vision", "torchvision").replace("nbtorch", "torch")
    text = re.sub(r" at 0x[0-9a-f]+", "", text)
    # A layer may be one node in PyTorch (AddmmBackward0) and two here (mm, then add): the
    # node in a printed tensor's suffix is not compared, nor where the suffix wraps.
    text = re.sub(r"grad_fn=<\w+>", "grad_fn=<...>", text)
    return re.sub(r",\s+(grad_fn|requires_grad|dtype|device)=", r", \1=", text)


def check_snippet(code: str) -> None:
    """Run ``code`` under both libraries and compare what they print.

    Snippets catch the exceptions they expect themselves (printing the type), so a top-level
    exception is always a failure. Without PyTorch the test is skipped.
    """
    pytest.importorskip("torch")
    ours = run_snippet(code, "nbtorch")
    theirs = run_snippet(code, "torch")
    assert ours == theirs, f"\n--- nbtorch ---\n{ours}\n--- torch ---\n{theirs}"
    assert "EXCEPTION:" not in ours, ours


def run_nbtorch_only(code: str) -> str:
    """Run ``code`` under nbtorch (for torchvision snippets); it must not raise."""
    ours = run_snippet(code, "nbtorch")
    assert "EXCEPTION:" not in ours, ours
    return ours


def snippet_params(snippets: dict, known: dict) -> list:
    """pytest parameters for ``snippets``; those named in ``known`` (name -> reason: the open
    problem and who owns the fix) are strict xfails, so fixing one shows up as XPASS."""
    return [pytest.param(name, marks=pytest.mark.xfail(reason=known[name], strict=True))
            if name in known else name for name in snippets]
