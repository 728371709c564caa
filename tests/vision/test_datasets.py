"""vision.datasets: IDX/CIFAR readers, the embedded subset, folders, and downloads served by a
local HTTP server (never the internet)."""

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nbtorch
from nbtorch.vision import datasets
from nbtorch.vision.datasets.mnist import EMBEDDED_ROOT, read_idx, write_idx

FULL_MNIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"


def test_embedded_subset_is_the_start_of_real_mnist():
    train, test = datasets.mnist_subset(), datasets.mnist_subset(train=False)
    assert len(train) == 6000 and len(test) == 1000
    assert train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert test.targets[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert train.data.dtype == nbtorch.uint8 and train.targets.dtype == nbtorch.int64
    img, label = train[0]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert label == 5
    total = sum(p.stat().st_size for p in EMBEDDED_ROOT.rglob("*") if p.is_file())
    assert total < 5_000_000
    if FULL_MNIST.exists():
        full = read_idx(FULL_MNIST / "train-images-idx3-ubyte.gz")
        np.testing.assert_array_equal(train.data.numpy(), full[:6000])


def test_root_none_falls_back_to_the_subset_and_prefers_the_full_set(tmp_path, monkeypatch):
    monkeypatch.setenv("NBTORCH_DATA", str(tmp_path))
    assert datasets.data_root() == tmp_path
    assert len(datasets.MNIST()) == 6000
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    for prefix in ("train", "t10k"):
        write_idx(raw / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte.gz", np.array([1, 2, 3], np.uint8))
    ds = datasets.MNIST(train=False)
    assert len(ds) == 3 and ds.targets.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(np.asarray(ds[2][0]), images[2])


def test_default_data_root_is_under_the_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NBTORCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert datasets.data_root() == tmp_path / "nbtorch"


@pytest.mark.skipif(not FULL_MNIST.exists(), reason="full MNIST not in ../shared/data/mnist")
def test_reads_full_mnist_in_torchvision_layout(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in FULL_MNIST.glob("t10k-*.gz"):
        (raw / f.name).symlink_to(f)
    ds = datasets.MNIST(tmp_path, train=False)
    assert len(ds) == 10000 and ds.targets[:3].tolist() == [7, 2, 1]
    pixels = ds.data.numpy().astype(np.float64) / 255
    assert abs(pixels.mean() - 0.1325) < 1e-3  # the test set's well-known mean


def test_raw_uncompressed_files_and_transforms(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28)).astype(np.uint8)
    write_idx(raw / "train-images-idx3-ubyte.gz", images)
    with gzip.open(raw / "train-images-idx3-ubyte.gz") as f:  # also the unzipped form
        (raw / "train-images-idx3-ubyte").write_bytes(f.read())
    (raw / "train-images-idx3-ubyte.gz").unlink()
    write_idx(raw / "train-labels-idx1-ubyte.gz", np.array([0, 9, 3, 3], np.uint8))
    ds = datasets.FashionMNIST(tmp_path, transform=lambda im: np.asarray(im).sum(),
                               target_transform=lambda y: ds.classes[y])
    assert ds[1] == (images[1].sum(), "Ankle boot")


def test_missing_and_corrupt_files_are_reported(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found.*download=True"):
        datasets.KMNIST(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    write_idx(raw / "train-images-idx3-ubyte.gz", np.zeros((5, 28, 28), np.uint8))
    write_idx(raw / "train-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    data = (raw / "train-images-idx3-ubyte.gz").read_bytes()
    (raw / "train-images-idx3-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        datasets.MNIST(tmp_path)
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:  # header says 5, has 4
        f.write(bytes([0, 0, 8, 3]) + (5).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
                + bytes(4 * 28 * 28))
    with pytest.raises(RuntimeError, match="truncated or corrupt.*announces"):
        datasets.MNIST(tmp_path)


def test_emnist_split(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    write_idx(raw / "emnist-letters-test-images-idx3-ubyte.gz", np.ones((2, 28, 28), np.uint8))
    write_idx(raw / "emnist-letters-test-labels-idx1-ubyte.gz", np.array([1, 26], np.uint8))
    ds = datasets.EMNIST(tmp_path, split="letters", train=False)
    assert [ds.classes[t] for t in ds.targets.tolist()] == ["a", "z"]
    with pytest.raises(ValueError, match="Unknown value 'nope' for argument split"):
        datasets.EMNIST(tmp_path, split="nope")


def write_cifar(folder: Path, files, label_bytes, names_file, names):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    expected = {}
    for name in files:
        labels = rng.integers(0, len(names), (3, label_bytes)).astype(np.uint8)
        pixels = rng.integers(0, 256, (3, 3072)).astype(np.uint8)
        np.concatenate([labels, pixels], axis=1).tofile(folder / name)
        expected[name] = (labels, pixels)
    (folder / names_file).write_text("\n".join(names) + "\n\n")
    return expected


def test_cifar10_and_cifar100_binary(tmp_path):
    names = [f"c{i}" for i in range(10)]
    exp = write_cifar(tmp_path / "cifar-10-batches-bin",
                      [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"], 1,
                      "batches.meta.txt", names)
    train = datasets.CIFAR10(tmp_path)
    assert len(train) == 15 and train.classes == names and train.data.shape == (15, 32, 32, 3)
    labels, pixels = exp["data_batch_2.bin"]
    img, target = train[3]
    assert target == labels[0, 0]
    np.testing.assert_array_equal(np.asarray(img)[:, :, 1], pixels[0, 1024:2048].reshape(32, 32))
    exp100 = write_cifar(tmp_path / "cifar-100-binary", ["train.bin", "test.bin"], 2,
                         "fine_label_names.txt", [f"f{i}" for i in range(100)])
    test = datasets.CIFAR100(tmp_path, train=False)
    assert test.targets == exp100["test.bin"][0][:, 1].tolist()  # the fine label
    with open(tmp_path / "cifar-100-binary" / "test.bin", "ab") as f:
        f.write(b"xx")
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        datasets.CIFAR100(tmp_path, train=False)


def test_fake_data_is_deterministic_per_index():
    ds = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=3)
    a, b = ds[2], ds[2]
    assert a[0].size == (5, 6) and a[0].mode == "RGB" and 0 <= a[1] < 3
    assert np.array_equal(np.asarray(a[0]), np.asarray(b[0])) and a[1] == b[1]
    assert len(ds) == 4
    with pytest.raises(IndexError):
        ds[4]


def test_image_folder(tmp_path):
    texts = tmp_path / "texts"
    tmp_path = tmp_path / "images"
    for cls, n in (("dog", 1), ("cat", 2)):
        (tmp_path / cls).mkdir(parents=True)
        for k in range(n):
            Image.new("L", (4, 3), color=k * 50).save(tmp_path / cls / f"{k}.png")
    (tmp_path / "cat").mkdir(exist_ok=True)
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(tmp_path)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [t for _, t in ds.samples] == [0, 0, 1] and ds.targets == [0, 0, 1]
    img, t = ds[1]
    assert img.mode == "RGB" and img.size == (4, 3) and np.asarray(img)[0, 0, 0] == 50
    (texts / "a").mkdir(parents=True)
    (texts / "a" / "x.txt").write_text("hello")
    txt = datasets.DatasetFolder(texts, loader=lambda p: Path(p).read_text(),
                                 extensions=(".txt",))
    assert txt[0] == ("hello", 0)
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes a"):
        datasets.ImageFolder(texts)


# -- downloads from a local server -------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1: /good/ has the files, /bad/ corrupt copies."""
    www = tmp_path / "www"
    (www / "good").mkdir(parents=True)
    (www / "bad").mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make_mnist_files(www: Path):
    rng = np.random.default_rng(2)
    resources = []
    for prefix, n in (("train", 6), ("t10k", 2)):
        for kind, array in (("images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28))),
                            ("labels-idx1-ubyte", rng.integers(0, 10, n))):
            name = f"{prefix}-{kind}.gz"
            write_idx(www / "good" / name, array)
            (www / "bad" / name).write_bytes(b"garbage")
            resources.append((name, hashlib.md5((www / "good" / name).read_bytes())
                              .hexdigest()))
    return resources


def test_download_tries_mirrors_in_order_and_verifies_checksums(server, tmp_path,
                                                                monkeypatch, capsys):
    www, url = server
    resources = make_mnist_files(www)
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"{url}/missing/", f"{url}/bad/",
                                                    f"{url}/good/"])
    root = tmp_path / "data"
    ds = datasets.MNIST(root, download=True)
    assert len(ds) == 6
    out = capsys.readouterr().out
    assert "404" in out and "MD5 checksum mismatch" in out
    raw = root / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(n for n, _ in resources)
    # a damaged cached file is reported and downloaded again
    (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"{url}/good/"])
    from nbtorch.vision.datasets.utils import download_url

    download_url(f"{url}/good/t10k-labels-idx1-ubyte.gz", raw, "t10k-labels-idx1-ubyte.gz",
                 resources[3][1])
    assert "corrupt or incomplete" in capsys.readouterr().out
    assert len(datasets.MNIST(root, train=False)) == 2


def test_download_failure_says_what_to_do_and_leaves_no_file(server, tmp_path, monkeypatch):
    www, url = server
    resources = make_mnist_files(www)
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"{url}/bad/", "http://127.0.0.1:9/"])
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path, download=True)
    msg = str(info.value)
    assert "Could not download train-images-idx3-ubyte.gz" in msg
    assert "offline" in msg and "NBTORCH_DATA" in msg and "root=None" in msg
    raw = tmp_path / "MNIST" / "raw"
    assert list(raw.iterdir()) == []  # no partial file that looks complete
