"""nbtorch.save / nbtorch.load: round trips, PyTorch's format, safety, atomicity, corruption."""

import io
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nbtorch
from nbtorch import nn


def roundtrip(obj, **kwargs):
    buf = io.BytesIO()
    nbtorch.save(obj, buf)
    buf.seek(0)
    return nbtorch.load(buf, **kwargs)


def assert_same(a, b):
    assert type(a) is type(b)
    if isinstance(a, nbtorch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


def test_nested_containers_and_every_dtype(tmp_path):
    obj = {
        "tensors": [nbtorch.arange(6, dtype=d).reshape(2, 3) for d in
                    (nbtorch.float32, nbtorch.float64, nbtorch.float16, nbtorch.int64,
                     nbtorch.int32, nbtorch.int16, nbtorch.int8, nbtorch.uint8)]
        + [nbtorch.tensor([True, False]), nbtorch.tensor(3.5), nbtorch.zeros(0, 4)],
        "numbers": (0, 255, -1, 2**31, -(2**70), 1.5, float("inf"), True, False, None),
        "text": ["", "héllo 张量", "a\nb"],
        "nested": OrderedDict(a={"b": [(), ([],), {}]}),
        3: "int keys", (1, 2): "tuple keys",
        "dtype": nbtorch.float64,
    }
    assert_same(roundtrip(obj), obj)
    path = tmp_path / "ckpt.pt"
    nbtorch.save(obj, path)
    assert_same(nbtorch.load(path), obj)
    assert_same(nbtorch.load(str(path)), obj)


def test_requires_grad_non_contiguous_and_shared_tensors():
    x = nbtorch.randn(3, 4, requires_grad=True)
    nt = nbtorch.arange(12.0).reshape(3, 4).t()[::2]
    out = roundtrip({"x": x, "nt": nt, "again": x})
    assert out["x"].requires_grad and out["x"].is_leaf
    assert out["again"] is out["x"]  # one tensor saved twice comes back as one tensor
    np.testing.assert_array_equal(out["nt"].numpy(), nt.numpy())


def test_views_share_one_storage_and_keep_their_strides():
    a = nbtorch.arange(6.0)
    m = nbtorch.arange(12.0).reshape(3, 4)
    seen = []
    views = {"a": a, "b": a[2:], "m": m, "mt": m.t(), "e": nbtorch.arange(3.0).expand(2, 3)}
    out = roundtrip(views, map_location=lambda storage, location: seen.append(location))
    assert seen == ["cpu"] * 3  # map_location is called once per storage, as in PyTorch
    out["a"][3] = 100.0
    assert out["b"][1].item() == 100.0  # a change through one view is seen through the other
    assert out["b"].storage_offset() == 2 and out["b"].tolist() == [2, 100, 4, 5]
    assert out["mt"].stride() == (1, 4) and out["mt"].tolist() == m.t().tolist()
    out["m"][0, 1] = -1.0
    assert out["mt"][1, 0].item() == -1.0
    assert out["e"].stride() == (0, 1) and out["e"].tolist() == [[0, 1, 2]] * 2
    again = roundtrip(out)  # loaded views are views again when saved again
    again["a"][2] = 7.0
    assert again["b"][0].item() == 7.0


def test_layouts_no_storage_can_share_are_saved_as_copies():
    base = np.arange(4.0)
    out = roundtrip({"base": nbtorch.from_numpy(base), "flipped": nbtorch.from_numpy(base[::-1]),
                     "empty": nbtorch.zeros(2, 0, 3), "scalar": nbtorch.tensor(2.5)})
    assert out["flipped"].tolist() == [3, 2, 1, 0] and out["flipped"].stride() == (1,)
    out["base"][0] = 9.0  # a negative stride can't be written: the flipped copy is apart
    assert out["flipped"].tolist() == [3, 2, 1, 0]
    assert out["empty"].shape == (2, 0, 3) and out["scalar"].shape == () and out["scalar"] == 2.5


def test_size_comes_back_as_a_size():
    out = roundtrip({"shape": nbtorch.zeros(2, 3).shape, "tuple": (2, 3)})
    assert type(out["shape"]) is nbtorch.Size and out["shape"] == (2, 3)
    assert type(out["tuple"]) is tuple


def test_views_of_a_cuda_tensor_share_memory_after_loading():
    if not nbtorch.cuda.is_available():
        pytest.skip("no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set to 1")
    a = nbtorch.arange(6.0, device="cuda")
    out = roundtrip({"a": a, "b": a[2:], "t": a.view(2, 3).t()})
    assert out["b"].is_cuda and out["t"].stride() == (1, 3)
    out["a"][3] = 100.0
    assert out["b"][1].item() == 100.0 and out["t"][0, 1].item() == 100.0
    cpu = roundtrip({"a": a, "b": a[2:]}, map_location="cpu")
    cpu["a"][3] = 100.0
    assert not cpu["b"].is_cuda and cpu["b"][1].item() == 100.0


def test_parameters_and_state_dicts():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    sd = model.state_dict()
    loaded = roundtrip(sd)
    assert_same(loaded, sd)
    other = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    other.load_state_dict(loaded)
    x = nbtorch.randn(5, 4)
    np.testing.assert_array_equal(other(x).detach().numpy(), model(x).detach().numpy())
    p = roundtrip(nn.Parameter(nbtorch.ones(2)))
    assert isinstance(p, nn.Parameter) and p.requires_grad


def test_checkpoint_with_optimizer_state():
    model = nn.Linear(2, 1)
    opt = nbtorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(nbtorch.randn(4, 2)).sum().backward()
    opt.step()
    ckpt = {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict()}
    loaded = roundtrip(ckpt)
    assert_same(loaded, ckpt)
    opt2 = nbtorch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.5)
    opt2.load_state_dict(loaded["optimizer"])
    assert opt2.param_groups[0]["lr"] == 0.1


def test_map_location_forms():
    x = nbtorch.arange(3.0)
    assert roundtrip(x, map_location="cpu").device == nbtorch.device("cpu")
    assert roundtrip(x, map_location=nbtorch.device("cpu")).tolist() == [0, 1, 2]
    assert roundtrip(x, map_location={"cuda:0": "cpu"}).device.type == "cpu"
    seen = []

    def fn(storage, location):
        seen.append(location)
        return storage

    assert roundtrip([x, x * 2], map_location=fn)[1].tolist() == [0, 2, 4]
    assert seen == ["cpu", "cpu"]


def test_map_location_cuda_without_a_gpu_is_a_clear_error():
    if nbtorch.cuda.is_available():
        assert roundtrip(nbtorch.ones(2), map_location="cuda").device.type == "cuda"
        return
    with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
        roundtrip(nbtorch.ones(2), map_location="cuda")


def test_unsupported_object_is_refused_before_writing(tmp_path):
    path = tmp_path / "x.pt"
    with pytest.raises(TypeError, match="can't save an object of type Linear"):
        nbtorch.save(nn.Linear(2, 2), path)
    assert list(tmp_path.iterdir()) == []


# -- safety -------------------------------------------------------------------------------


class Hostile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def zip_with_pickle(path, pickle_bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle_bytes)
        zf.writestr("archive/version", "3\n")


@pytest.mark.parametrize("protocol", [2, 4])
def test_hostile_pickle_is_refused_and_runs_nothing(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weights": [1, 2], "evil": Hostile(marker)}, protocol=protocol)
    pickle.loads(payload)  # sanity check: plain pickle really runs the command
    assert marker.exists()
    marker.unlink()
    path = tmp_path / "hostile.pt"
    zip_with_pickle(path, payload)
    with pytest.raises(pickle.UnpicklingError, match="never runs code.*nothing was executed"):
        nbtorch.load(path)
    assert not marker.exists()
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(payload)
    with pytest.raises(RuntimeError, match="never unpickles arbitrary objects"):
        nbtorch.load(plain)
    assert not marker.exists()


def tensor_file(path, offset, size, stride, numel=4):
    """A file whose one tensor claims ``offset``, ``size`` and ``stride`` in a storage of
    ``numel`` floats, written instruction by instruction as torch.save lays it out."""
    def text(s):
        return b"X" + struct.pack("<I", len(s)) + s.encode()

    def num(n):
        return b"J" + struct.pack("<i", n)

    def ints(values):
        return b"(" + b"".join(num(n) for n in values) + b"t"

    storage = b"(" + text("storage") + b"ctorch\nFloatStorage\n" + text("0") + text("cpu")
    pickle_bytes = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(" + storage + num(numel)
                    + b"tQ" + num(offset) + ints(size) + ints(stride) + b"tR.")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle_bytes)
        zf.writestr("archive/data/0", np.arange(numel, dtype=np.float32).tobytes())


def test_tensor_reaching_outside_its_storage_is_refused(tmp_path):
    path = tmp_path / "t.pt"
    tensor_file(path, 1, (3,), (1,))  # a well-formed file: the last 3 of 4 elements
    assert nbtorch.load(path).tolist() == [1, 2, 3]
    for offset, size, stride in [(2, (3,), (1,)), (0, (2, 2), (3, 1)), (0, (3,), (2,)),
                                 (-1, (2,), (1,)), (3, (2,), (-1,)), (0, (-2,), (1,)),
                                 (5, (0,), (1,)), (2**30, (2,), (2**30,))]:
        tensor_file(path, offset, size, stride)
        with pytest.raises(RuntimeError, match="does not fit in its storage of 4 elements"):
            nbtorch.load(path)


def test_disallowed_calls_and_state_changes_are_refused(tmp_path):
    # REDUCE on an allowed-but-not-callable global, BUILD on a dtype (would change a global)
    for payload in (b"\x80\x02ctorch\nfloat32\n)R.",
                    b"\x80\x02ctorch\nfloat32\n}(X\x04\x00\x00\x00nameX\x01\x00\x00\x00xub."):
        path = tmp_path / "bad.pt"
        zip_with_pickle(path, payload)
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
            nbtorch.load(path)
    assert nbtorch.float32.name == "float32"


# -- atomic save and corrupt files --------------------------------------------------------


def test_crash_mid_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    from nbtorch import serialization

    path = tmp_path / "model.pt"
    old = {"w": nbtorch.ones(3)}
    nbtorch.save(old, path)
    before = path.read_bytes()
    calls = []
    real = serialization._write_record

    def crash_on_second_storage(zf, name, data):
        calls.append(name)
        if name == "archive/data/1":
            raise KeyboardInterrupt  # the process is killed mid-save
        real(zf, name, data)

    monkeypatch.setattr(serialization, "_write_record", crash_on_second_storage)
    with pytest.raises(KeyboardInterrupt):
        nbtorch.save({"w": nbtorch.zeros(3), "b": nbtorch.zeros(1000)}, path)
    assert "archive/data/0" in calls
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]  # no temporary file left
    assert nbtorch.load(path)["w"].tolist() == [1, 1, 1]


def test_truncated_and_corrupt_files_raise_clear_errors(tmp_path):
    path = tmp_path / "ckpt.pt"
    nbtorch.save({"w": nbtorch.arange(1000.0)}, path)
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30):
        bad = tmp_path / f"cut{cut}.pt"
        bad.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            nbtorch.load(bad)
    flipped = bytearray(data)
    i = data.index(np.arange(1000.0, dtype=np.float32)[500:501].tobytes())
    flipped[i] ^= 0xFF  # one damaged byte inside the tensor data: the zip CRC catches it
    bad = tmp_path / "flipped.pt"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        nbtorch.load(bad)
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(RuntimeError, match="not a file written by nbtorch.save"):
        nbtorch.load(tmp_path / "text.pt")


# -- PyTorch's files ----------------------------------------------------------------------


@pytest.mark.oracle
def test_reads_files_written_by_torch(tmp_path):
    torch = pytest.importorskip("torch")
    tmodel = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    sd = tmodel.state_dict()
    extra = {"view": torch.arange(12.0).reshape(3, 4)[:, 1], "half": torch.ones(2).half(),
             "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16), "size": torch.Size([2, 3]),
             "dtype": torch.float64, "param": torch.nn.Parameter(torch.ones(2)), "step": 7}
    path = tmp_path / "torch.pt"
    torch.save({"model": sd, "extra": extra}, path)
    out = nbtorch.load(path)
    assert list(out["model"]) == list(sd)
    assert out["model"]._metadata == sd._metadata
    for k, v in sd.items():
        np.testing.assert_array_equal(out["model"][k].numpy(), v.numpy())
        assert str(out["model"][k].dtype).split(".")[1] == str(v.dtype).split(".")[1]
    e = out["extra"]
    assert e["view"].tolist() == [1, 5, 9] and e["half"].dtype == nbtorch.float16
    assert e["bf16"].tolist() == [1.5, -2.0] and e["size"] == (2, 3)
    assert type(e["size"]) is nbtorch.Size
    assert e["dtype"] is nbtorch.float64 and isinstance(e["param"], nn.Parameter)
    assert e["step"] == 7


@pytest.mark.oracle
def test_torch_reads_our_files(tmp_path):
    torch = pytest.importorskip("torch")
    model = nn.Linear(3, 2)
    path = tmp_path / "ours.pt"
    nbtorch.save({"sd": model.state_dict(), "p": nn.Parameter(nbtorch.ones(2)),
                  "i": nbtorch.arange(4), "shared": [model.weight, model.weight]}, path)
    out = torch.load(path, weights_only=True)
    tmodel = torch.nn.Linear(3, 2)
    tmodel.load_state_dict(out["sd"])
    np.testing.assert_array_equal(tmodel.weight.detach().numpy(), model.weight.detach().numpy())
    assert isinstance(out["p"], torch.nn.Parameter) and out["i"].dtype == torch.int64
    assert out["shared"][0] is out["shared"][1]


@pytest.mark.oracle
def test_torch_reads_our_views_as_views(tmp_path, torch):
    a = nbtorch.arange(6.0)
    m = nbtorch.arange(12.0).reshape(3, 4)
    path = tmp_path / "views.pt"
    nbtorch.save({"a": a, "b": a[2:], "m": m, "mt": m.t(), "e": nbtorch.arange(3.0).expand(2, 3),
                  "empty": nbtorch.zeros(2, 0, 3), "size": m.shape}, path)
    out = torch.load(path, weights_only=True)
    out["a"][3] = 100.0
    assert out["b"][1].item() == 100.0 and out["b"].storage_offset() == 2
    assert out["mt"].stride() == (1, 4) and out["mt"].tolist() == m.t().tolist()
    assert out["mt"].untyped_storage().data_ptr() == out["m"].untyped_storage().data_ptr()
    assert out["e"].stride() == (0, 1) and out["e"].tolist() == [[0, 1, 2]] * 2
    assert out["empty"].stride() == torch.empty(2, 0, 3).stride()
    assert type(out["size"]) is torch.Size and out["size"] == (3, 4)


@pytest.mark.oracle
def test_we_read_torch_views_as_views(tmp_path, torch):
    a = torch.arange(6.0)
    m = torch.arange(12.0).reshape(3, 4)
    path = tmp_path / "views.pt"
    torch.save({"a": a, "b": a[2:], "m": m, "mt": m.t(), "e": torch.arange(3.0).expand(2, 3)},
               path)
    out = nbtorch.load(path)
    out["a"][3] = 100.0
    assert out["b"][1].item() == 100.0 and out["b"].storage_offset() == 2
    out["m"][0, 1] = -1.0
    assert out["mt"][1, 0].item() == -1.0 and out["mt"].stride() == (1, 4)
    assert out["e"].stride() == (0, 1) and out["e"].tolist() == [[0, 1, 2]] * 2
