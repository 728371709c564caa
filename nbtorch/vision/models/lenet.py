"""LeNet: the small convolutional network of LeCun et al. (1998), the course's first CNN.

For 28x28 digits: two 5x5 convolutions with 2x2 max pooling (28 -> 14 -> 5 pixels), then
three fully connected layers 400 -> 120 -> 84 -> 10. ReLU replaces the original's tanh.
"""

from __future__ import annotations

from ... import nn
from ._weights import load_weights


class LeNet(nn.Module):
    """``features`` (conv, ReLU, pool, conv, ReLU, pool) then ``classifier`` (3 Linear)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def lenet(*, weights=None, pretrained: bool = False, **kwargs) -> LeNet:
    """A LeNet (``num_classes=10``, ``in_channels=1``), optionally with saved weights."""
    return load_weights(LeNet(**kwargs), weights, pretrained, "lenet")
