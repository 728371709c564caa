# %% [markdown]
# # Exercise 7 · A Dataset over a CSV file · 读取 CSV 的数据集
#
# **Chapter 08 (datasets and data loaders 数据集与数据加载器).**
#
# `exam.csv` (in this folder) has one row per student: hours studied, hours slept, cups of
# coffee and whether the exam was passed (the first line is the header, 表头):
#
# ```
# hours_studied,hours_slept,coffee_cups,passed
# 6.8,5.6,1,1
# ```
#
# Write `CSVDataset(path, target)`, a `torch.utils.data.Dataset`:
#
# - read the file once in `__init__` (the `csv` module or plain `str.split(",")`);
# - the column named `target` holds the labels (标签), an `int64` tensor; **all other
#   columns** are the features (特征), a `float32` tensor of shape `(rows, columns - 1)`;
#   the target column can be anywhere, not only last;
# - `self.feature_names`: the names of the feature columns, in file order;
# - `__len__`: the number of rows (without the header); `__getitem__(i)`: the pair
#   `(features[i], target[i])`.
#
# Then a `DataLoader` (数据加载器) batches it: `check.ex7(CSVDataset)` tries one.

# %%
import numpy as np

import nbtorch as torch
from nbtorch.exercises import check
from nbtorch.utils.data import DataLoader, Dataset


# %% solution="csv_dataset"
class CSVDataset(Dataset):
    def __init__(self, path, target):
        ### BEGIN SOLUTION
        with open(path) as f:
            lines = [line.strip() for line in f if line.strip()]
        header = lines[0].split(",")
        rows = np.array([line.split(",") for line in lines[1:]], dtype=np.float64)
        t = header.index(target)
        keep = [k for k in range(len(header)) if k != t]
        self.feature_names = [header[k] for k in keep]
        self.features = torch.tensor(rows[:, keep], dtype=torch.float32)
        self.targets = torch.tensor(rows[:, t].astype(np.int64))
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.targets)
        ### END SOLUTION

    def __getitem__(self, i):
        ### BEGIN SOLUTION
        return self.features[i], self.targets[i]
        ### END SOLUTION


# %%
exams = CSVDataset("exam.csv", target="passed")
loader = DataLoader(exams, batch_size=32, shuffle=True)
x, y = next(iter(loader))
print(exams.feature_names, len(exams), x.shape, y[:8])

# %% test="test_length" points=1
check.ex7(CSVDataset, part="length")
### BEGIN HIDDEN TESTS
_exams = CSVDataset("exam.csv", target="passed")
assert len(_exams) == 150, len(_exams)
assert list(_exams.feature_names) == ["hours_studied", "hours_slept", "coffee_cups"]
### END HIDDEN TESTS

# %% test="test_item" points=2
check.ex7(CSVDataset, part="item")
### BEGIN HIDDEN TESTS
_raw = np.loadtxt("exam.csv", delimiter=",", skiprows=1)
_exams = CSVDataset("exam.csv", target="passed")
for _i in (0, 77, 149, -1):
    _x, _y = _exams[_i]
    np.testing.assert_allclose(_x.numpy(), _raw[_i, :3].astype(np.float32))
    assert _y.item() == int(_raw[_i, 3]) and _y.dtype == torch.int64
_by_coffee = CSVDataset("exam.csv", target="coffee_cups")
assert list(_by_coffee.feature_names) == ["hours_studied", "hours_slept", "passed"]
np.testing.assert_allclose(_by_coffee[5][0].numpy(), _raw[5, [0, 1, 3]].astype(np.float32))
assert _by_coffee[5][1].item() == int(_raw[5, 2])
### END HIDDEN TESTS

# %% test="test_loader" points=2
check.ex7(CSVDataset, part="loader")
### BEGIN HIDDEN TESTS
_loader = DataLoader(CSVDataset("exam.csv", target="passed"), batch_size=64, shuffle=True)
_batches = list(_loader)
assert [len(_b[1]) for _b in _batches] == [64, 64, 22]
_x = np.concatenate([_b[0].numpy() for _b in _batches])
_raw = np.loadtxt("exam.csv", delimiter=",", skiprows=1)
np.testing.assert_allclose(np.sort(_x, axis=0), np.sort(_raw[:, :3], axis=0).astype(np.float32))
assert sum(int(_b[1].sum()) for _b in _batches) == int(_raw[:, 3].sum())
### END HIDDEN TESTS
