"""A small LeNet (convolution, max pooling, linear layers, cross-entropy, SGD with momentum)
trains on cuda exactly as on the CPU."""

import numpy as np
import pytest

import nbtorch as torch
import nbtorch.nn as nn
import nbtorch.nn.functional as F

pytestmark = pytest.mark.cuda


def _lenet():
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))


def _train(device):
    torch.manual_seed(0)
    model = _lenet().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(2, 1, 10, 10).to(device)
    y = torch.tensor([0, 2]).to(device)
    losses = []
    for _ in range(2):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.is_cuda == (device == "cuda") for p in model.parameters())
    return losses, [p.detach().cpu().numpy() for p in model.parameters()]


def test_lenet_training_equals_the_cpu():
    (loss_cpu, p_cpu), (loss_gpu, p_gpu) = _train("cpu"), _train("cuda")
    np.testing.assert_allclose(loss_gpu, loss_cpu, rtol=1e-5)
    for got, want in zip(p_gpu, p_cpu):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_conv_pool_and_pad_variants_equal_the_cpu():
    torch.manual_seed(1)
    x, w = torch.randn(2, 4, 7, 6), torch.randn(6, 2, 3, 2)
    results = []
    for device in ("cpu", "cuda"):
        xd = x.clone().to(device).requires_grad_()
        wd = w.clone().to(device).requires_grad_()
        out = F.conv2d(xd, wd, stride=(2, 1), padding=(1, 0), groups=2)
        out = F.max_pool2d(out, 2, stride=1, padding=1) + F.avg_pool2d(out, 2, stride=1,
                                                                        padding=1)
        z = out.sum() + F.pad(xd, (1, 2, 0, 1), value=0.5).square().mean()
        z = z + F.adaptive_avg_pool2d(xd, 2).sum()
        z.backward()
        results.append([t.detach().cpu().numpy() for t in (z, xd.grad, wd.grad)])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
