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
# # 07 · Optimizers · 优化器
#
# `loss.backward()` gives us the gradient (梯度) of the loss with respect to every parameter.
# An **optimizer** turns those gradients into a change of the parameters. In this chapter we
# write the simplest one by hand, then use `nbtorch.optim`, and see what the others
# (momentum, Adam, ...) do differently, and how to change the learning rate while training.
#
# **Goals of this notebook (学习目标)**
#
# 1. Write gradient descent by hand (`w -= lr * w.grad` under `no_grad`), then with `optim.SGD`.
# 2. Know what an optimizer holds: `param_groups` and `state`.
# 3. Give different parts of a model different learning rates (parameter groups).
# 4. Change the learning rate during training, by hand and with a scheduler.
# 5. See momentum and Adam move on a 2-D loss surface.
# 6. Draw the learning-rate curves of the common schedulers.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | optimizer | 优化器 | `optim.SGD(params, lr=0.1)` |
# | learning rate | 学习率 | `lr`, `optimizer.param_groups[0]['lr']` |
# | gradient descent | 梯度下降 | `p -= lr * p.grad` |
# | stochastic gradient descent (SGD) | 随机梯度下降 | `optim.SGD` |
# | momentum | 动量 | `optim.SGD(..., momentum=0.9)` |
# | adaptive learning rate | 自适应学习率 | `optim.Adam`, `optim.RMSprop`, `optim.Adagrad` |
# | weight decay (L2 regularisation) | 权重衰减 (L2 正则化) | `weight_decay=1e-4` |
# | parameter group | 参数组 | `optimizer.param_groups` |
# | optimizer state | 优化器状态 | `optimizer.state[p]['momentum_buffer']` |
# | learning-rate scheduler | 学习率调度器 | `optim.lr_scheduler.StepLR` |
# | warm-up | 预热 | `lr_scheduler.LinearLR` |
# | cosine annealing | 余弦退火 | `lr_scheduler.CosineAnnealingLR` |
# | epoch | 轮次 | one pass over the training data |

# %%
import matplotlib.pyplot as plt
import numpy as np

import nbtorch as torch
from nbtorch import optim
from nbtorch.optim import lr_scheduler

_ = torch.manual_seed(0)  # the same random numbers on every run

# %% [markdown]
# ## 1. Gradient descent by hand · 手写梯度下降
#
# A small problem: fit a line `y = w * x + b` to 100 noisy points made from `y = 3x - 2`.
# The loss is the mean squared error (均方误差). Gradient descent repeats
#
# $$ w \leftarrow w - \text{lr} \cdot \frac{\partial L}{\partial w}, \qquad
#    b \leftarrow b - \text{lr} \cdot \frac{\partial L}{\partial b}. $$

# %%
x = torch.linspace(-1, 1, 100)
y = 3 * x - 2 + 0.1 * torch.randn(100)


def mse(w, b):
    return ((w * x + b - y) ** 2).mean()


# %% [markdown]
# Two details matter:
#
# * The update must not be recorded in the graph, so it runs under `torch.no_grad()`. (It
#   also must be *in place*, `w -= ...`: `w = w - ...` would make a new tensor that is not a
#   leaf any more.)
# * `backward` **adds** into `.grad`, so we reset the gradients after each step.

# %%
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1

for step in range(100):
    loss = mse(w, b)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()

print(f"by hand: w = {w.item():.4f}, b = {b.item():.4f}, loss = {mse(w, b).item():.5f}")

# %% [markdown]
# ## 2. The same with `optim.SGD`
#
# An optimizer does the update loop for us. We give it the tensors to train and the learning
# rate; each training step is then always the same three lines:
# `zero_grad()` (forget old gradients), `backward()` (new ones), `step()` (update).

# %%
w2 = torch.zeros(1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
optimizer = optim.SGD([w2, b2], lr=0.1)

for step in range(100):
    optimizer.zero_grad()
    loss = mse(w2, b2)
    loss.backward()
    optimizer.step()

print(f"optim.SGD: w = {w2.item():.4f}, b = {b2.item():.4f}")
print("same as by hand:", w2.item() == w.item() and b2.item() == b.item())

# %% [markdown]
# Inside, `SGD.step()` does exactly what we wrote: for every parameter `p` that has a
# gradient, `p -= lr * p.grad`, with autograd switched off. Read it in
# `nbtorch/optim/sgd.py` (about 20 lines of rule) and `nbtorch/optim/optimizer.py` (the loop).
#
# What does an optimizer hold? Its **parameter groups** (参数组): a list of dicts, each with
# the tensors (`'params'`) and a value for every option.

# %%
print(optimizer)
print(optimizer.param_groups[0].keys())

# %% [markdown]
# ## 3. Parameter groups: different learning rates · 参数组
#
# Pass a list of dicts instead of a list of tensors. Options a group does not set come from
# the keyword arguments (here `lr=0.1` for `w`); the bias gets its own `lr=0.5`. This is how
# one fine-tunes a pretrained network: a small lr for the pretrained body, a larger one for
# the new head.
#
# The course notes write the key as `'param'`. The key is **`'params'`**, with an *s*; the
# slip raises an error that names the key you wrote:

# %% tags=["raises-exception"]
optimizer = optim.SGD([{"param": [w2]}, {"param": [b2], "lr": 0.5}], lr=0.1)

# %% [markdown]
# Corrected:

# %%
w3 = torch.zeros(1, requires_grad=True)
b3 = torch.zeros(1, requires_grad=True)
optimizer = optim.SGD([{"params": [w3]}, {"params": [b3], "lr": 0.5}], lr=0.1)
for group in optimizer.param_groups:
    print(f"lr = {group['lr']}, momentum = {group['momentum']}, params: {len(group['params'])}")

for step in range(20):
    optimizer.zero_grad()
    mse(w3, b3).backward()
    optimizer.step()
print(f"after 20 steps: w = {w3.item():.4f}, b = {b3.item():.4f}")

# %% [markdown]
# With five times the learning rate, `b` has already reached its final value (about -1.99,
# see section 1); `w` is still on its way to 3.

# %% [markdown]
# `optimizer.add_param_group({...})` adds a group later (e.g. when you unfreeze a layer).
# A tensor may be in only one group.
#
# ## 4. Changing the learning rate during training · 训练中调整学习率
#
# A large learning rate makes fast progress early; a small one settles into the minimum
# later. Two ways, both from the course notes:
#
# **(a) By hand**: the optimizer reads `group['lr']` at every step, so editing it takes effect
# at the next step. Here: halve the learning rate every 10 epochs.

# %%
def fresh_model():
    torch.manual_seed(0)
    return torch.randn(1, requires_grad=True), torch.randn(1, requires_grad=True)


wa, ba = fresh_model()
optimizer = optim.SGD([wa, ba], lr=0.4, momentum=0.5)
lrs_by_hand = []
for epoch in range(30):
    if epoch > 0 and epoch % 10 == 0:
        for group in optimizer.param_groups:
            group["lr"] *= 0.5
    lrs_by_hand.append(optimizer.param_groups[0]["lr"])
    optimizer.zero_grad()
    mse(wa, ba).backward()
    optimizer.step()

# %% [markdown]
# **(b) With a scheduler** (学习率调度器): `StepLR(optimizer, step_size=10, gamma=0.5)` does
# the same. Call `scheduler.step()` once per epoch, *after* `optimizer.step()`.

# %%
wb, bb = fresh_model()
optimizer = optim.SGD([wb, bb], lr=0.4, momentum=0.5)
scheduler = lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
lrs_scheduled = []
for epoch in range(30):
    lrs_scheduled.append(scheduler.get_last_lr()[0])
    optimizer.zero_grad()
    mse(wb, bb).backward()
    optimizer.step()
    scheduler.step()

print("same learning rates:", lrs_by_hand == lrs_scheduled)
print("same weights:", wa.item() == wb.item() and ba.item() == bb.item())
print("lr at epochs 0, 10, 20:", lrs_scheduled[0], lrs_scheduled[10], lrs_scheduled[20])

# %% [markdown]
# ## 5. Momentum and Adam on a 2-D loss surface · 动量与 Adam
#
# To *see* an optimizer, give it a loss of two parameters only and draw the path of
# `(p[0], p[1])`. First an elongated valley, $f(x, y) = 0.1x^2 + 2y^2$: steep across, flat
# along.
#
# * **SGD** with a learning rate large enough to move along the valley bounces across it.
# * **Momentum** (动量) keeps a running sum of past gradients: the bounces cancel out, the
#   steps along the valley add up.
# * **Adam** divides each coordinate's step by the running size of its gradient, so both
#   directions move at about the same speed `lr`.

# %%
def valley(p):
    return 0.1 * p[0] ** 2 + 2 * p[1] ** 2


def path(loss_fn, start, opt_class, steps, **options):
    """The points visited by an optimizer minimising loss_fn from start."""
    p = torch.tensor(start, requires_grad=True)
    opt = opt_class([p], **options)
    points = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(p).backward()
        opt.step()
        points.append(p.detach().numpy().copy())
    return np.array(points)


def draw(loss_fn, paths, extent, levels, title):
    xs = np.linspace(extent[0], extent[1], 200)
    ys = np.linspace(extent[2], extent[3], 200)
    X, Y = np.meshgrid(xs, ys)
    Z = loss_fn(torch.tensor(np.stack([X, Y]))).numpy()
    plt.figure(figsize=(8, 4.5))
    plt.contour(X, Y, Z, levels=levels, cmap="Greys", linewidths=0.8)
    for i, (label, points) in enumerate(paths.items()):  # the first path drawn on top
        plt.plot(points[:, 0], points[:, 1], "o-", markersize=2.5, linewidth=1.2, label=label,
                 zorder=len(paths) - i)
    plt.title(title)
    plt.xlabel("p[0]")
    plt.ylabel("p[1]")
    plt.legend()


start = [-4.5, 1.5]
valley_paths = {
    "SGD lr=0.45": path(valley, start, optim.SGD, 40, lr=0.45),
    "SGD lr=0.2 momentum=0.8": path(valley, start, optim.SGD, 40, lr=0.2, momentum=0.8),
    "Adam lr=0.4": path(valley, start, optim.Adam, 40, lr=0.4),
}
draw(valley, valley_paths, (-5, 1.5, -2, 2), np.linspace(0.05, 6, 15) ** 1.5,
     "f(x, y) = 0.1 x² + 2 y²: 40 steps each")
plt.show()

# %%
for label, points in valley_paths.items():
    end = torch.tensor(points[-1])
    print(f"{label:26s} ends at ({end[0].item():+.3f}, {end[1].item():+.3f}), "
          f"loss {valley(end).item():.4f}")

# %% [markdown]
# Plain SGD zig-zags across the valley and creeps along it; momentum moves along the valley
# much faster but overshoots and swings around the minimum; Adam heads almost straight in,
# but its steps stay about `lr` long, so near the minimum it circles around instead of
# settling. A learning rate that shrinks over time (section 6) fixes that.
#
# Now the Rosenbrock function (香蕉函数), $f(x, y) = (1 - x)^2 + 100 (y - x^2)^2$, a curved
# valley with its minimum at $(1, 1)$: a classic test that plain gradient descent finds hard.

# %%
def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


start = [-1.5, 2.0]
banana_paths = {
    "SGD lr=1e-3": path(rosenbrock, start, optim.SGD, 500, lr=1e-3),
    "Adam lr=0.05": path(rosenbrock, start, optim.Adam, 500, lr=0.05),
    "SGD lr=1e-3 momentum=0.9": path(rosenbrock, start, optim.SGD, 500, lr=1e-3, momentum=0.9),
}
draw(rosenbrock, banana_paths, (-2, 2, -1, 3), np.logspace(-1, 3.5, 20),
     "Rosenbrock: 500 steps each, minimum at (1, 1)")
plt.plot([1], [1], "k*", markersize=12)
plt.show()

# %%
for label, points in banana_paths.items():
    end = torch.tensor(points[-1])
    print(f"{label:26s} ends at ({end[0].item():+.3f}, {end[1].item():+.3f}), "
          f"loss {rosenbrock(end).item():.4f}")

# %% [markdown]
# Plain SGD has barely entered the valley after 500 steps; Adam (drawn over the momentum
# path) is on its way along it; SGD with momentum gets closest to the minimum.
#
# What the optimizers remember between steps is their **state** (优化器状态), one dict per
# parameter: SGD with momentum keeps `'momentum_buffer'`; Adam keeps the step count and the
# two running averages `'exp_avg'` (of the gradient) and `'exp_avg_sq'` (of its square).
# `optimizer.state_dict()` packs the state and the groups (naming each parameter by its
# index), to save in a checkpoint next to the model's weights.

# %%
p = torch.tensor([-1.5, 2.0], requires_grad=True)
adam = optim.Adam([p], lr=0.05)
for _ in range(3):
    adam.zero_grad()
    rosenbrock(p).backward()
    adam.step()
adam.state_dict()

# %% [markdown]
# ## 6. Learning-rate schedulers · 学习率调度器
#
# Each scheduler is a rule for the learning rate as a function of the epoch. Below, each
# drives a fresh optimizer with `lr=0.1` for 100 epochs. `OneCycleLR` is meant to be stepped
# after every *batch*: it warms up, then anneals.

# %%
def lr_curve(make_scheduler, epochs=100):
    opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()  # (training would happen here)
        sched.step()
    return lrs


curves = {
    "StepLR(step_size=30, gamma=0.5)": lambda o: lr_scheduler.StepLR(o, 30, gamma=0.5),
    "MultiStepLR([50, 80], gamma=0.1)": lambda o: lr_scheduler.MultiStepLR(o, [50, 80]),
    "ExponentialLR(gamma=0.97)": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR(T_max=100)": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=100),
    "LinearLR warm-up, then cosine": lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10),
            lr_scheduler.CosineAnnealingLR(o, T_max=90)], milestones=[10]),
    "OneCycleLR(max_lr=0.1)": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100),
    "CosineAnnealingWarmRestarts(T_0=10, T_mult=2)":
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
}
fig, axes = plt.subplots(2, 4, figsize=(14, 6), sharex=True)
for ax, (title, make) in zip(axes.flat, curves.items()):
    ax.plot(lr_curve(make))
    ax.set_title(title, fontsize=9)
axes.flat[-1].axis("off")
for ax in axes[1]:
    ax.set_xlabel("epoch")
plt.tight_layout()
plt.show()

# %% [markdown]
# `ReduceLROnPlateau` is different: it watches a metric (the validation loss) and divides
# the learning rate when the metric stops improving for `patience` epochs. Call
# `scheduler.step(val_loss)`.

# %%
opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
plateau = lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2)
val_losses = [1.0, 0.8, 0.7, 0.7, 0.71, 0.7, 0.69, 0.7, 0.7, 0.7, 0.5, 0.5, 0.5, 0.5]
for epoch, val_loss in enumerate(val_losses):
    opt.step()
    plateau.step(val_loss)
    print(f"epoch {epoch:2d}: val_loss {val_loss:.2f} -> lr {plateau.get_last_lr()[0]:.4f}")

# %% [markdown]
# ## 7. Writing your own optimizer
#
# An optimizer is a subclass of `optim.Optimizer` whose `step` loops over the groups and
# changes each parameter in place. Here is SGD with momentum in a dozen lines (the state
# lives in `self.state[p]`, a dict per parameter):

# %%
class MySGD(optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = p.grad.clone()
                else:
                    state["velocity"].mul_(group["momentum"]).add_(p.grad)
                p -= group["lr"] * state["velocity"]


mine = path(rosenbrock, [-1.5, 2.0], MySGD, 500, lr=1e-3, momentum=0.9)
print("same path as optim.SGD:", np.allclose(mine, banana_paths["SGD lr=1e-3 momentum=0.9"]))

# %% [markdown]
# ### Try it yourself · 动手试试
#
# The playground below runs an nbtorch optimizer on a 2-D loss surface and redraws its path
# whenever you move a slider: find a learning rate that diverges, and see what momentum does
# on the banana-shaped Rosenbrock valley. (Widgets need a live notebook; in a static copy you
# see only the first picture.)

# %% tags=["nbval-ignore-output"]
from nbtorch import viz

viz.gradient_descent_playground("rosenbrock", steps=200)

# %% [markdown]
# ## Summary · 小结
#
# * Gradient descent is `p -= lr * p.grad` under `no_grad`, then reset the gradients.
#   An optimizer wraps this: `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`.
# * `optimizer.param_groups` is a list of dicts (`'params'` plus options): groups can have
#   different learning rates, and editing `group['lr']` changes the rate from the next step.
# * `optimizer.state[p]` is what the rule remembers: momentum buffers, Adam's averages;
#   `state_dict()` / `load_state_dict()` save and restore it.
# * Momentum smooths the zig-zags of SGD; Adam (and RMSprop, Adagrad) scale each coordinate
#   by the size of its gradients.
# * Schedulers (`StepLR`, `CosineAnnealingLR`, `OneCycleLR`, `ReduceLROnPlateau`, ...) write a
#   new `group['lr']` at each `scheduler.step()`, called after `optimizer.step()`.
#
# **Exercises (练习)**
#
# 1. Add Nesterov momentum to `MySGD` and compare it with `optim.SGD(..., nesterov=True)`.
# 2. Write Adam as an `Optimizer` subclass from the formulas in `nbtorch/optim/adam.py`'s
#    docstring, and check it against `optim.Adam` on the Rosenbrock function.
# 3. On the valley, find the largest learning rate for which plain SGD still converges.
#    (Hint: along `y` the update multiplies `y` by `1 - 4 lr`.)
# 4. Train the line fit with `OneCycleLR` and with a constant learning rate: which reaches a
#    lower loss in 50 steps?
#
# Next: `08_datasets_and_loaders`, where the gradients come from mini-batches.
