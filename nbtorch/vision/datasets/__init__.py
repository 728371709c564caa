"""Image datasets with torchvision's names, arguments and folder layout.

Samples are ``(PIL image, class index)``, so ``transforms`` compose as in torchvision.
``MNIST(root=None)`` works offline: it falls back to the MNIST subset shipped with nbtorch.
"""

from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST, mnist_subset
from .utils import data_root
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "EMNIST", "FakeData", "FashionMNIST", "IMG_EXTENSIONS",
           "DatasetFolder", "ImageFolder", "KMNIST", "MNIST", "VisionDataset", "data_root",
           "mnist_subset"]
