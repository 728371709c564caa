"""The image operations behind ``transforms``, on PIL images and on tensors (C, H, W).

A PIL image is what datasets return; a tensor is what ``ToTensor`` makes. Geometric
operations on tensors (resize, rotate) run PIL's float mode ("F") on each channel, so the
two paths compute the same thing; tensor values keep their dtype.
"""

from __future__ import annotations

import numbers
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ..._creation import as_tensor
from ..._dtype import get_default_dtype
from ..._tensor import Tensor


class InterpolationMode(Enum):
    """How to compute pixels between pixels when resizing or rotating."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_MODES = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
              InterpolationMode.BICUBIC: Image.BICUBIC, InterpolationMode.BOX: Image.BOX,
              InterpolationMode.HAMMING: Image.HAMMING, InterpolationMode.LANCZOS: Image.LANCZOS}


def _is_pil(img) -> bool:
    return isinstance(img, Image.Image)


def _check(img) -> None:
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _array(t: Tensor) -> np.ndarray:
    return t.detach().cpu()._array


def _wrap(array: np.ndarray, like: Tensor) -> Tensor:
    return Tensor._make(np.ascontiguousarray(array.astype(like._array.dtype, copy=False)))


def get_image_size(img) -> list[int]:
    """``[width, height]`` of a PIL image or a (..., H, W) tensor."""
    _check(img)
    return list(img.size) if _is_pil(img) else [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img) -> int:
    return len(img.getbands()) if _is_pil(img) else (1 if img.dim() == 2 else img.shape[-3])


# -- conversions ---------------------------------------------------------------------------


def to_tensor(pic) -> Tensor:
    """A PIL image or an (H, W, C) numpy array -> a float tensor (C, H, W); uint8 values are
    divided by 255, so pixels lie in [0, 1]."""
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    array = np.array(pic)
    if array.ndim == 2:
        array = array[:, :, None]
    chw = np.ascontiguousarray(array.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        return Tensor._make(chw.astype(get_default_dtype().numpy) / np.float32(255))
    if chw.dtype == np.bool_:
        return Tensor._make(chw.astype(get_default_dtype().numpy))
    return as_tensor(chw)


def pil_to_tensor(pic) -> Tensor:
    """A PIL image -> a tensor (C, H, W) of the same values (uint8 stays uint8, 0-255)."""
    if not _is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic)
    if array.ndim == 2:
        array = array[:, :, None]
    return as_tensor(np.ascontiguousarray(array.transpose(2, 0, 1)))


def to_pil_image(pic, mode: str | None = None) -> Image.Image:
    """A tensor (C, H, W) or numpy array (H, W, C) -> a PIL image.

    Float values are taken as lying in [0, 1]: they are scaled by 255 and clipped to 0-255.
    """
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        array = _array(pic)
        array = array[None] if array.ndim == 2 else array
        array = array.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.dtype.kind == "f" and mode != "F":
        array = np.clip(np.floor(array * 255), 0, 255).astype(np.uint8)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    channels = array.shape[2]
    if channels == 1:
        plane = array[:, :, 0]
        if mode is None:
            mode = {np.uint8: "L", np.int16: "I;16", np.int32: "I", np.float32: "F"}.get(
                plane.dtype.type)
        if mode == "F":
            plane = plane.astype(np.float32)
        return Image.fromarray(plane, mode=mode) if mode else Image.fromarray(plane)
    if array.dtype != np.uint8:
        raise TypeError(f"Input type {array.dtype} is not supported for {channels} channels")
    default = {2: "LA", 3: "RGB", 4: "RGBA"}.get(channels)
    if default is None:
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    return Image.fromarray(array, mode=mode or default)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """``(tensor - mean[c]) / std[c]`` for each channel c of a float tensor (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(tensor.shape)}")
    mean = as_tensor(np.asarray(mean, dtype=tensor.dtype.numpy)).to(tensor.device)
    std = as_tensor(np.asarray(std, dtype=tensor.dtype.numpy)).to(tensor.device)
    if np.any(_array(std) == 0):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                         "to division by zero.")
    if mean.dim() == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.dim() == 1:
        std = std.reshape(-1, 1, 1)
    out = (tensor - mean) / std
    if inplace:
        tensor.data = out.detach()
        return tensor
    return out


# -- geometry ------------------------------------------------------------------------------


def _per_channel(t: Tensor, fn) -> Tensor:
    """Apply a PIL operation to each (H, W) plane of a tensor, in PIL's float mode."""
    array = _array(t)
    planes = array.reshape(-1, *array.shape[-2:]).astype(np.float32)
    out = np.stack([np.asarray(fn(Image.fromarray(p, mode="F"))) for p in planes])
    if array.dtype.kind in "iub":
        out = np.clip(np.round(out), np.iinfo(array.dtype).min if array.dtype.kind != "b" else 0,
                      np.iinfo(array.dtype).max if array.dtype.kind != "b" else 1)
    return _wrap(out.reshape(*array.shape[:-2], *out.shape[-2:]), t)


def _output_size(w: int, h: int, size, max_size=None) -> tuple[int, int]:
    """(new width, new height) for ``resize``: an int sets the smaller edge."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return int(size[1]), int(size[0])
    short_edge = size[0] if isinstance(size, (list, tuple)) else size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = short_edge, int(short_edge * long / short)
    if max_size is not None and new_long > max_size:
        new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_short, new_long) if w <= h else (new_long, new_short)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
           antialias=True):
    """Resize to ``size`` = (h, w), or make the smaller edge ``size`` keeping the aspect."""
    _check(img)
    w, h = get_image_size(img)
    new_w, new_h = _output_size(w, h, size, max_size)
    resample = _PIL_MODES[InterpolationMode(interpolation)] \
        if not isinstance(interpolation, int) else interpolation
    if _is_pil(img):
        return img.resize((new_w, new_h), resample)
    return _per_channel(img, lambda p: p.resize((new_w, new_h), resample))


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Add a border: ``padding`` is p (all sides), (left/right, top/bottom) or (l, t, r, b).

    ``padding_mode``: ``'constant'`` (the value ``fill``), ``'edge'``, ``'reflect'``,
    ``'symmetric'``.
    """
    _check(img)
    if isinstance(padding, numbers.Number):
        padding = (int(padding),) * 4
    padding = tuple(padding)
    if len(padding) == 2:
        padding = padding * 2
    if len(padding) != 4:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = padding
    if _is_pil(img):
        if padding_mode == "constant":
            return ImageOps.expand(img, border=padding, fill=fill)
        array = np.asarray(img)
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
        return Image.fromarray(np.pad(array, widths, mode=padding_mode), mode=img.mode)
    array = _array(img)
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    return _wrap(np.pad(array, widths, mode=padding_mode, **kwargs), img)


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` region at (top, left); zeros where it leaves the image."""
    _check(img)
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    w, h = get_image_size(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        img = pad(img, [max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)])
        top, left = max(top, 0), max(left, 0)
    return _wrap(_array(img)[..., top:top + height, left:left + width], img)


def center_crop(img, output_size):
    """The central region of ``output_size`` (h, w), padding first if the image is smaller."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    crop_h, crop_w = output_size
    w, h = get_image_size(img)
    if crop_w > w or crop_h > h:
        img = pad(img, [(crop_w - w) // 2 if crop_w > w else 0,
                        (crop_h - h) // 2 if crop_h > h else 0,
                        (crop_w - w + 1) // 2 if crop_w > w else 0,
                        (crop_h - h + 1) // 2 if crop_h > h else 0])
        w, h = get_image_size(img)
    return crop(img, int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0)),
                crop_h, crop_w)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize`` (what RandomResizedCrop does)."""
    return resize(crop(img, top, left, height, width), size, interpolation)


def hflip(img):
    """Mirror left-right."""
    _check(img)
    if _is_pil(img):
        return img.transpose(Image.FLIP_LEFT_RIGHT)
    return _wrap(_array(img)[..., ::-1], img)


def vflip(img):
    """Mirror top-bottom."""
    _check(img)
    if _is_pil(img):
        return img.transpose(Image.FLIP_TOP_BOTTOM)
    return _wrap(_array(img)[..., ::-1, :], img)


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotate by ``angle`` degrees counter-clockwise around ``center`` (default: the middle)."""
    _check(img)
    resample = _PIL_MODES[InterpolationMode(interpolation)]
    if _is_pil(img):
        if isinstance(fill, (list, tuple)) and len(fill) == 1:
            fill = fill[0]
        fill = tuple(fill) if isinstance(fill, list) else fill
        return img.rotate(angle, resample, expand, center, fillcolor=fill)
    value = 0.0 if fill is None else float(fill[0] if isinstance(fill, (list, tuple)) else fill)
    return _per_channel(img, lambda p: p.rotate(angle, resample, expand, center,
                                                fillcolor=value))


# -- colour --------------------------------------------------------------------------------


def _bound(t: Tensor) -> float:
    return 1.0 if t.is_floating_point() else 255.0


def _blend(img: np.ndarray, other, ratio: float, bound: float, like: Tensor) -> Tensor:
    """``ratio * img + (1 - ratio) * other``, clipped to [0, bound] (torchvision's _blend)."""
    return _wrap(np.clip(ratio * img + (1.0 - ratio) * other, 0, bound), like)


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Luma: 0.2989 R + 0.587 G + 0.114 B (ITU-R 601-2), as 1 or 3 channels."""
    _check(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _is_pil(img):
        gray = img.convert("L")
        return Image.merge("RGB", [gray] * 3) if num_output_channels == 3 else gray
    array = _array(img)
    if array.shape[-3] == 1:
        gray = array.astype(np.float32)
    else:
        r, g, b = array[..., 0, :, :], array[..., 1, :, :], array[..., 2, :, :]
        gray = (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]
    gray = np.repeat(gray, num_output_channels, axis=-3)
    return _wrap(np.round(gray) if array.dtype.kind in "iu" else gray, img)


to_grayscale = rgb_to_grayscale


def adjust_brightness(img, brightness_factor: float):
    """Multiply every pixel by ``brightness_factor`` (0 gives black, 1 the same image)."""
    _check(img)
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if _is_pil(img):
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    return _blend(_array(img).astype(np.float32), 0.0, brightness_factor, _bound(img), img)


def adjust_contrast(img, contrast_factor: float):
    """Blend with the image's mean grey: 0 gives flat grey, 1 the same image."""
    _check(img)
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if _is_pil(img):
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    gray = _array(rgb_to_grayscale(img)) if img.shape[-3] == 3 else _array(img)
    mean = gray.astype(np.float32).mean(axis=(-3, -2, -1), keepdims=True)
    return _blend(_array(img).astype(np.float32), mean, contrast_factor, _bound(img), img)


def adjust_saturation(img, saturation_factor: float):
    """Blend with the grey image: 0 gives grey, 1 the same image, 2 twice as colourful."""
    _check(img)
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _is_pil(img):
        return ImageEnhance.Color(img).enhance(saturation_factor)
    gray = _array(rgb_to_grayscale(img)).astype(np.float32)
    return _blend(_array(img).astype(np.float32), gray, saturation_factor, _bound(img), img)


def adjust_hue(img, hue_factor: float):
    """Turn the colour wheel by ``hue_factor`` (in [-0.5, 0.5], a fraction of a full turn)."""
    _check(img)
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _is_pil(img):
        if img.mode in ("L", "1", "I", "F"):
            return img
        h, s, v = img.convert("HSV").split()
        h = Image.fromarray((np.asarray(h, dtype=np.uint8) + np.uint8(hue_factor * 255 % 256))
                            .astype(np.uint8), "L")
        return Image.merge("HSV", (h, s, v)).convert(img.mode)
    array = _array(img).astype(np.float32) / (255.0 if not img.is_floating_point() else 1.0)
    hsv = _rgb_to_hsv(array)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + hue_factor) % 1.0
    out = _hsv_to_rgb(hsv)
    return _wrap(out if img.is_floating_point() else np.round(out * 255), img)


def _rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    delta = maxc - minc
    s = np.where(maxc > 0, delta / np.where(maxc > 0, maxc, 1), 0)
    d = np.where(delta > 0, delta, 1)
    h = np.where(maxc == r, (g - b) / d, np.where(maxc == g, 2.0 + (b - r) / d,
                                                   4.0 + (r - g) / d))
    h = np.where(delta > 0, (h / 6.0) % 1.0, 0.0)
    return np.stack([h, s, maxc], axis=-3)


def _hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    return np.stack([np.choose(i, [c[k] for c in choices]) for k in range(3)], axis=-3)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set the (h, w) region at (i, j) of a tensor image to ``v`` (RandomErasing)."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    out = img if inplace else img.clone()
    out[..., i:i + h, j:j + w] = v
    return out


__all__ = ["InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue",
           "adjust_saturation", "center_crop", "crop", "erase", "get_image_num_channels",
           "get_image_size", "hflip", "normalize", "pad", "pil_to_tensor", "resize",
           "resized_crop", "rgb_to_grayscale", "rotate", "to_grayscale", "to_pil_image",
           "to_tensor", "vflip"]
