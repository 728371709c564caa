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
# # 09 · An MLP on MNIST · 用多层感知机识别手写数字
#
# Everything so far comes together: a dataset, a data loader, a model, a loss, an optimizer,
# and the training loop (训练循环). We train a **multilayer perceptron** (多层感知机, MLP) to
# read handwritten digits, watch the loss and accuracy while it learns, and look at its
# mistakes.
#
# **Goals (学习目标)**
#
# 1. Write the standard training loop: forward, loss, `zero_grad`, `backward`, `step`.
# 2. Evaluate on data the model has not seen, with `model.eval()` and `torch.no_grad()`.
# 3. Read a confusion matrix and look at misclassified digits.
#
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | multilayer perceptron | 多层感知机 | `nn.Sequential(nn.Linear, nn.ReLU, ...)` |
# | logits | 未归一化的分数 | the model's outputs |
# | cross-entropy loss | 交叉熵损失 | `nn.CrossEntropyLoss()` |
# | training / test set | 训练集 / 测试集 | `mnist_subset(train=True/False)` |
# | accuracy | 准确率 | correct predictions / all |
# | confusion matrix | 混淆矩阵 | counts of (true, predicted) pairs |
# | overfitting | 过拟合 | training accuracy far above test accuracy |

# %%
import matplotlib.pyplot as plt

import nbtorch as torch
from nbtorch import nn
from nbtorch.utils.data import DataLoader, TensorDataset
from nbtorch.viz import TrainingMonitor
from nbtorch.vision import datasets

_ = torch.manual_seed(0)

# %% [markdown]
# ## The data · 数据
#
# We use the MNIST subset that ships with nbtorch: 6,000 training and 1,000 test images of 28 x
# 28 grey pixels. For a dataset this small it is fastest to convert all images to one tensor
# once, instead of calling `ToTensor` and `Normalize` on every image in every epoch: scale the
# uint8 pixels to [0, 1], normalize with MNIST's mean and std, and flatten each image into a
# vector of 784 numbers, which is what an MLP takes.

# %%
train_set, test_set = datasets.mnist_subset(train=True), datasets.mnist_subset(train=False)


def to_vectors(ds):
    x = ds.data.float().div(255).sub(0.1307).div(0.3081)
    return x.reshape(len(ds), 784), ds.targets


x_train, y_train = to_vectors(train_set)
x_test, y_test = to_vectors(test_set)
print(x_train.shape, y_train.shape, x_test.shape)
print("images per class in training:", [(y_train == c).sum().item() for c in range(10)])

train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
                          generator=torch.Generator().manual_seed(0))
print("batches per epoch:", len(train_loader))

# %% [markdown]
# ## The model · 模型
#
# Two hidden layers with ReLU between them. The last layer outputs 10 **logits**, one score per
# digit; `CrossEntropyLoss` applies softmax and the negative log-likelihood in one stable step.

# %%
model = nn.Sequential(
    nn.Linear(784, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 10),
)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


# %% [markdown]
# ## The training loop · 训练循环
#
# One **epoch** is a pass over all batches. For each batch: compute the predictions and the
# loss, clear the old gradients, backpropagate, update. After each epoch we measure the
# accuracy on the test set, in evaluation mode and without recording a graph.

# %%
def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return correct


def train_one_epoch(model, loader):
    total, batches = 0.0, 0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches


# %% [markdown]
# Training for 5 epochs takes a few seconds. The monitor draws the curves live and shows a
# progress bar (its output changes from run to run, so the notebook tests ignore it).

# %% tags=["nbval-ignore-output"]
epochs = 5
monitor = TrainingMonitor(total=epochs, metrics=["train loss", "test accuracy"],
                          xlabel="epoch")
history = []
for epoch in range(epochs):
    train_loss = train_one_epoch(model, train_loader)
    test_acc = accuracy(model, x_test, y_test)
    history.append((train_loss, test_acc))
    monitor.update(**{"train loss": train_loss, "test accuracy": test_acc})
monitor.close()

# %% [markdown]
# The numbers, printed so that they can be checked:

# %%
for epoch, (loss, acc) in enumerate(history, 1):
    print(f"epoch {epoch}: train loss {loss:.4f}, test accuracy {acc:.3f}")
print(f"training accuracy {accuracy(model, x_train, y_train):.3f}")

# %% [markdown]
# Training accuracy is higher than test accuracy: the model has seen the training images. The
# gap is a first sign of **overfitting**; with all 60,000 MNIST images (`datasets.MNIST`) the
# same network reaches about 97%.
#
# ## Confusion matrix · 混淆矩阵
#
# Row *i*, column *j* counts the test digits of class *i* that the model called *j*. The
# diagonal holds the correct answers; everything else is a mistake, and its place tells which
# digits get confused.

# %%
model.eval()
with torch.no_grad():
    predictions = model(x_test).argmax(dim=1)
matrix = torch.zeros(10, 10, dtype=torch.int64)
for t, p in zip(y_test.tolist(), predictions.tolist()):
    matrix[t, p] += 1
print(matrix)

# %%
fig, ax = plt.subplots(figsize=(5, 4.5))
ax.imshow(matrix.numpy(), cmap="Blues")
for i in range(10):
    for j in range(10):
        value = matrix[i, j].item()
        ax.text(j, i, value, ha="center", va="center", fontsize=7,
                color="white" if value > matrix.max().item() / 2 else "black")
ax.set_xlabel("predicted")
ax.set_ylabel("true")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_title("confusion matrix (test set)")
plt.show()

# %% [markdown]
# ## Misclassified digits · 分错的数字
#
# The mistakes are often digits that a person would hesitate on too.

# %%
wrong = (predictions != y_test).nonzero().flatten()[:12]
print(f"{(predictions != y_test).sum().item()} of {len(y_test)} test digits are misclassified")
fig, axes = plt.subplots(2, 6, figsize=(8, 3))
for ax, i in zip(axes.flat, wrong.tolist()):
    ax.imshow(test_set.data[i].numpy(), cmap="gray")
    ax.set_title(f"true {y_test[i].item()}, said {predictions[i].item()}", fontsize=8)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Summary · 小结
#
# * The training loop is always the same five lines: predictions, loss, `zero_grad`,
#   `backward`, `step`.
# * Measure on a held-out test set, in `eval()` mode and under `no_grad()`.
# * A confusion matrix shows *which* classes are confused, not just how often.
#
# **Exercises (练习)**
#
# 1. Replace `SGD` by `optim.Adam(model.parameters(), lr=1e-3)`: faster or slower to learn?
# 2. Add `nn.Dropout(0.2)` after each ReLU and compare the gap between training and test
#    accuracy.
# 3. Train on `datasets.MNIST(root=None)` with the full set (if you have it in `$NBTORCH_DATA`)
#    and report the test accuracy after one epoch.
# 4. Add a learning-rate scheduler (`optim.lr_scheduler.StepLR`) and plot the learning rate.
#
# Next: `10_cnn`, where convolutions use the fact that the input is an image.
