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
# # 12 · Saving and loading · 保存与加载
#
# Training takes time; what it produces, the parameters, must be kept. `torch.save` writes
# tensors and containers of tensors to a file and `torch.load` reads them back. nbtorch uses
# PyTorch's file format, so files go both ways between the two libraries.
#
# **Goals (学习目标)**
#
# 1. Save and load tensors, and a model's `state_dict`.
# 2. Write checkpoints (检查点) and resume training exactly where it stopped.
# 3. Use `map_location` to choose the device of loaded tensors.
# 4. Understand why loading a file must never run code from it.
#
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | serialization | 序列化 | `torch.save(obj, path)` |
# | state dict | 状态字典 | `model.state_dict()` |
# | checkpoint | 检查点 | `{"model": ..., "optimizer": ..., "epoch": ...}` |
# | resume training | 恢复训练 | `load_state_dict(...)` and continue |
# | map location | 映射位置 | `torch.load(path, map_location="cpu")` |
# | pickle | Python 序列化格式 | the format inside the file |
# | arbitrary code execution | 任意代码执行 | what a hostile pickle does |
# | atomic write | 原子写入 | a crash never leaves half a file |

# %%
import io
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

import nbtorch as torch
from nbtorch import nn

_ = torch.manual_seed(0)
folder = Path(tempfile.mkdtemp())

# %% [markdown]
# ## Tensors and containers · 张量与容器
#
# Anything made of dicts, lists, tuples, numbers, strings, `None` and tensors can be saved.
# A tensor comes back with its dtype, shape and `requires_grad`.

# %%
data = {"weights": torch.randn(2, 3), "steps": torch.arange(4), "name": "demo",
        "sizes": (28, 28), "note": None}
torch.save(data, folder / "data.pt")
loaded = torch.load(folder / "data.pt")
print(loaded)
print("equal:", torch.equal(loaded["weights"], data["weights"]), loaded["steps"].dtype)

# %% [markdown]
# The file is a zip archive: `data.pkl` describes the structure, and each tensor's bytes are a
# record of their own under `data/`. This is exactly the layout of PyTorch's `torch.save`.

# %%
with zipfile.ZipFile(folder / "data.pt") as z:
    for info in z.infolist():
        print(f"{info.filename:24s} {info.file_size:6d} bytes")

# %% [markdown]
# ## A model's state_dict · 模型的状态字典
#
# Save the **state_dict**, not the model object: an ordered dict from parameter names to
# tensors (plus buffers such as BatchNorm's running mean). To load, build the same
# architecture in code and call `load_state_dict`.

# %%
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
for name, tensor in model.state_dict().items():
    print(f"{name:10s} {tuple(tensor.shape)}")
torch.save(model.state_dict(), folder / "model.pt")

copy = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print(copy.load_state_dict(torch.load(folder / "model.pt")))
x = torch.randn(3, 4)
print("same outputs:", torch.equal(model(x), copy(x)))

# %% [markdown]
# A state_dict that does not fit the model is refused with the names and shapes involved:

# %% tags=["raises-exception"]
nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)).load_state_dict(
    torch.load(folder / "model.pt"))

# %% [markdown]
# ## Checkpoints and resuming · 检查点与恢复训练
#
# To continue an interrupted training run exactly, a checkpoint holds everything that changes
# during training: the model, the optimizer's state (momentum buffers), the epoch, and the
# random generator's state. Here we train 6 steps in one go, and 3 + 3 steps with a checkpoint
# in between, and compare.

# %%
inputs, targets = torch.randn(32, 4), torch.randn(32, 2)


def make():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    return net, torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)


def train(net, opt, steps):
    for _ in range(steps):
        batch = torch.randint(0, 32, (8,))  # uses the random generator
        loss = nn.functional.mse_loss(net(inputs[batch]), targets[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


net, opt = make()
print("6 steps in one go:", round(train(net, opt, 6), 6))

net, opt = make()
train(net, opt, 3)
torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "step": 3,
            "rng": torch.get_rng_state()}, folder / "checkpoint.pt")

# ... the session ends; later, a fresh process:
net2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt2 = torch.optim.SGD(net2.parameters(), lr=0.1, momentum=0.9)
checkpoint = torch.load(folder / "checkpoint.pt")
net2.load_state_dict(checkpoint["model"])
opt2.load_state_dict(checkpoint["optimizer"])
torch.set_rng_state(checkpoint["rng"])
print(f"resumed at step {checkpoint['step']}, 3 more steps:", round(train(net2, opt2, 3), 6))

# %% [markdown]
# The same loss: without the optimizer state the momentum would restart from zero, and
# without the random state the batches would differ.
#
# Saving is **atomic**: nbtorch writes to a temporary file in the same folder and renames it
# over the old checkpoint only when it is complete, so a crash (or Ctrl-C) during
# `torch.save` leaves the previous checkpoint intact.
#
# ## map_location · 加载到哪个设备
#
# A tensor remembers the device it was saved from (`'cpu'` or `'cuda:0'`) and comes back
# there. `map_location` overrides this: a device (`'cpu'`, `'cuda'`), a dict from saved
# locations to new ones, or a function `f(storage, location)`, called once for each storage
# (the block of memory that a tensor and its views share, as a flat tensor) that returns it
# where it should be. Loading a GPU checkpoint on a laptop without a GPU needs
# `map_location="cpu"`.

# %%
w = torch.load(folder / "model.pt", map_location="cpu")["0.weight"]
print(w.device)
w = torch.load(folder / "model.pt", map_location={"cuda:0": "cpu"})["0.weight"]
print(w.device)
seen = []
torch.load(folder / "model.pt", map_location=lambda storage, location: seen.append(location))
print("saved locations:", seen)

# %% [markdown]
# Files go to and from memory too (any binary file object):

# %%
buffer = io.BytesIO()
torch.save({"w": torch.ones(2)}, buffer)
print(len(buffer.getvalue()), "bytes")
buffer.seek(0)
print(torch.load(buffer))

# %% [markdown]
# ## Why loading must never run code · 为什么加载绝不能执行代码
#
# The structure inside the file is a **pickle**, Python's serialization format. A pickle is a
# small program for a stack machine, and one of its instructions says "import this function
# and call it". Python's own `pickle.load` follows it, so a file can run any command when it is
# loaded. Here is such a file; its command only creates a marker file:

# %%
marker = folder / "I_was_hacked.txt"


class Hostile:
    def __reduce__(self):  # "to rebuild me, call os.system with this command"
        return (os.system, (f"touch {marker}",))


payload = pickle.dumps({"weights": [1.0, 2.0], "surprise": Hostile()})
pickle.loads(payload)  # what plain pickle does
print("plain pickle ran the command:", marker.exists())
marker.unlink()

# %% [markdown]
# We put the same pickle into a checkpoint archive and give it to `torch.load`:

# %%
with zipfile.ZipFile(folder / "hostile.pt", "w") as z:
    z.writestr("archive/data.pkl", payload)
    z.writestr("archive/version", "3\n")

# %% tags=["raises-exception"]
torch.load(folder / "hostile.pt")

# %%
print("the command ran:", marker.exists())

# %% [markdown]
# nbtorch reads the pickle instructions itself and accepts only data: numbers, strings,
# lists, tuples, dicts, and the few functions that rebuild a tensor or an OrderedDict (what
# PyTorch's `torch.load(..., weights_only=True)` accepts). Anything else is refused before
# anything runs. This is also why we save state_dicts rather than whole model objects: a
# state_dict is pure data.
#
# Truncated or damaged files are reported clearly too (the zip format keeps a checksum of
# every record):

# %% tags=["raises-exception"]
good = (folder / "model.pt").read_bytes()
(folder / "damaged.pt").write_bytes(good[: len(good) // 2])
torch.load(folder / "damaged.pt")

# %% [markdown]
# ## Summary · 小结
#
# * `torch.save(obj, path)` / `torch.load(path)` for tensors and containers of tensors, in
#   PyTorch's zip format: files move between nbtorch and PyTorch.
# * Save `model.state_dict()`; rebuild the model in code and `load_state_dict`.
# * A checkpoint for resuming holds model, optimizer, epoch and random state.
# * `map_location` chooses the device of loaded tensors.
# * Never unpickle files you do not trust: pickle can run code. `nbtorch.load` only reads data.
#
# **Exercises (练习)**
#
# 1. Save a checkpoint every epoch while training the MLP of chapter 09, and keep the one
#    with the best test accuracy.
# 2. Load the LeNet you trained in chapter 10 with `models.lenet(weights=path)`.
# 3. Open a checkpoint with `zipfile` and `pickletools.dis` and find where a tensor's shape
#    is written.
# 4. What does `torch.load` say when a file asks for `builtins.eval`? Build such a pickle by
#    hand with `__reduce__` and try.
