"""vision.models: torchvision's parameter counts, forward shapes, and loading weights."""

import numpy as np
import pytest

import nbtorch
from nbtorch import nn
from nbtorch.vision import models

# torchvision's published parameter counts (1000 classes)
COUNTS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
          "resnet101": 44_549_160, "alexnet": 61_100_840, "vgg11": 132_863_336,
          "vgg11_bn": 132_868_840, "vgg16": 138_357_544, "vgg16_bn": 138_365_992,
          "vgg19_bn": 143_678_248, "squeezenet1_0": 1_248_424, "squeezenet1_1": 1_235_496,
          "mobilenet_v2": 3_504_872, "densenet121": 7_978_856}


@pytest.fixture
def skip_random_init(monkeypatch):
    """Building VGG allocates its 0.5 GB of weights once; skip drawing random numbers."""
    for name in ("uniform_", "normal_", "kaiming_normal_", "kaiming_uniform_"):
        monkeypatch.setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_torchvision(name, skip_random_init):
    assert n_params(getattr(models, name)()) == COUNTS[name]


def test_layer_names_match_torchvision():
    keys = list(models.resnet18().state_dict())
    assert keys[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                        "bn1.running_var", "bn1.num_batches_tracked"]
    assert "layer2.0.downsample.0.weight" in keys and keys[-2:] == ["fc.weight", "fc.bias"]
    keys = list(models.mobilenet_v2().state_dict())
    assert "features.0.0.weight" in keys and "features.1.conv.0.0.weight" in keys
    assert "features.2.conv.1.0.weight" in keys and "classifier.1.weight" in keys
    keys = list(models.densenet121().state_dict())
    assert "features.denseblock1.denselayer1.norm1.weight" in keys
    assert "features.transition1.conv.weight" in keys and "features.norm5.weight" in keys
    keys = list(models.squeezenet1_1().state_dict())
    assert "features.3.expand3x3.weight" in keys and "classifier.1.weight" in keys


@pytest.mark.parametrize("build, size", [
    (lambda: models.resnet18(num_classes=7), 64), (lambda: models.resnet50(num_classes=7), 64),
    (lambda: models.squeezenet1_1(num_classes=7), 64),
    (lambda: models.mobilenet_v2(num_classes=7), 32),
    (lambda: models.densenet121(num_classes=7), 32),
])
def test_forward_shapes(build, size):
    nbtorch.manual_seed(0)
    model = build().eval()
    with nbtorch.no_grad():
        out = model(nbtorch.randn(2, 3, size, size))
    assert out.shape == (2, 7) and np.isfinite(out.numpy()).all()


def test_lenet_trains_on_a_batch():
    nbtorch.manual_seed(0)
    model = models.LeNet()
    x, y = nbtorch.randn(8, 1, 28, 28), nbtorch.randint(0, 10, (8,))
    opt = nbtorch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(40):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 2


def test_weights_from_a_file_and_clear_error_without(tmp_path):
    nbtorch.manual_seed(0)
    source = models.resnet18(num_classes=3)
    path = tmp_path / "r18.pth"
    nbtorch.save(source.state_dict(), path)
    loaded = models.resnet18(weights=str(path), num_classes=3)
    x = nbtorch.randn(1, 3, 32, 32)
    with nbtorch.no_grad():
        np.testing.assert_array_equal(source.eval()(x).numpy(), loaded.eval()(x).numpy())
    for kwargs in ({"pretrained": True}, {"weights": "IMAGENET1K_V1"}):
        with pytest.raises(RuntimeError, match="does not download pretrained weights.*"
                                               "torch.save.*resnet18\\(weights="):
            models.resnet18(**kwargs)


def test_densenet_accepts_the_published_key_names():
    model = models.densenet121(num_classes=2)
    sd = model.state_dict()
    old = {k.replace("denselayer1.norm1.", "denselayer1.norm.1."): v for k, v in sd.items()}
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    models.densenet121(weights=old, num_classes=2)


@pytest.mark.oracle
def test_lenet_loads_pytorch_weights_and_agrees(tmp_path):
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class TorchLeNet(tnn.Module):  # the same architecture, written in PyTorch
        def __init__(self):
            super().__init__()
            self.features = tnn.Sequential(
                tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2))
            self.classifier = tnn.Sequential(tnn.Linear(400, 120), tnn.ReLU(),
                                             tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.features(x).flatten(1))

    torch.manual_seed(0)
    tmodel = TorchLeNet()
    path = tmp_path / "lenet.pth"
    torch.save(tmodel.state_dict(), path)
    model = models.lenet(weights=path)
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32)
    expected = tmodel(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(nbtorch.from_numpy(x)).detach().numpy(), expected,
                               rtol=1e-4, atol=1e-5)
