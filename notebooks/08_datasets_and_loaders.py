# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Datasets and data loaders · 数据集与数据加载器
#
# Training uses **mini-batches** (小批量): a few dozen samples at a time, in a new random order
# every **epoch** (轮次). Three small objects organise this, exactly as in PyTorch:
#
# * a `Dataset` answers two questions: how many samples? what is sample `i`?
# * a `Sampler` decides the order of the indices;
# * a `DataLoader` groups indices into batches, loads the samples (in worker processes if you
#   like) and stacks them into tensors with a `collate_fn`.
#
# **Goals (学习目标)**
#
# 1. Write a `Dataset` over a CSV file and iterate over it with a `DataLoader`.
# 2. Understand shuffling, batch size, `drop_last` and worker processes.
# 3. Use the image datasets of `nbtorch.vision` (MNIST ships with nbtorch) and `transforms`.
# 4. See data augmentation (数据增强) as pictures.
#
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | dataset | 数据集 | `utils.data.Dataset` |
# | sample, label | 样本, 标签 | `dataset[i] == (x, y)` |
# | mini-batch, batch size | 小批量, 批大小 | `DataLoader(ds, batch_size=32)` |
# | shuffle | 打乱 | `shuffle=True` |
# | epoch | 轮次 | one pass over the dataset |
# | sampler | 采样器 | `RandomSampler`, `BatchSampler` |
# | collate | 整理(拼接成批) | `default_collate` |
# | worker process | 工作进程 | `num_workers=2` |
# | transform | 变换 | `vision.transforms.ToTensor()` |
# | data augmentation | 数据增强 | `RandomCrop`, `RandomRotation` |
# | normalization | 标准化 | `Normalize(mean, std)` |

# %%
import csv
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import nbtorch as torch
from nbtorch.utils.data import DataLoader, Dataset, random_split
from nbtorch.vision import datasets, transforms
from nbtorch.vision.utils import make_grid

_ = torch.manual_seed(0)

# %% [markdown]
# ## A Dataset over a CSV file · 自定义数据集
#
# Our first dataset is a small table: two measurements per flower and its class. We write it to
# a CSV file (逗号分隔值文件) first, as if it had come from somewhere else.

# %%
folder = Path(tempfile.mkdtemp())
rows = [(round(1 + 0.1 * i, 2), round(3 - 0.15 * i, 2), i % 3) for i in range(10)]
with open(folder / "flowers.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["length", "width", "label"])
    writer.writerows(rows)
print((folder / "flowers.csv").read_text())


# %% [markdown]
# A map-style dataset defines `__len__` and `__getitem__`. Here `__init__` reads the whole file
# once into tensors (fine for small files; a huge dataset would read sample `i` lazily inside
# `__getitem__`).

# %%
class CSVDataset(Dataset):
    """Rows of a CSV file: (features as a float tensor, label as an int)."""

    def __init__(self, path):
        with open(path) as f:
            reader = csv.DictReader(f)
            table = [(float(r["length"]), float(r["width"]), int(r["label"])) for r in reader]
        self.features = torch.tensor([row[:2] for row in table])
        self.labels = [row[2] for row in table]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.features[i], self.labels[i]


flowers = CSVDataset(folder / "flowers.csv")
print(len(flowers))
print(flowers[3])

# %% [markdown]
# ## DataLoader: batches, shuffling · 批次与打乱
#
# `DataLoader` calls `dataset[i]` for the indices of one batch and **collates** the samples: the
# feature tensors are stacked into one tensor (batch, 2) and the int labels become an int64
# tensor. The last batch is smaller unless `drop_last=True`.

# %%
loader = DataLoader(flowers, batch_size=4)
for x, y in loader:
    print(x.shape, y)
print("batches per epoch:", len(loader), "| with drop_last:",
      len(DataLoader(flowers, batch_size=4, drop_last=True)))

# %% [markdown]
# With `shuffle=True` every epoch visits the samples in a new random order, drawn from nbtorch's
# random generator: `torch.manual_seed` (or a `generator=`) makes the order reproducible.

# %%
shuffled = DataLoader(flowers, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(1))
for epoch in range(2):
    print(f"epoch {epoch}:", [y.tolist() for _, y in shuffled])

# %% [markdown]
# ## Worker processes · 多进程加载
#
# Loading and transforming images can be slower than training on them. With `num_workers=2`,
# two worker processes prepare batches while the main process trains. nbtorch guarantees what
# PyTorch guarantees: batches come out **in the same order** as with `num_workers=0`, an error
# inside a worker is raised here with the worker's traceback, and no worker survives the loop
# (also after `break` or Ctrl-C).
#
# On Linux the workers are started with *fork*: they are copies of this notebook's process, so
# the `CSVDataset` class defined in a cell above works in them. (On macOS and Windows, Python
# starts workers fresh with *spawn*; there a Dataset class must live in an importable `.py`
# file.)

# %%
single = [y.tolist() for _, y in DataLoader(flowers, batch_size=3)]
multi = [y.tolist() for _, y in DataLoader(flowers, batch_size=3, num_workers=2)]
print(single)
print(multi)
print("same batches:", single == multi)


# %% [markdown]
# An exception inside `__getitem__` in a worker comes back to us, with the worker's traceback
# in the message:

# %% tags=["raises-exception"]
class Broken(CSVDataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"row {i} is damaged")
        return super().__getitem__(i)


for batch in DataLoader(Broken(folder / "flowers.csv"), batch_size=2, num_workers=2):
    pass

# %% [markdown]
# `random_split` divides a dataset into training and validation parts (训练集 / 验证集),
# without copying: each part is a `Subset` holding indices.

# %%
train_part, val_part = random_split(flowers, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
print(len(train_part), len(val_part), "validation indices:", val_part.indices)

# %% [markdown]
# ## Image datasets · 图像数据集
#
# `nbtorch.vision.datasets` has torchvision's datasets with the same arguments (`root`,
# `train`, `transform`, `target_transform`, `download`). A sample is `(PIL image, label)`.
# A small real subset of MNIST (the first 6,000 training and 1,000 test digits) ships inside
# nbtorch, so this works offline; `datasets.MNIST(root=None)` uses the full MNIST instead
# when it is in your data folder (`$NBTORCH_DATA`), or `download=True` fetches it.

# %%
mnist = datasets.mnist_subset(train=True)
print(mnist)
image, label = mnist[0]
print(image, "label:", label)

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for i, ax in enumerate(axes.flat):
    img, lbl = mnist[i]
    ax.imshow(img, cmap="gray")
    ax.set_title(lbl)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Transforms · 变换
#
# A model needs tensors, not PIL images. `ToTensor` turns an image of uint8 pixels (0-255,
# shape H x W) into a float tensor of shape (C, H, W) with values in [0, 1]. `Normalize` then
# subtracts a mean and divides by a standard deviation per channel; for MNIST the usual values
# are 0.1307 and 0.3081, the mean and std of all training pixels. `Compose` chains transforms.

# %%
to_tensor = transforms.ToTensor()
x = to_tensor(image)
print(x.shape, x.dtype, f"min {x.min().item():.1f} max {x.max().item():.1f}")

normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
pixels = torch.stack([normalize(mnist[i][0]) for i in range(1000)])
print(f"after Normalize: mean {pixels.mean().item():.3f}, std {pixels.std().item():.3f}")

# %% [markdown]
# ## Data augmentation · 数据增强
#
# Random transforms change each image a little every time it is loaded: shifted, rotated,
# cropped and rescaled digits are still the same digit, so the model learns to ignore those
# changes. Here is one digit through four augmentations, eight draws each (a grid made with
# `vision.utils.make_grid`).

# %%
augmentations = {
    "RandomCrop(28, padding=4)": transforms.RandomCrop(28, padding=4),
    "RandomRotation(25)": transforms.RandomRotation(25),
    "RandomResizedCrop(28, scale=(0.5, 1))": transforms.RandomResizedCrop(28, scale=(0.5, 1.0)),
    "RandomErasing (on tensors)": transforms.Compose([transforms.ToTensor(),
                                                      transforms.RandomErasing(p=1.0)]),
}
torch.manual_seed(0)
fig, axes = plt.subplots(len(augmentations), 1, figsize=(8, 5.5))
for ax, (name, aug) in zip(axes, augmentations.items()):
    views = [aug(image) for _ in range(8)]
    views = [v if isinstance(v, torch.Tensor) else to_tensor(v) for v in views]
    ax.imshow(make_grid(views, nrow=8, pad_value=1.0).permute(1, 2, 0).numpy())
    ax.set_title(name, fontsize=9)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# Colour transforms act on RGB images. `FakeData` makes random images to try them on;
# `ColorJitter` changes brightness, contrast, saturation and hue at random.

# %%
torch.manual_seed(0)
fake = datasets.FakeData(size=1, image_size=(3, 32, 32))
picture = transforms.Resize(64)(fake[0][0])
jitter = transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.8, hue=0.2)
grid = make_grid([to_tensor(picture)] + [to_tensor(jitter(picture)) for _ in range(7)], nrow=8)
plt.figure(figsize=(8, 1.3))
plt.imshow(grid.permute(1, 2, 0).numpy())
plt.axis("off")
plt.title("original, then 7 ColorJitter draws", fontsize=9)
plt.show()

# %% [markdown]
# ## Everything together · 组合起来
#
# A training pipeline: augmentation and normalization in `transform`, a shuffled loader with two
# workers. Each worker seeds its random generator from the loader's, so the augmented batches
# are reproducible too.

# %%
train_transform = transforms.Compose([
    transforms.RandomRotation(10),
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,)),
])
train_set = datasets.mnist_subset(train=True, transform=train_transform)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=2,
                          generator=torch.Generator().manual_seed(0))
images, labels = next(iter(train_loader))
print(images.shape, images.dtype, labels.shape, labels.dtype)
print("first labels:", labels[:12].tolist())
print("batches per epoch:", len(train_loader))

# %% [markdown]
# ## Summary · 小结
#
# * A `Dataset` has `__len__` and `__getitem__`; a `DataLoader` turns it into shuffled,
#   collated mini-batches. `len(loader)` is the number of batches per epoch.
# * `num_workers > 0` loads batches in worker processes, in order, and cleans up after itself.
# * `vision.datasets` gives `(PIL image, label)` samples; `transforms` convert (`ToTensor`),
#   normalize (`Normalize`) and augment (`RandomCrop`, `RandomRotation`, `ColorJitter`, ...).
# * Seeds (`torch.manual_seed`, `generator=`) make the order and the augmentations repeatable.
#
# **Exercises (练习)**
#
# 1. Change `CSVDataset` to read row `i` from the file only inside `__getitem__` (lazy loading).
# 2. Write a `collate_fn` that pads sequences of different lengths to the longest in the batch.
# 3. Write an `IterableDataset` that streams the CSV line by line, and use
#    `utils.data.get_worker_info()` so that two workers do not produce the same rows twice.
# 4. Show `transforms.RandomHorizontalFlip` on MNIST digits: why is it a bad augmentation here?
#
# Next: `09_mnist_mlp`, where we train a network on these batches.
