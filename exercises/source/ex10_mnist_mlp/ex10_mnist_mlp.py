# %% [markdown]
# # Exercise 10 · Classify handwritten digits · 手写数字分类
#
# **Chapter 09 (an MLP on MNIST 多层感知机).**
#
# Train a classifier (分类器) on the MNIST subset shipped with nbtorch (6,000 training
# images, 1,000 test images, 28×28 grey digits) to a **test accuracy (测试准确率) of at
# least 88%**. Write three pieces:
#
# 1. `build_model()`: a fresh `nn.Module` that maps a batch of flattened images `(B, 784)` to
#    10 scores (logits, 未归一化分数) `(B, 10)`, e.g. `Linear → ReLU → Linear`;
# 2. `train(model, loader, epochs)`: the training loop (训练循环): for each batch,
#    `zero_grad`, forward, `nn.functional.cross_entropy` loss (交叉熵), `backward`, `step`.
#    Create the optimizer inside (`torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)`
#    works well);
# 3. `accuracy(model, x, y)`: the fraction (a Python float) of rows whose highest score is
#    the label, computed without recording gradients (`torch.no_grad()`) and in `eval()`
#    mode.
#
# Keep training short: the whole notebook must run in well under a minute when graded
# (3 epochs of an MLP with one hidden layer of 128 units take a few seconds).
# Do not change the given cells: the data must stay as given (standardized, flattened).

# %%

import nbtorch as torch
from nbtorch import nn
from nbtorch.exercises import check
from nbtorch.utils.data import DataLoader, TensorDataset
from nbtorch.vision import datasets

MEAN, STD = 0.1307, 0.3081  # of the training pixels: inputs are standardized (标准化)
train_set, test_set = datasets.mnist_subset(train=True), datasets.mnist_subset(train=False)
train_x = (train_set.data.reshape(-1, 784).float() / 255 - MEAN) / STD  # (6000, 784)
train_y = train_set.targets.long()
test_x = (test_set.data.reshape(-1, 784).float() / 255 - MEAN) / STD
test_y = test_set.targets.long()
train_loader = DataLoader(TensorDataset(train_x, train_y), batch_size=64, shuffle=True)
EPOCHS = 3
print(train_x.shape, test_x.shape)

# %% solution="build_model"
def build_model():
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    ### END SOLUTION


# %% test="test_build_model" points=1
check.ex10(build_model)
### BEGIN HIDDEN TESTS
_a, _b = build_model(), build_model()
assert _a is not _b and list(_a.parameters())[0] is not list(_b.parameters())[0]
assert tuple(_a(torch.rand(1, 784)).shape) == (1, 10)
### END HIDDEN TESTS

# %% solution="accuracy"
def accuracy(model, x, y):
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    return (predicted == y).float().mean().item()
    ### END SOLUTION


# %% test="test_accuracy" points=1
check.ex10(accuracy)
### BEGIN HIDDEN TESTS
class _Constant(nn.Module):
    def forward(self, x):
        return torch.eye(10)[torch.full((x.shape[0],), 7, dtype=torch.int64)]


_acc = accuracy(_Constant(), test_x, test_y)
assert isinstance(_acc, float) and abs(_acc - float((test_y.numpy() == 7).mean())) < 1e-6
### END HIDDEN TESTS

# %% solution="train"
def train(model, loader, epochs):
    ### BEGIN SOLUTION
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
    ### END SOLUTION


# %% test="test_train" points=1
check.ex10(train)

# %% [markdown]
# ## Train your model · 训练

# %%
torch.manual_seed(0)
model = build_model()
train(model, train_loader, EPOCHS)
print(f"test accuracy: {accuracy(model, test_x, test_y):.3f}")

# %% test="test_test_accuracy" points=3
check.ex10(model, part="trained")
### BEGIN HIDDEN TESTS
model.eval()
with torch.no_grad():
    _scores = model(test_x).numpy()
assert (_scores.argmax(1) == test_y.numpy()).mean() >= 0.88
### END HIDDEN TESTS
