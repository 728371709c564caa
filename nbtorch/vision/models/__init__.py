"""Classic image-classification networks with torchvision's names, layer names and sizes.

``resnet18()`` builds a randomly initialised model; ``resnet18(weights='resnet18.pth')``
loads a state_dict you saved (with PyTorch or nbtorch). A PyTorch state_dict fits because
every layer has the name torchvision gives it.
"""

from .alexnet import AlexNet, alexnet
from .densenet import DenseNet, densenet121
from .lenet import LeNet, lenet
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .resnet import BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = ["AlexNet", "BasicBlock", "Bottleneck", "DenseNet", "LeNet", "MobileNetV2", "ResNet",
           "SqueezeNet", "VGG", "alexnet", "densenet121", "lenet", "mobilenet_v2", "resnet18",
           "resnet34", "resnet50", "resnet101", "squeezenet1_0", "squeezenet1_1", "vgg11",
           "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
