"""``nbtorch.save`` and ``nbtorch.load``: checkpoints in PyTorch's file format, read safely.

The file is PyTorch's: a zip archive holding ``archive/data.pkl`` (the structure, as a pickle)
and one record ``archive/data/<key>`` with the raw bytes of each storage. So a file saved by
``torch.save`` loads here, and ``torch.load`` reads ours.

A tensor is written as PyTorch keeps it in memory: a storage (a flat block of elements) and
the tensor's ``storage_offset``, ``size`` and ``stride`` in it. Views of one block of memory
(``x``, ``x[2:]``, ``x.t()``, ``x.expand(...)``) share one storage, written once, so they
come back as views that share memory again: a change through one is seen by the others.

A pickle is a small *program* for a stack machine: its instructions push numbers, strings,
build lists and dicts, and, with ``GLOBAL`` + ``REDUCE``, **import any function and call
it**. ``pickle.load`` on a stranger's file can therefore run ``os.system("rm -rf ~")``. We do
not use ``pickle.load``. This module writes and reads the instructions itself, and reads
only the data instructions; ``GLOBAL`` may only name the handful of functions that rebuild a
tensor or an OrderedDict (the list PyTorch uses for ``weights_only=True``). Anything else is
refused before anything is run.

Saving is atomic: the archive is written to a temporary file next to the target, and
renamed over it only when complete, so a crash never leaves a half-written checkpoint.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from . import _device as dv
from . import _dtype as dt
from ._storage import _owner
from ._tensor import Size, Tensor, VersionCounter

# PyTorch's storage class name for each dtype (what the file records)
_STORAGE_OF = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
               "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
               "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage"}
_DTYPE_OF = {v: dt._NAMES[k] for k, v in _STORAGE_OF.items()}
_BFLOAT16 = "BFloat16Storage"  # read as float32 (nbtorch has no bfloat16)


# -- writing -------------------------------------------------------------------------------


class _PickleWriter:
    """Write the pickle instructions (protocol 2) for the values nbtorch can save."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages: list[np.ndarray] = []  # each storage's flat data; its key is its index
        self._storage_keys: dict[int, int] = {}  # id(block of memory) -> its storage's key
        self._memo: dict[int, int] = {}  # id(tensor) -> memo slot: a tensor saved twice
        self._keep: list = []  # keeps those tensors alive, so that their ids stay unique

    def dump(self, obj) -> bytes:
        self.out.write(b"\x80\x02")  # PROTO 2
        self._save(obj)
        self.out.write(b".")  # STOP
        return self.out.getvalue()

    def _global(self, module: str, name: str) -> None:
        self.out.write(b"c" + f"{module}\n{name}\n".encode())

    def _save(self, obj) -> None:
        w = self.out.write
        if obj is None:
            w(b"N")
        elif obj is True or obj is False:
            w(b"\x88" if obj else b"\x89")
        elif isinstance(obj, (int, np.integer)):
            self._int(int(obj))
        elif isinstance(obj, (float, np.floating)):
            w(b"G" + struct.pack(">d", float(obj)))
        elif isinstance(obj, str):
            data = obj.encode("utf-8", "surrogatepass")
            w(b"X" + struct.pack("<I", len(data)) + data)
        elif isinstance(obj, Tensor):
            self._tensor(obj)
        elif type(obj) is Size:  # torch.Size((2, 3)), as PyTorch writes it
            self._global("torch", "Size")
            self._save(tuple(obj))
            w(b"\x85R")  # TUPLE1 (the arguments), REDUCE (the call)
        elif isinstance(obj, tuple):
            w(b"(")
            for x in obj:
                self._save(x)
            w(b"t")
        elif isinstance(obj, list):
            w(b"](")
            for x in obj:
                self._save(x)
            w(b"e")
        elif isinstance(obj, dict):
            if type(obj) is OrderedDict:
                self._global("collections", "OrderedDict")
                w(b")R")
            else:
                w(b"}")
            w(b"(")
            for k, v in obj.items():
                self._save(k)
                self._save(v)
            w(b"u")
        elif isinstance(obj, dt.dtype):
            self._global("torch", obj.name)
        else:
            raise TypeError(
                f"nbtorch.save can't save an object of type {type(obj).__name__}: it saves "
                "tensors, dicts, lists, tuples, numbers, strings, dtypes and None (save a "
                "model's state_dict(), not the model)")

    def _int(self, n: int) -> None:
        if 0 <= n < 256:
            self.out.write(b"K" + bytes([n]))
        elif -(2**31) <= n < 2**31:
            self.out.write(b"J" + struct.pack("<i", n))
        else:
            data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
            self.out.write(b"\x8a" + bytes([len(data)]) + data)

    def _tensor(self, t: Tensor) -> None:
        from .nn.parameter import Parameter

        if id(t) in self._memo:  # BINGET: "the object in this memo slot", the same tensor
            self.out.write(b"j" + struct.pack("<I", self._memo[id(t)]))
            return
        if isinstance(t, Parameter):
            self._global("torch._utils", "_rebuild_parameter")
            self.out.write(b"(")
            self._plain_tensor(t, False)
            self._save(t.requires_grad)
            self._global("collections", "OrderedDict")
            self.out.write(b")RtR")
        else:
            self._plain_tensor(t, t.requires_grad)
        self._memo[id(t)] = len(self._memo)
        self._keep.append(t)
        self.out.write(b"r" + struct.pack("<I", self._memo[id(t)]))  # LONG_BINPUT

    def _plain_tensor(self, t: Tensor, requires_grad: bool) -> None:
        key, offset, strides = self._storage_of(t)
        flat = self.storages[key]
        location = str(t.device) if t.device.type == "cpu" or t.device.index is not None \
            else "cuda:0"
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out.write(b"((")  # the arguments' tuple, then the storage's id tuple
        self._save("storage")
        self._global("torch", _STORAGE_OF[flat.dtype.name])
        self._save(str(key))
        self._save(location)
        self._save(flat.size)
        self.out.write(b"tQ")  # TUPLE, BINPERSID: "the storage stored under this id"
        for value in (offset, tuple(t.shape), strides, requires_grad):
            self._save(value)
        self._global("collections", "OrderedDict")  # backward hooks (none)
        self.out.write(b")RtR")

    def _storage_of(self, t: Tensor) -> tuple[int, int, tuple]:
        """The key of the storage holding ``t``, and ``t``'s offset and strides in it.

        The first view of a block of memory adds the whole block as a storage; later views
        of it reuse that key. A tensor no storage can describe (negative strides, memory
        not owned as one block) or an empty one gets a contiguous copy of its own.
        """
        layout = _memory_layout(t._array)
        if layout is None:
            copy = np.asarray(t.detach().cpu()._array, order="C")  # (keeps 0-d arrays 0-d)
            self.storages.append(copy.reshape(-1))
            return len(self.storages) - 1, 0, _contiguous_strides(copy.shape)
        block, offset, strides = layout
        if id(block) not in self._storage_keys:
            self._storage_keys[id(block)] = len(self.storages)
            self.storages.append(block.reshape(-1, order="A") if type(block) is np.ndarray
                                 else block.copy_to_host())  # a cuda buffer: to the host
        return self._storage_keys[id(block)], offset, strides


def _memory_layout(array):
    """``(block, offset, strides)``: ``array`` as a view of one contiguous block of memory,
    offset and strides counted in elements, all non-negative as a file needs them; or None.

    A numpy view's block is the array that owns its memory (see ``x.storage()``); a cuda
    ``DeviceArray`` keeps its block (``buf``), offset and strides itself.
    """
    if type(array) is np.ndarray:
        block = _owner(array)
        if block.dtype != array.dtype or not (block.flags.c_contiguous
                                              or block.flags.f_contiguous):
            return None
        start = array.__array_interface__["data"][0] - block.__array_interface__["data"][0]
        if start % array.itemsize or any(s % array.itemsize for s in array.strides):
            return None
        offset, strides = start // array.itemsize, tuple(s // array.itemsize
                                                         for s in array.strides)
    else:
        block, offset, strides = array.buf, array.offset, array.estrides
    if array.size == 0 or offset < 0 or any(s < 0 for s in strides):
        return None
    return block, offset, strides


def _contiguous_strides(shape: tuple) -> tuple:
    """PyTorch's strides for a new tensor of ``shape``: row-major, a 0-length dim counting
    as 1 (so an empty tensor has the strides torch gives it, not numpy's zeros)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _write_record(zf: zipfile.ZipFile, name: str, data) -> None:
    zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def _write_archive(obj, f) -> None:
    writer = _PickleWriter()
    pickle_bytes = writer.dump(obj)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        _write_record(zf, "archive/data.pkl", pickle_bytes)
        _write_record(zf, "archive/byteorder", sys.byteorder)
        for key, array in enumerate(writer.storages):
            _write_record(zf, f"archive/data/{key}", array.tobytes())
        _write_record(zf, "archive/version", "3\n")


def save(obj, f, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (tensors, state_dicts, checkpoints: any nesting of dicts, lists, tuples,
    numbers, strings and None) to a path or a binary file object.

    The format is ``torch.save``'s zip format. Saving to a path is atomic: the data goes to a
    temporary file that replaces ``f`` only once it is complete. As in PyTorch, a view is
    saved with the whole storage it looks into: save ``x[:10].clone()`` to save only those
    elements.
    """
    if not isinstance(f, (str, os.PathLike)):
        if not hasattr(f, "write"):
            raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                                 "'write' attribute")
        _write_archive(obj, f)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp_file:
            _write_archive(obj, tmp_file)
            tmp_file.flush()
            os.fsync(tmp_file.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# -- reading -------------------------------------------------------------------------------


def _refuse(what: str) -> None:
    import pickle

    raise pickle.UnpicklingError(
        f"Weights only load failed: the file asks for {what}, which is not a tensor, a "
        "container (dict, list, tuple, OrderedDict), a number, a string or None. nbtorch.load "
        "never runs code from a file (like torch.load(weights_only=True)); nothing was "
        "executed. Load only files you trust, and save state_dicts rather than objects.")


class _Storage:
    """A storage read from the archive: a flat backend array, already on the device that
    ``map_location`` chose, and the version counter that the tensors viewing it share."""

    def __init__(self, array) -> None:
        self.array = array
        self.version_counter = VersionCounter()


class _TorchStorageType:
    """What ``GLOBAL torch FloatStorage`` stands for: just the element dtype."""

    def __init__(self, name: str) -> None:
        self.name = name


class _SafeUnpickler:
    """Run the data-only subset of the pickle instructions (see the module docstring)."""

    def __init__(self, data: bytes, load_storage) -> None:
        self.data, self.pos = data, 0
        self.load_storage = load_storage
        self.stack: list = []
        self.marks: list[int] = []
        self.memo: dict = {}
        self.allowed = {
            ("collections", "OrderedDict"): OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
            ("torch", "Size"): Size,
            ("torch", "device"): dv.device,
            ("_codecs", "encode"): _latin1_encode,
        }

    def read(self, n: int) -> bytes:
        chunk = self.data[self.pos:self.pos + n]
        if len(chunk) < n:
            raise EOFError("the pickle data ends early")
        self.pos += n
        return chunk

    def readline(self) -> str:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise EOFError("the pickle data ends early")
        line, self.pos = self.data[self.pos:end].decode("ascii"), end + 1
        return line

    def find_global(self, module: str, name: str):
        if (module, name) in self.allowed:
            return self.allowed[(module, name)]
        if module == "torch" and (name in _DTYPE_OF or name == _BFLOAT16):
            return _TorchStorageType(name)
        if module == "torch" and name in dt._NAMES:
            return dt._NAMES[name]
        _refuse(f"GLOBAL {module}.{name}")

    def pop_mark(self) -> list:
        start = self.marks.pop()
        items, self.stack[start:] = self.stack[start:], []
        return items

    def load(self):
        """Execute the instructions; return the value left by STOP."""
        s, unpack = self.stack, struct.unpack
        while True:
            op = self.read(1)
            if op == b".":  # STOP
                return s.pop()
            elif op == b"\x80":  # PROTO
                self.read(1)
            elif op == b"\x95":  # FRAME (protocol 4): just a length
                self.read(8)
            elif op == b"(":  # MARK
                self.marks.append(len(s))
            elif op == b"N":
                s.append(None)
            elif op in (b"\x88", b"\x89"):
                s.append(op == b"\x88")
            elif op == b"K":
                s.append(self.read(1)[0])
            elif op == b"M":
                s.append(unpack("<H", self.read(2))[0])
            elif op == b"J":
                s.append(unpack("<i", self.read(4))[0])
            elif op == b"\x8a":  # LONG1
                s.append(int.from_bytes(self.read(self.read(1)[0]), "little", signed=True))
            elif op == b"G":
                s.append(unpack(">d", self.read(8))[0])
            elif op == b"X":
                s.append(self.read(unpack("<I", self.read(4))[0]).decode("utf-8",
                                                                          "surrogatepass"))
            elif op == b"\x8c":  # SHORT_BINUNICODE
                s.append(self.read(self.read(1)[0]).decode("utf-8", "surrogatepass"))
            elif op == b"C":  # SHORT_BINBYTES
                s.append(bytes(self.read(self.read(1)[0])))
            elif op == b"B":  # BINBYTES
                s.append(bytes(self.read(unpack("<I", self.read(4))[0])))
            elif op == b")":
                s.append(())
            elif op == b"t":
                s.append(tuple(self.pop_mark()))
            elif op in (b"\x85", b"\x86", b"\x87"):  # TUPLE1, TUPLE2, TUPLE3
                n = op[0] - 0x84
                items = tuple(s[-n:])
                del s[-n:]
                s.append(items)
            elif op == b"]":
                s.append([])
            elif op == b"a":
                value = s.pop()
                self._container(s[-1], list).append(value)
            elif op == b"e":
                items = self.pop_mark()
                self._container(s[-1], list).extend(items)
            elif op == b"}":
                s.append({})
            elif op == b"s":
                value, key = s.pop(), s.pop()
                self._container(s[-1], dict)[key] = value
            elif op == b"u":
                items = self.pop_mark()
                self._container(s[-1], dict).update(zip(items[::2], items[1::2]))
            elif op in (b"q", b"r", b"\x94"):  # BINPUT, LONG_BINPUT, MEMOIZE
                key = (self.read(1)[0] if op == b"q" else unpack("<I", self.read(4))[0]
                       if op == b"r" else len(self.memo))
                self.memo[key] = s[-1]
            elif op in (b"h", b"j"):  # BINGET, LONG_BINGET
                s.append(self.memo[self.read(1)[0] if op == b"h"
                                   else unpack("<I", self.read(4))[0]])
            elif op == b"c":  # GLOBAL module\nname\n
                module = self.readline()
                s.append(self.find_global(module, self.readline()))
            elif op == b"\x93":  # STACK_GLOBAL
                name, module = s.pop(), s.pop()
                s.append(self.find_global(module, name))
            elif op == b"Q":  # BINPERSID
                s.append(self.load_storage(s.pop()))
            elif op == b"R":  # REDUCE: only the allowed functions can be on the stack
                args, func = s.pop(), s.pop()
                if func not in self.allowed.values() or type(args) is not tuple:
                    _refuse(f"a call of {type(func).__name__} {func!r:.60}")
                s.append(func(*args))
            elif op == b"b":  # BUILD: only an OrderedDict's attributes (state_dict _metadata)
                state = s.pop()
                if type(s[-1]) is not OrderedDict or type(state) is not dict:
                    _refuse(f"setting the state of a {type(s[-1]).__name__}")
                s[-1].__dict__.update(state)
            else:
                _refuse(f"the pickle instruction {op!r}")

    @staticmethod
    def _container(obj, kind):
        if not isinstance(obj, kind):
            _refuse(f"adding items to a {type(obj).__name__}")
        return obj


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """How protocol-2 pickles spell bytes; only this harmless use of ``_codecs.encode``."""
    if type(text) is not str or encoding != "latin1":
        _refuse("_codecs.encode with other arguments")
    return text.encode("latin1")


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None) -> Tensor:
    """A tensor viewing ``storage`` (as PyTorch's function of the same name does): element
    ``[i, j, ...]`` is ``storage[storage_offset + i*stride[0] + j*stride[1] + ...]``. Tensors
    rebuilt from one storage share its memory, as the views that were saved did."""
    if not (isinstance(storage, _Storage) and type(storage_offset) is int
            and isinstance(size, tuple) and isinstance(stride, tuple)
            and len(size) == len(stride) and all(type(n) is int for n in size + stride)):
        _refuse("_rebuild_tensor_v2 with unexpected arguments")
    flat = storage.array
    # The file is not trusted: every element the view can reach must lie in the storage.
    last = storage_offset + sum((n - 1) * st for n, st in zip(size, stride))
    if (storage_offset < 0 or any(n < 0 for n in size) or any(st < 0 for st in stride)
            or (last >= flat.size if all(size) else storage_offset > flat.size)):
        raise RuntimeError(f"corrupt file: a tensor of size {list(size)} with stride "
                           f"{list(stride)} at offset {storage_offset} does not fit in its "
                           f"storage of {flat.size} elements")
    t = Tensor._make(_strided_view(flat, storage_offset, size, stride))
    t._version_counter = storage.version_counter
    t._requires_grad = bool(requires_grad) and flat.dtype.kind == "f"
    return t


def _strided_view(flat, offset: int, shape: tuple, strides: tuple):
    """The view of the 1-d backend array ``flat`` with that offset, shape and strides (in
    elements; already checked to stay inside ``flat``)."""
    if type(flat) is not np.ndarray:  # a cuda DeviceArray: a view is new numbers over its buf
        return flat._view(flat.offset + offset, shape, strides)
    if not all(shape):  # no element to reach: an empty array needs no memory
        return np.empty(shape, flat.dtype)
    view = np.ndarray(shape, flat.dtype, buffer=flat, offset=offset * flat.itemsize,
                      strides=[st * flat.itemsize for st in strides])
    if any(st == 0 and n > 1 for n, st in zip(shape, strides)):
        view.flags.writeable = False  # an expanded view is read-only, as x.expand(...) is
    return view


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks=None):
    from .nn.parameter import Parameter

    if not isinstance(data, Tensor):
        _refuse("_rebuild_parameter of something that is not a tensor")
    return Parameter(data, bool(requires_grad))


def _open_archive(f):
    """A ZipFile over a path or a file object, with PyTorch's record prefix."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            head = fh.read(4)
        source = os.fspath(f)
    else:
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        start = f.tell()
        head = f.read(4)
        f.seek(start)
        source = f
    if head[:1] == b"\x80":
        raise RuntimeError(
            "this is a plain pickle (or a PyTorch file older than 1.6), not a zip archive. "
            "nbtorch.load never unpickles arbitrary objects, so it can't read it; load it with "
            "torch.load in an environment you trust and save it again with torch.save")
    if head != b"PK\x03\x04":
        raise RuntimeError("not a file written by nbtorch.save or torch.save (expected a zip "
                           "archive); it is truncated, corrupt, or another format")
    zf = zipfile.ZipFile(source)
    names = [n for n in zf.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    if not names:
        raise RuntimeError("corrupt file: the archive has no data.pkl record")
    return zf, names[0][: -len("data.pkl")]


def _move_storage(flat: np.ndarray, location: str, map_location):
    """A storage's flat array on the device where ``map_location`` sends ``location``."""
    storage = Tensor._make(flat)
    if callable(map_location):
        moved = map_location(storage, location)
        return (moved if isinstance(moved, Tensor) else storage.to(location))._array
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif map_location is not None:
        location = map_location
    device = dv.as_device(location)
    if device.type == "cuda":
        from . import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but nbtorch.cuda."
                "is_available() is False. If you are running on a CPU-only machine, please use "
                "nbtorch.load with map_location=torch.device('cpu') to map your storages to "
                "the CPU.")
    return storage.to(device)._array


def load(f, map_location=None, pickle_module=None, *, weights_only: bool = True,
         mmap=None, **pickle_load_args):
    """Load what ``nbtorch.save`` or ``torch.save`` wrote, never running code from the file.

    ``map_location`` moves tensors: ``'cpu'``, ``'cuda'``, a ``device``, a dict
    ``{'cuda:0': 'cpu'}`` mapping saved locations, or a function ``fn(storage, location)``
    that gets each storage as a flat tensor and returns it where it should go. It moves
    storages, not tensors, so views that shared memory when saved still share it.

    Only tensors, containers, numbers, strings and None can be loaded (``weights_only`` is
    always on); anything else raises ``pickle.UnpicklingError``. A truncated or corrupt file
    raises ``RuntimeError``.
    """
    import pickle

    try:
        zf, prefix = _open_archive(f)
        with zf:
            byteorder = zf.read(prefix + "byteorder").decode() \
                if prefix + "byteorder" in zf.namelist() else "little"
            cache: dict = {}

            def load_storage(pid):
                if not (type(pid) is tuple and len(pid) == 5 and pid[0] == "storage"
                        and isinstance(pid[1], _TorchStorageType)):
                    _refuse(f"a persistent object {pid!r:.60}")
                _, kind, key, location, numel = pid
                if key not in cache:
                    flat = _read_storage(zf, prefix + f"data/{key}", kind.name, numel,
                                         byteorder)
                    cache[key] = _Storage(_move_storage(flat, location, map_location))
                return cache[key]

            obj = _SafeUnpickler(zf.read(prefix + "data.pkl"), load_storage).load()
    except pickle.UnpicklingError:
        raise
    except (zipfile.BadZipFile, EOFError, KeyError, IndexError, ValueError, struct.error,
            UnicodeDecodeError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise RuntimeError(f"nbtorch.load: the file is truncated or corrupt ({e})") from None
    return obj


def _read_storage(zf, name: str, kind: str, numel: int, byteorder: str) -> np.ndarray:
    raw = zf.read(name)  # zipfile checks the CRC: a damaged record raises BadZipFile
    np_dtype = np.dtype(np.uint16) if kind == _BFLOAT16 else _DTYPE_OF[kind].numpy
    if len(raw) != numel * np_dtype.itemsize:
        raise RuntimeError(f"corrupt file: record {name} has {len(raw)} bytes, expected "
                           f"{numel} elements of {np_dtype.itemsize} bytes")
    array = np.frombuffer(raw, dtype=np_dtype.newbyteorder("<" if byteorder == "little"
                                                          else ">"))
    if kind == _BFLOAT16:  # bfloat16 is the top half of a float32
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array.astype(np_dtype)  # native byte order, and a writable copy
