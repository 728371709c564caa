"""vision.utils: make_grid and save_image."""

import numpy as np
from PIL import Image

import nbtorch
from nbtorch.vision.utils import make_grid, save_image


def test_make_grid_layout():
    batch = nbtorch.arange(5 * 3 * 2 * 2, dtype=nbtorch.float32).reshape(5, 3, 2, 2)
    grid = make_grid(batch, nrow=3, padding=1, pad_value=-1)
    assert grid.shape == (3, 2 * 3 + 1, 3 * 3 + 1)
    g = grid.numpy()
    np.testing.assert_array_equal(g[:, 1:3, 1:3], batch.numpy()[0])
    np.testing.assert_array_equal(g[:, 4:6, 4:6], batch.numpy()[4])  # row 1, column 1
    assert (g[:, 4:6, 7:9] == -1).all()  # the empty sixth cell is padding
    assert make_grid(nbtorch.ones(1, 1, 4, 4)).shape == (3, 4, 4)  # grey -> 3 channels


def test_make_grid_normalize():
    batch = nbtorch.tensor([[[[0.0, 2.0]]], [[[4.0, 8.0]]]])
    g = make_grid(batch, padding=0, normalize=True).numpy()
    np.testing.assert_allclose(g[0], [[0, 0.25, 0.5, 1.0]])
    each = make_grid(batch, padding=0, normalize=True, scale_each=True).numpy()
    np.testing.assert_allclose(each[0], [[0, 1, 0, 1]])


def test_save_image(tmp_path):
    x = nbtorch.rand(4, 3, 5, 5)
    save_image(x, tmp_path / "grid.png", nrow=2, padding=0)
    img = np.asarray(Image.open(tmp_path / "grid.png"))
    assert img.shape == (10, 10, 3)
    expected = np.clip(x.numpy()[3].transpose(1, 2, 0) * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(img[5:, 5:], expected)
