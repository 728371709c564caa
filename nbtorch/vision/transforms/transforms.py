"""Transforms: callable objects that turn one image into another (``torchvision.transforms``).

``Compose([RandomCrop(28, padding=2), ToTensor(), Normalize((0.1307,), (0.3081,))])`` is a
pipeline; the ``Random...`` transforms draw their randomness from nbtorch's default
generator, so ``nbtorch.manual_seed(0)`` makes an augmentation repeat. (In DataLoader
workers, each worker's generator is seeded differently.)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from ... import random as _random
from ..._tensor import Tensor
from . import functional as F
from .functional import InterpolationMode


def _rand() -> float:
    """A uniform number in [0, 1) from nbtorch's default generator."""
    return float(_random.default_generator._rng.random())


def _uniform(low: float, high: float) -> float:
    return low + (high - low) * _rand()


def _randint(low: int, high: int) -> int:
    """A random integer in [low, high)."""
    return int(_random.default_generator._rng.integers(low, high))


def _pair(size, name: str = "size") -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")


class _Transform:
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Compose(_Transform):
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: list[Callable]) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class ToTensor(_Transform):
    """PIL image / (H, W, C) array -> float tensor (C, H, W) with values in [0, 1]."""

    def __call__(self, pic) -> Tensor:
        return F.to_tensor(pic)


class PILToTensor(_Transform):
    """PIL image -> tensor (C, H, W) of the same (uint8) values."""

    def __call__(self, pic) -> Tensor:
        return F.pil_to_tensor(pic)


class ToPILImage(_Transform):
    """Tensor (C, H, W) or (H, W, C) array -> PIL image."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)


class Normalize(_Transform):
    """``(x - mean[c]) / std[c]`` per channel, on a float tensor."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)


class Resize(_Transform):
    """Resize to (h, w), or make the smaller edge ``size`` (an int) keeping the aspect."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True) -> None:
        self.size, self.interpolation, self.max_size = size, interpolation, max_size

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size)


class CenterCrop(_Transform):
    """The central (h, w) region."""

    def __init__(self, size) -> None:
        self.size = _pair(size)

    def __call__(self, img):
        return F.center_crop(img, self.size)


class Pad(_Transform):
    """Add a border (see ``functional.pad``)."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)


class Lambda(_Transform):
    """Apply any function: ``Lambda(lambda x: x * 2)``."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)


class Grayscale(_Transform):
    """Convert to grey, with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, self.num_output_channels)


class RandomCrop(_Transform):
    """A random (h, w) region, after optional ``padding`` (data augmentation for CIFAR and
    MNIST: ``RandomCrop(32, padding=4)`` shifts the image by up to 4 pixels)."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant") -> None:
        self.size = _pair(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    @staticmethod
    def get_params(img, output_size) -> tuple[int, int, int, int]:
        """Random (top, left, height, width) of a crop of ``output_size``."""
        w, h = F.get_image_size(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        w, h = F.get_image_size(img)
        if self.pad_if_needed and w < self.size[1]:
            img = F.pad(img, [self.size[1] - w, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and h < self.size[0]:
            img = F.pad(img, [0, self.size[0] - h], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))


class RandomHorizontalFlip(_Transform):
    """Mirror left-right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        return F.hflip(img) if _rand() < self.p else img


class RandomVerticalFlip(_Transform):
    """Mirror top-bottom with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        return F.vflip(img) if _rand() < self.p else img


class RandomRotation(_Transform):
    """Rotate by an angle drawn uniformly from ``degrees`` = (min, max), or (-d, d)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center=None, fill=0) -> None:
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        self.degrees = [float(d) for d in degrees]
        self.interpolation, self.expand, self.center, self.fill = \
            interpolation, expand, center, fill

    @staticmethod
    def get_params(degrees) -> float:
        return _uniform(degrees[0], degrees[1])

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)


class RandomResizedCrop(_Transform):
    """A random crop of random area (``scale``) and aspect (``ratio``), resized to ``size``:
    the standard ImageNet augmentation."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True) -> None:
        self.size = _pair(size)
        self.scale, self.ratio, self.interpolation = scale, ratio, interpolation

    @staticmethod
    def get_params(img, scale, ratio) -> tuple[int, int, int, int]:
        """Try 10 times to find a crop that fits; otherwise crop the centre."""
        width, height = F.get_image_size(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation)


class ColorJitter(_Transform):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    ``brightness=0.4`` draws a factor from [0.6, 1.4]; ``hue=0.1`` a shift from [-0.1, 0.1].
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        self.brightness = self._range(brightness, "brightness")
        self.contrast = self._range(contrast, "contrast")
        self.saturation = self._range(saturation, "saturation")
        self.hue = self._range(hue, "hue", center=0, bound=(-0.5, 0.5))

    @staticmethod
    def _range(value, name, center=1.0, bound=(0, float("inf"))):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if center == 1.0:
                value[0] = max(value[0], 0.0)
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        return None if value[0] == value[1] == center else tuple(value)

    def __call__(self, img):
        adjust = [(self.brightness, F.adjust_brightness), (self.contrast, F.adjust_contrast),
                  (self.saturation, F.adjust_saturation), (self.hue, F.adjust_hue)]
        for k in _random.randperm(4).tolist():
            value_range, fn = adjust[k]
            if value_range is not None:
                img = fn(img, _uniform(*value_range))
        return img


class RandomErasing(_Transform):
    """With probability ``p``, blank out a random rectangle of a tensor image (``value``: a
    number, a per-channel tuple, or ``'random'`` for noise)."""

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0,
                 inplace: bool = False) -> None:
        if not 0 <= p <= 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """Random (top, left, h, w, fill) of the erased box; the image itself if none fits."""
        c, h_img, w_img = img.shape[-3], img.shape[-2], img.shape[-1]
        area = h_img * w_img
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < h_img and w < w_img):
                continue
            if value is None:
                fill = _random.randn(c, h, w, dtype=img.dtype)
            else:
                from ..._creation import tensor

                fill = tensor(value, dtype=img.dtype).reshape(-1, 1, 1)
            return _randint(0, h_img - h + 1), _randint(0, w_img - w + 1), h, w, fill
        return 0, 0, h_img, w_img, img

    def __call__(self, img):
        if _rand() >= self.p:
            return img
        value = self.value
        if isinstance(value, numbers.Number):
            value = [value]
        elif isinstance(value, str):
            if value != "random":
                raise ValueError("If value is str, it should be 'random'")
            value = None
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, self.inplace)


class RandomApply(_Transform):
    """Apply the list of ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p: float = 0.5) -> None:
        self.transforms, self.p = transforms, p

    def __call__(self, img):
        if _rand() < self.p:
            for t in self.transforms:
                img = t(img)
        return img
