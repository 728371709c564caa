"""vision.transforms on PIL images and tensors; oracles are numpy, PIL and colorsys."""

import colorsys

import numpy as np
import pytest
from PIL import Image

import nbtorch
from nbtorch.vision import transforms as T
from nbtorch.vision.transforms import functional as F

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (6, 8, 3)).astype(np.uint8)  # H=6, W=8


def pil():
    return Image.fromarray(RGB)


def as_hwc(img):
    return np.asarray(img) if isinstance(img, Image.Image) else img.numpy().transpose(1, 2, 0)


def test_to_tensor_pil_to_tensor_and_back():
    t = T.ToTensor()(pil())
    assert t.shape == (3, 6, 8) and t.dtype == nbtorch.float32
    np.testing.assert_allclose(t.numpy(), RGB.transpose(2, 0, 1) / 255, rtol=1e-6)
    u = T.PILToTensor()(pil())
    assert u.dtype == nbtorch.uint8 and np.array_equal(u.numpy(), RGB.transpose(2, 0, 1))
    assert np.array_equal(np.asarray(T.ToPILImage()(t)), RGB)
    assert np.array_equal(np.asarray(T.ToPILImage()(u)), RGB)
    grey = T.ToPILImage()(nbtorch.tensor([[[0.0, 0.5], [1.0, 2.0]]]))
    assert grey.mode == "L" and np.asarray(grey).tolist() == [[0, 127], [255, 255]]
    assert T.ToTensor()(RGB.astype(np.float64)).dtype == nbtorch.float64


def test_normalize():
    x = nbtorch.rand(3, 4, 5)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    expected = (x.numpy() - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(T.Normalize(mean, std)(x).numpy(), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="division by zero"):
        F.normalize(x, mean, (1, 0, 1))
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(nbtorch.ones(3, 2, 2, dtype=nbtorch.uint8), mean, std)


def test_resize_pil_and_tensor_agree_with_pil():
    out = T.Resize((3, 4))(pil())
    assert out.size == (4, 3)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(pil().resize((4, 3),
                                                                           Image.BILINEAR)))
    assert T.Resize(3)(pil()).size == (4, 3)  # smaller edge 6 -> 3, aspect kept
    t = T.ToTensor()(pil())
    rt = T.Resize((3, 4))(t)
    plane = Image.fromarray(t.numpy()[1], mode="F").resize((4, 3), Image.BILINEAR)
    np.testing.assert_allclose(rt.numpy()[1], np.asarray(plane), rtol=1e-6)


def test_crops():
    c = T.CenterCrop((2, 4))(pil())
    np.testing.assert_array_equal(np.asarray(c), RGB[2:4, 2:6])
    tc = T.CenterCrop((2, 4))(T.PILToTensor()(pil()))
    np.testing.assert_array_equal(as_hwc(tc), RGB[2:4, 2:6])
    big = T.CenterCrop(10)(T.PILToTensor()(pil()))  # larger than the image: zero padding
    assert big.shape == (3, 10, 10) and big.numpy()[:, 0].sum() == 0
    np.testing.assert_array_equal(as_hwc(big)[2:8, 1:9], RGB)
    assert np.array_equal(np.asarray(T.CenterCrop(10)(pil())), as_hwc(big))


def test_random_crop_with_padding_is_seeded_and_a_window():
    img = T.PILToTensor()(pil())
    padded = np.pad(RGB, ((2, 2), (2, 2), (0, 0)))
    nbtorch.manual_seed(0)
    outs = [as_hwc(T.RandomCrop(4, padding=2)(img)) for _ in range(5)]
    for out in outs:
        hits = [(i, j) for i in range(7) for j in range(9)
                if np.array_equal(padded[i:i + 4, j:j + 4], out)]
        assert hits
    nbtorch.manual_seed(0)
    again = [np.asarray(T.RandomCrop(4, padding=2)(pil())) for _ in range(5)]
    for a, b in zip(outs, again):  # PIL and tensor paths draw the same numbers
        np.testing.assert_array_equal(a, b)
    assert T.RandomCrop(10, pad_if_needed=True)(pil()).size == (10, 10)


def test_flips():
    img = T.PILToTensor()(pil())
    np.testing.assert_array_equal(as_hwc(T.RandomHorizontalFlip(p=1)(img)), RGB[:, ::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(p=1)(pil())), RGB[:, ::-1])
    np.testing.assert_array_equal(as_hwc(T.RandomVerticalFlip(p=1)(img)), RGB[::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(p=1)(pil())), RGB[::-1])
    assert T.RandomHorizontalFlip(p=0)(img) is img


def test_rotation_by_90_degrees():
    square = Image.fromarray(RGB[:6, :6])
    out = T.RandomRotation((90, 90))(square)
    np.testing.assert_array_equal(np.asarray(out), np.rot90(RGB[:6, :6]))
    t = T.PILToTensor()(square)
    np.testing.assert_array_equal(as_hwc(T.RandomRotation((90, 90))(t)), np.rot90(RGB[:6, :6]))
    with pytest.raises(ValueError):
        T.RandomRotation(-3)


def test_random_resized_crop_size_and_pad():
    nbtorch.manual_seed(1)
    assert T.RandomResizedCrop(5)(pil()).size == (5, 5)
    assert T.RandomResizedCrop((3, 7))(T.ToTensor()(pil())).shape == (3, 3, 7)
    img = T.PILToTensor()(pil())
    for mode in ("constant", "edge", "reflect", "symmetric"):
        expected = np.pad(RGB, ((2, 4), (1, 3), (0, 0)), mode=mode)
        np.testing.assert_array_equal(as_hwc(T.Pad((1, 2, 3, 4), padding_mode=mode)(img)),
                                      expected)
        np.testing.assert_array_equal(np.asarray(T.Pad((1, 2, 3, 4), padding_mode=mode)(pil())),
                                      expected)


def test_grayscale_and_color_adjustments():
    g = T.Grayscale()(pil())
    assert g.mode == "L"
    t = T.ToTensor()(pil())
    tg = T.Grayscale(3)(t)
    expected = (0.2989 * RGB[..., 0] + 0.587 * RGB[..., 1] + 0.114 * RGB[..., 2]) / 255
    assert tg.shape == (3, 6, 8)
    np.testing.assert_allclose(tg.numpy()[2], expected, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(g) / 255, expected, atol=1.5 / 255)  # PIL rounds
    b = F.adjust_brightness(t, 0.5)
    np.testing.assert_allclose(b.numpy(), t.numpy() * 0.5, rtol=1e-6)
    assert F.adjust_brightness(pil(), 2.0).size == (8, 6)
    s0 = F.adjust_saturation(t, 0.0)
    np.testing.assert_allclose(s0.numpy()[0], expected, rtol=1e-5)
    c0 = F.adjust_contrast(t, 0.0)
    np.testing.assert_allclose(c0.numpy(), np.full((3, 6, 8), expected.mean()), rtol=1e-5)


def test_hue_matches_colorsys():
    t = T.ToTensor()(pil())
    out = F.adjust_hue(t, 0.25).numpy()
    for y, x in [(0, 0), (3, 5), (5, 7)]:
        h, s, v = colorsys.rgb_to_hsv(*t.numpy()[:, y, x])
        np.testing.assert_allclose(out[:, y, x], colorsys.hsv_to_rgb((h + 0.25) % 1, s, v),
                                   atol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(t, 0.0).numpy(), t.numpy(), atol=1e-6)
    shifted = np.asarray(F.adjust_hue(pil(), 0.25)).astype(int)
    assert np.abs(shifted - RGB).max() > 10
    nbtorch.manual_seed(0)
    a = T.ColorJitter(0.4, 0.4, 0.4, 0.1)(t)
    nbtorch.manual_seed(0)
    np.testing.assert_array_equal(T.ColorJitter(0.4, 0.4, 0.4, 0.1)(t).numpy(), a.numpy())
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.7)


def test_random_erasing_and_lambda_and_compose():
    x = nbtorch.ones(3, 20, 20)
    nbtorch.manual_seed(3)
    out = T.RandomErasing(p=1.0, value=0)(x)
    zeros = out.numpy() == 0
    assert zeros.any() and x.numpy().all()  # not in place by default
    rows, cols = np.where(zeros[0])
    assert zeros[0][rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()  # a box
    assert T.RandomErasing(p=0.0)(x) is x
    tf = T.Compose([T.Lambda(lambda im: im.rotate(90, expand=True)), T.PILToTensor()])
    assert tf(pil()).shape == (3, 8, 6)
    assert "Lambda" in repr(tf)


@pytest.mark.oracle
def test_to_tensor_normalize_match_torch():
    torch = pytest.importorskip("torch")
    x = T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))(T.ToTensor()(pil())).numpy()
    tx = torch.from_numpy(RGB.transpose(2, 0, 1).astype(np.float32) / 255)
    tx = (tx - torch.tensor([0.5, 0.4, 0.3])[:, None, None]) / torch.tensor([0.2, 0.3, 0.4])[
        :, None, None]
    np.testing.assert_allclose(x, tx.numpy(), rtol=1e-5, atol=1e-6)
