"""VGG (Simonyan & Zisserman, 2014): stacks of 3x3 convolutions, with torchvision's names.

A configuration lists the channels of each 3x3 convolution and ``"M"`` for a 2x2 max pool;
``_bn`` variants put a BatchNorm2d after every convolution.
"""

from __future__ import annotations

from ... import nn
from ._weights import load_weights

CFGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


def make_layers(cfg: list, batch_norm: bool = False) -> nn.Sequential:
    """The ``features`` part of a VGG from a configuration list."""
    layers, in_channels = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """``features`` (convolutions), ``avgpool`` to 7x7, ``classifier`` (three Linear)."""

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def _vgg(name: str, cfg: str, batch_norm: bool, weights, pretrained: bool, kwargs) -> VGG:
    if weights is not None or pretrained:
        kwargs.setdefault("init_weights", False)
    model = VGG(make_layers(CFGS[cfg], batch_norm), **kwargs)
    return load_weights(model, weights, pretrained, name)


def vgg11(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-11 (configuration "A")."""
    return _vgg("vgg11", "A", False, weights, pretrained, kwargs)


def vgg11_bn(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-11 with batch normalization."""
    return _vgg("vgg11_bn", "A", True, weights, pretrained, kwargs)


def vgg13(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-13 (configuration "B")."""
    return _vgg("vgg13", "B", False, weights, pretrained, kwargs)


def vgg13_bn(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-13 with batch normalization."""
    return _vgg("vgg13_bn", "B", True, weights, pretrained, kwargs)


def vgg16(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-16 (configuration "D", 138,357,544 parameters)."""
    return _vgg("vgg16", "D", False, weights, pretrained, kwargs)


def vgg16_bn(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-16 with batch normalization."""
    return _vgg("vgg16_bn", "D", True, weights, pretrained, kwargs)


def vgg19(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-19 (configuration "E")."""
    return _vgg("vgg19", "E", False, weights, pretrained, kwargs)


def vgg19_bn(*, weights=None, pretrained=False, progress=True, **kwargs) -> VGG:
    """VGG-19 with batch normalization."""
    return _vgg("vgg19_bn", "E", True, weights, pretrained, kwargs)
