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
# # 10 · Convolutional networks · 卷积神经网络
#
# An MLP treats an image as a list of 784 unrelated numbers: moving a digit by one pixel gives
# it a completely different input. A **convolution** (卷积) slides one small filter over the
# whole image, so the same pattern is recognised wherever it appears, with very few parameters.
#
# **Goals (学习目标)**
#
# 1. See what `Conv2d` and max pooling compute, by picture, and how they change the shape.
# 2. Train LeNet, the classic CNN, on MNIST.
# 3. Look inside: the learned filters and the feature maps.
# 4. Read the structure of VGG and ResNet from `nbtorch.vision.models`.
#
# ## Glossary · 术语表
#
# | English | 中文 | in nbtorch |
# |---|---|---|
# | convolution, kernel / filter | 卷积, 卷积核 / 滤波器 | `nn.Conv2d(1, 6, kernel_size=5)` |
# | channel | 通道 | dimension 1 of (N, C, H, W) |
# | stride, padding | 步幅, 填充 | `stride=2`, `padding=1` |
# | feature map | 特征图 | the output of a convolution |
# | pooling | 池化 | `nn.MaxPool2d(2)` |
# | receptive field | 感受野 | the input pixels an output sees |
# | residual connection | 残差连接 | `out + identity` in ResNet |
# | batch normalization | 批归一化 | `nn.BatchNorm2d` |

# %%
import matplotlib.pyplot as plt

import nbtorch as torch
import nbtorch.nn.functional as F
from nbtorch import nn
from nbtorch.utils.data import DataLoader, TensorDataset
from nbtorch.vision import datasets, models
from nbtorch.vision.models.vgg import CFGS, make_layers

_ = torch.manual_seed(0)

# %% [markdown]
# ## A convolution by picture · 图解卷积
#
# Each output pixel is the sum of a 3 x 3 window of the input multiplied by the 3 x 3 kernel.
# This hand-made kernel responds to a change from dark (left) to bright (right): it finds
# vertical edges. `F.conv2d` takes (N, C, H, W) images and (out_channels, in_channels, kH, kW)
# kernels.

# %%
train_set, test_set = datasets.mnist_subset(train=True), datasets.mnist_subset(train=False)
digit = train_set.data[0].float().div(255).reshape(1, 1, 28, 28)
edge = torch.tensor([[-1.0, 0.0, 1.0],
                     [-2.0, 0.0, 2.0],
                     [-1.0, 0.0, 1.0]]).reshape(1, 1, 3, 3)
edges = F.conv2d(digit, edge)
pooled = F.max_pool2d(edges, 2)
print("input", digit.shape, "-> conv 3x3", edges.shape, "-> max pool 2x2", pooled.shape)

fig, axes = plt.subplots(1, 4, figsize=(9, 2.4))
for ax, img, title in zip(axes, [digit[0, 0], edge[0, 0], edges[0, 0], pooled[0, 0]],
                          ["input 28x28", "kernel 3x3", "conv output 26x26",
                           "max pool 13x13"]):
    ax.imshow(img.numpy(), cmap="gray" if title.startswith("input") else "RdBu")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# Without padding a k x k kernel shrinks the image by k - 1; in general the output size is
# `(H + 2 * padding - kernel_size) // stride + 1`. **Max pooling** keeps the largest value of
# each 2 x 2 block: half the resolution, and a little tolerance to small shifts.

# %%
x = torch.zeros(1, 3, 32, 32)
for conv in [nn.Conv2d(3, 8, 3), nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(3, 8, 3, stride=2),
             nn.Conv2d(3, 8, 5, stride=2, padding=2)]:
    print(f"{str(conv):70s} -> {tuple(conv(x).shape)}")
print("a conv layer's parameters: weight", tuple(conv.weight.shape), "+ bias", tuple(conv.bias.shape))

# %% [markdown]
# ## LeNet on MNIST · 用 LeNet 识别手写数字
#
# LeNet (LeCun et al., 1998): two blocks of convolution + ReLU + max pooling extract features,
# three linear layers classify them. `vision.models.LeNet` is written for 28 x 28 digits.

# %%
model = models.LeNet()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
x = torch.zeros(1, 1, 28, 28)
for layer in model.features:
    x = layer(x)
    print(f"{layer.__class__.__name__:10s} -> {tuple(x.shape)}")


# %%
def as_images(ds):
    return ds.data.float().div(255).sub(0.1307).div(0.3081).unsqueeze(1), ds.targets


x_train, y_train = as_images(train_set)
x_test, y_test = as_images(test_set)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()


def test_accuracy():
    model.eval()
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
    model.train()
    return acc


# %% [markdown]
# Three epochs over the 6,000 training digits:

# %%
for epoch in range(3):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    print(f"epoch {epoch + 1}: train loss {total / len(loader):.4f}, "
          f"test accuracy {test_accuracy():.3f}")

# %% [markdown]
# LeNet has 61,706 parameters, the MLP of chapter 09 had 109,386: sharing each kernel over the
# whole image is the right assumption for images. Trained longer on the full MNIST, LeNet
# reaches about 99% test accuracy, the MLP about 98%.
#
# ## What did it learn? · 学到了什么
#
# The six 5 x 5 kernels of the first convolution (red positive, blue negative): most are
# stroke and edge detectors of some orientation.

# %%
filters = model.features[0].weight.detach()
fig, axes = plt.subplots(1, 6, figsize=(8, 1.6))
for ax, f in zip(axes, filters):
    limit = f.abs().max().item()
    ax.imshow(f[0].numpy(), cmap="RdBu", vmin=-limit, vmax=limit)
    ax.axis("off")
plt.suptitle("conv1 filters", fontsize=9)
plt.show()

# %% [markdown]
# The **feature maps**: what each of the six filters (after ReLU) sees in one test digit, and
# the 16 maps of the second block, at 5 x 5 pixels each.

# %%
model.eval()
with torch.no_grad():
    sample = x_test[:1]
    maps1 = model.features[:2](sample)[0]
    maps2 = model.features(sample)[0]
fig, axes = plt.subplots(3, 8, figsize=(8, 3.4))
for ax in axes.flat:
    ax.axis("off")
axes[0, 0].imshow(sample[0, 0].numpy(), cmap="gray")
axes[0, 0].set_title("input", fontsize=8)
for i in range(6):
    axes[0, i + 2].imshow(maps1[i].numpy(), cmap="viridis")
for i in range(16):
    axes[1 + i // 8, i % 8].imshow(maps2[i].numpy(), cmap="viridis")
plt.suptitle("feature maps: conv1 (top row), block 2 (rows 2-3)", fontsize=9)
plt.show()

# %% [markdown]
# ## Deeper networks: VGG and ResNet · 更深的网络
#
# `nbtorch.vision.models` has the classic ImageNet networks with torchvision's layer names, so a
# state_dict trained in PyTorch loads into them (`models.resnet18(weights="resnet18.pth")`).
#
# **VGG** stacks 3 x 3 convolutions (two 3 x 3 layers see a 5 x 5 window with fewer parameters
# than one 5 x 5 layer) and halves the resolution with max pooling after each stage. Its
# configuration is a list: channels, or `"M"` for a pool. VGG-11's convolutional part:

# %%
print("VGG-11 configuration:", CFGS["A"])
features = make_layers(CFGS["A"])
x = torch.zeros(1, 3, 64, 64)
with torch.no_grad():
    for layer in features:
        x = layer(x)
        if isinstance(layer, nn.MaxPool2d):
            print(f"after a stage: {tuple(x.shape)}")
print(f"conv parameters: {sum(p.numel() for p in features.parameters()):,}")
print("the classifier on 224x224 inputs adds 512*7*7*4096 + 4096*4096 + 4096*1000 weights: "
      f"{512 * 7 * 7 * 4096 + 4096 * 4096 + 4096 * 1000:,}")

# %% [markdown]
# **ResNet** adds the input of each block to its output, `relu(x + F(x))`: a block only has
# to learn a correction, and gradients flow straight through the additions, so networks of
# 50 or 100 layers still train. A `BasicBlock` of ResNet-18:

# %%
resnet = models.resnet18()
print(resnet.layer2[0])

# %%
print(f"{'stage':10s}{'output shape':>20s}{'parameters':>14s}")
x = torch.zeros(1, 3, 64, 64)
resnet.eval()
with torch.no_grad():
    for name, stage in resnet.named_children():
        x = stage(x.flatten(1) if name == "fc" else x)
        print(f"{name:10s}{str(tuple(x.shape)):>20s}{sum(p.numel() for p in stage.parameters()):>14,}")
print(f"total: {sum(p.numel() for p in resnet.parameters()):,} parameters (torchvision: 11,689,512)")

# %% [markdown]
# ### A convolution explorer · 卷积探索器
#
# Choose a kernel (or type your own nine numbers): the explorer convolves a picture with it
# using `F.conv2d`. Edge detectors respond where the brightness changes, a blur averages.

# %% tags=["nbval-ignore-output"]
from nbtorch import viz

viz.convolution_explorer()

# %% [markdown]
# ## Summary · 小结
#
# * A convolution slides a small kernel over the image: few parameters, the same detector
#   everywhere. Output size: `(H + 2p - k) // s + 1`. Pooling halves the resolution.
# * LeNet = (conv, ReLU, pool) x 2 + linear layers; it beats a bigger MLP on MNIST.
# * First-layer filters become edge and stroke detectors; deeper feature maps are coarser
#   and more abstract.
# * VGG: deep stacks of 3 x 3 convolutions. ResNet: residual connections make very deep
#   networks trainable.
#
# **Exercises (练习)**
#
# 1. Compute by hand the output shape of `nn.Conv2d(16, 32, 3, stride=2, padding=1)` on a
#    (8, 16, 28, 28) input, then check it.
# 2. Replace LeNet's max pooling by `nn.AvgPool2d(2)` and its ReLU by `nn.Sigmoid()` (the 1998
#    version): how does the test accuracy change after 3 epochs?
# 3. Add `nn.BatchNorm2d` after each convolution of LeNet. Does it train faster?
# 4. Write a `BasicBlock` yourself and check that it gives the same output as
#    `models.resnet.BasicBlock` with the same weights (`load_state_dict`).
#
# Next: `11_...`, and `12_save_and_load` to keep what you trained.
