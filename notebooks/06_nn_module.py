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
# # 06 · Modules and layers: `nn.Module` · 模块与层
#
# Until now we wrote models as loose tensors and functions. Real models have thousands of
# parameters in dozens of layers; `nn.Module` keeps them organised: it finds the parameters for
# the optimizer, moves them between devices, saves and loads them, and switches behaviour
# between training and evaluation.
#
# **Goals of this notebook (学习目标)**
#
# 1. See how a `Module` discovers its `Parameter`s and sub-modules (by attribute assignment).
# 2. Compare `nn.Linear` with `nn.functional.linear`, and know when to use which.
# 3. See why `model.train()` and `model.eval()` matter, with `Dropout`.
# 4. Write a custom layer in four steps, including a hand-written backward.
# 5. Read a layer's documentation: constructor arguments, parameters, input and output shapes.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | module | 模块 | `nn.Module` |
# | parameter | 参数 | `nn.Parameter`, `model.parameters()` |
# | layer | 层 | `nn.Linear`, `nn.Conv2d` |
# | forward pass | 前向传播 | `model(x)` calls `forward` |
# | backward pass | 反向传播 | `loss.backward()` |
# | loss function | 损失函数 | `nn.CrossEntropyLoss()` |
# | activation function | 激活函数 | `nn.ReLU()`, `F.relu` |
# | buffer | 缓冲区 | `register_buffer` (BatchNorm's running mean) |
# | state dict | 状态字典 | `model.state_dict()` |
# | training / evaluation mode | 训练 / 评估模式 | `model.train()`, `model.eval()` |
# | hook | 钩子 | `register_forward_hook` |
# | weight initialisation | 权重初始化 | `nn.init.kaiming_uniform_` |

# %%
import nbtorch as torch
from nbtorch import nn
from nbtorch.nn import functional as F

_ = torch.manual_seed(0)

# %% [markdown]
# ## 1. Modules find their parameters · 参数的发现
#
# A module is a Python class. In `__init__` you assign layers and parameters as attributes;
# `nn.Module.__setattr__` looks at the type of each value and files it:
#
# * an `nn.Parameter` goes into `self._parameters`,
# * an `nn.Module` goes into `self._modules`,
# * anything else (a plain tensor, a number) is an ordinary attribute, invisible to
#   `parameters()`.


# %%
class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()  # must come first: it creates the registries
        self.hidden = nn.Linear(4, 8)  # a sub-module
        self.out = nn.Linear(8, 3)
        self.temperature = nn.Parameter(torch.ones(1))  # a parameter of our own
        self.not_learned = torch.zeros(2)  # a plain tensor: NOT a parameter

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x))) / self.temperature


net = TinyNet()
print(net)

# %%
for name, p in net.named_parameters():
    print(f"{name:15s} {tuple(p.shape)}")

# %% [markdown]
# `named_parameters()` walks the tree of modules recursively: the names are dotted paths
# (`hidden.weight`). Counting parameters is a one-liner:

# %%
print("parameters:", sum(p.numel() for p in net.parameters()))
print("children:", [name for name, _ in net.named_children()])

# %% [markdown]
# A `Parameter` is a tensor with `requires_grad=True` that says "I belong to a module".
# Its repr tells you so:

# %%
print(net.temperature)

# %% [markdown]
# The same discovery gives us `state_dict()` (every parameter and buffer by name: what
# `torch.save` stores) and `load_state_dict()`:

# %%
state = net.state_dict()
print(list(state.keys()))
twin = TinyNet()
print(twin.load_state_dict(state))

# %% [markdown]
# Loading a tensor of the wrong shape fails loudly, naming the key and both shapes:

# %% tags=["raises-exception"]
bad = dict(state)
bad["out.weight"] = torch.zeros(2, 8)
twin.load_state_dict(bad)

# %% [markdown]
# ## 2. `nn.Linear` or `F.linear`? · 模块形式与函数形式
#
# Every layer exists twice: as a **module** (`nn.Linear`, which owns its weight and bias)
# and as a **function** (`F.linear`, which takes them as arguments). They compute the same
# thing, y = x W^T + b:

# %%
layer = nn.Linear(4, 3)
x = torch.randn(2, 4)
y_module = layer(x)
y_function = F.linear(x, layer.weight, layer.bias)
y_by_hand = x @ layer.weight.T + layer.bias
print(y_module)
print(torch.allclose(y_module, y_function), torch.allclose(y_module, y_by_hand))

# %% [markdown]
# **When to use which** (怎么选):
#
# * A layer **with parameters** (Linear, Conv2d, BatchNorm, Embedding): use the module, so that
#   the parameters are registered, initialised, saved and moved with the model.
# * An operation **without parameters** (relu, max pooling, softmax, a loss): either works.
#   `F.relu(x)` in `forward` is common; `nn.ReLU()` is handy inside `nn.Sequential`.
# * Something whose behaviour depends on the mode (Dropout, BatchNorm): prefer the module,
#   which follows `model.train()` / `model.eval()` by itself. With `F.dropout` you must pass
#   `training=self.training` yourself.
# * The function form is what you need when the weights come from somewhere else
#   (weight sharing, a hypernetwork, meta-learning).
#
# `nn.Sequential` chains modules when the forward pass is just "one after another":

# %%
mlp = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
print(mlp)
print(mlp(x).shape, "first layer:", mlp[0])

# %% [markdown]
# ## 3. Training and evaluation mode: Dropout · 训练模式与评估模式
#
# Dropout (随机失活) zeroes each activation with probability p during training and scales the
# survivors by 1 / (1 - p), so the expected value stays the same. At evaluation time it must do
# nothing: we want deterministic predictions.

# %%
drop = nn.Dropout(p=0.5)
ones = torch.ones(10)
print("training:", drop.training, drop(ones))
drop.eval()
print("eval:    ", drop.training, drop(ones))

# %% [markdown]
# `model.train()` and `model.eval()` set the `training` flag on every sub-module. Forgetting
# `model.eval()` before testing is a classic bug: Dropout keeps dropping and BatchNorm keeps
# using (and updating) batch statistics.

# %%
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.BatchNorm1d(4))
model.eval()
print([m.training for m in model.modules()])
model.train()
print([m.training for m in model.modules()])

# %% [markdown]
# ## 4. A custom layer in four steps · 自定义层的四个步骤
#
# 1. **Subclass** `nn.Module` and call `super().__init__()`.
# 2. **Create the parameters** in `__init__` as `nn.Parameter`s (and initialise them).
# 3. **Compute** in `forward`, with tensor operations or `F` functions; autograd gives the
#    backward for free.
# 4. Where an operation is **not differentiable** (or you want a different gradient), write
#    it as an `autograd.Function` with its own `backward`.
#
# Our example: a linear layer whose outputs are *binarised* to ±1 (as in binary neural
# networks). `sign` has zero gradient almost everywhere, so we use the straight-through
# estimator: backward passes the gradient through as if the function were the identity
# (clipped to |x| <= 1).


# %%
class SignSTE(torch.autograd.Function):
    """sign(x) forward; straight-through gradient (1 where |x| <= 1) backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x.abs() <= 1).float()


class BinaryLinear(nn.Module):
    """y = sign(x W^T + b), with straight-through gradients."""

    def __init__(self, in_features, out_features):  # step 1
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))  # step 2
        self.bias = nn.Parameter(torch.zeros(out_features))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):  # step 3
        return SignSTE.apply(F.linear(x, self.weight, self.bias))  # step 4

    def extra_repr(self):
        return f"in_features={self.weight.shape[1]}, out_features={self.weight.shape[0]}"


blin = BinaryLinear(4, 3)
print(blin)
out = blin(x)
print(out)
out.sum().backward()
print("weight grad shape:", blin.weight.grad.shape, " bias grad:", blin.bias.grad)

# %% [markdown]
# It behaves like any built-in layer: it can sit inside `nn.Sequential`, its parameters
# appear in `parameters()`, and an optimizer can train it.

# %%
bnet = nn.Sequential(nn.Linear(4, 4), BinaryLinear(4, 2))
print([name for name, _ in bnet.named_parameters()])

# %% [markdown]
# ## 5. Reading a layer's documentation · 阅读层的文档
#
# Every layer's docstring answers three questions: what to pass to the **constructor**, which
# **parameters** it creates (with their shapes and initialisation), and which **input and
# output shapes** it works on.

# %%
print(nn.Conv2d.__doc__)

# %%
conv = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5, padding=2)
print(conv)
for name, p in conv.named_parameters():
    print(f"{name:7s} {tuple(p.shape)}")
images = torch.randn(8, 1, 28, 28)  # (N, C_in, H, W)
print("output:", tuple(conv(images).shape))  # (N, C_out, H_out, W_out)

# %% [markdown]
# With H = 28, padding 2, kernel 5, stride 1: H_out = floor((28 + 2·2 − 1·(5 − 1) − 1) / 1)
# + 1 = 28. A wrong input shape is reported with both shapes, so read the message:

# %% tags=["raises-exception"]
nn.Linear(5, 2)(torch.randn(4, 3))

# %% [markdown]
# Hooks let you look inside a model without changing it, e.g. to print every layer's output
# shape:

# %%
cnn = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
)
handles = [m.register_forward_hook(
    lambda mod, args, out: print(f"{type(mod).__name__:10s} -> {tuple(out.shape)}"))
    for m in cnn]
logits = cnn(images)
for h in handles:
    h.remove()
print("loss:", F.cross_entropy(logits, torch.randint(0, 10, (8,))).item() > 0)

# %% [markdown]
# ### Activation functions, interactively · 激活函数
#
# Pick an activation from the list: the explorer draws it and its derivative (computed by
# autograd). Notice where each one's gradient vanishes.

# %% tags=["nbval-ignore-output"]
from nbtorch import viz

viz.activation_explorer()

# %% [markdown]
# ## Summary · 小结
#
# * `nn.Module` registers what you assign: `Parameter`s, sub-modules, and buffers from
#   `register_buffer`. Everything else (`parameters()`, `state_dict()`, `to()`, `train()`)
#   walks that tree.
# * Use the module form for layers with parameters or a training/eval behaviour; the
#   functional form (`F`) for stateless operations or when you manage the weights yourself.
# * `model.train()` / `model.eval()` switch Dropout and BatchNorm; call `eval()` before
#   evaluating.
# * A custom layer: subclass, `Parameter`s in `__init__`, compute in `forward`, and an
#   `autograd.Function` where you need your own gradient.
#
# **Exercises (练习)**: in `exercises/`, implement a layer of your own (e.g. a `LayerNorm`
# from tensor operations) and plug it into a model; compare it with `nn.LayerNorm` on the same
# input. Then read `nbtorch/nn/modules/linear.py` and `nbtorch/nn/modules/module.py`: they
# are short. Next chapter: `07_optimizers`, which trains these modules.
