"""Checker of exercise 7 (chapter 08, data loading): a ``Dataset`` over a CSV file.

The checker writes its own small CSV file, so it knows every value to expect.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from ._feedback import expect_close, expect_equal, expect_tensor, fail, run_parts

_HEADER = ["height", "label", "weight"]
_ROWS = np.array([[1.5, 0, 60.0], [1.8, 2, 82.5], [1.6, 1, 55.0], [1.7, 2, 70.0],
                  [1.55, 0, 48.0], [1.9, 1, 90.0], [1.65, 1, 66.0]])


def _dataset(CSVDataset):
    """A CSVDataset over a fresh 7-row file whose target column ("label") is in the middle."""
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "people.csv")
    with open(path, "w") as f:
        f.write(",".join(_HEADER) + "\n")
        for row in _ROWS:
            f.write(f"{row[0]:g},{int(row[1])},{row[2]:g}\n")
    return CSVDataset(path, target="label")


def _length(CSVDataset) -> None:
    ds = _dataset(CSVDataset)
    expect_equal("len(dataset) for a CSV file with a header and 7 rows", len(ds), 7)
    expect_equal("dataset.feature_names", list(ds.feature_names), ["height", "weight"])


def _item(CSVDataset) -> None:
    import nbtorch

    ds = _dataset(CSVDataset)
    item = ds[1]
    if not isinstance(item, tuple) or len(item) != 2:
        fail(f"dataset[1] should be a tuple (features, target), got {item!r}")
    features, target = item
    expect_tensor("the features of dataset[1]", features, nbtorch.float32)
    expect_tensor("the target of dataset[1]", target, nbtorch.int64)
    expect_close("the features of dataset[1] (row 2 of the file without 'label')",
                 features, _ROWS[1, [0, 2]].astype(np.float32))
    expect_close("the target of dataset[1]", target, np.int64(2))


def _loader(CSVDataset) -> None:
    import nbtorch
    from nbtorch.utils.data import DataLoader

    loader = DataLoader(_dataset(CSVDataset), batch_size=3, shuffle=True,
                        generator=nbtorch.Generator().manual_seed(0))
    batches = list(loader)
    expect_equal("the batch sizes of DataLoader(dataset, batch_size=3)",
                 [len(b[1]) for b in batches], [3, 3, 1])
    x = np.concatenate([b[0].numpy() for b in batches])
    y = np.concatenate([b[1].numpy() for b in batches])
    expect_equal("the shape of a batch of features", tuple(batches[0][0].shape), (3, 2))
    order = np.argsort(x[:, 1])  # weights are all different: sort to compare with the file
    expect_close("all features seen in one epoch (sorted by weight)", x[order],
                 _ROWS[np.argsort(_ROWS[:, 2])][:, [0, 2]].astype(np.float32))
    expect_close("all targets seen in one epoch (sorted by weight)", y[order],
                 _ROWS[np.argsort(_ROWS[:, 2]), 1].astype(np.int64))


def ex7(CSVDataset, part: str | None = None) -> None:
    """Check your ``CSVDataset`` (exercise 7, chapter 08) on a small CSV file it writes.

    Parts: ``length`` (``len`` and ``feature_names``), ``item`` (``dataset[i]`` is a
    (float32 features, int64 target) pair), ``loader`` (a shuffled ``DataLoader`` over it
    sees every row once per epoch, in batches).
    """
    parts = {"length": _length, "item": _item, "loader": _loader}
    run_parts("ex7", {name: (lambda f=f: f(CSVDataset)) for name, f in parts.items()}, part)
