"""DataLoader: batching, shuffling, determinism, and the worker-process guarantees."""

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import namedtuple

import numpy as np
import pytest

import nbtorch
from nbtorch.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    get_worker_info,
)


class Squares(Dataset):
    """Sample i is (i, i*i) as a float tensor and an int."""

    def __init__(self, n=20):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return nbtorch.tensor([float(i), float(i * i)]), i


class Failing(Squares):
    def __getitem__(self, i):
        if i == 7:
            raise ValueError("sample 7 is broken")
        return super().__getitem__(i)


class Slow(Squares):
    def __getitem__(self, i):
        time.sleep(0.05)
        return super().__getitem__(i)


class RandomNoise(Squares):
    """Uses nbtorch's default generator inside __getitem__ (like a random transform)."""

    def __getitem__(self, i):
        return nbtorch.rand(2), i


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


def no_children_left():
    deadline = time.time() + 10
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


def values(loader):
    return [b[1].tolist() for b in loader]


def test_batches_and_last_batch():
    loader = DataLoader(Squares(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert batches[0][0].shape == (4, 2) and batches[0][0].dtype == nbtorch.float32
    assert batches[0][1].dtype == nbtorch.int64
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(batches[2][0].numpy(), [[8, 64], [9, 81]])
    assert len(DataLoader(Squares(10), batch_size=4, drop_last=True)) == 2
    assert values(DataLoader(Squares(10), batch_size=4, drop_last=True))[-1] == [4, 5, 6, 7]


def test_batch_size_none_gives_samples_unbatched():
    x = np.arange(6).reshape(3, 2)

    class Rows(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i]

    out = list(DataLoader(Rows(), batch_size=None))
    assert isinstance(out[0], nbtorch.Tensor) and out[1].tolist() == [2, 3]


def test_shuffle_is_a_permutation_and_seeded():
    nbtorch.manual_seed(0)
    a = values(DataLoader(Squares(20), batch_size=5, shuffle=True))
    nbtorch.manual_seed(0)
    b = values(DataLoader(Squares(20), batch_size=5, shuffle=True))
    assert a == b
    flat = sum(a, [])
    assert sorted(flat) == list(range(20)) and flat != list(range(20))
    loader = DataLoader(Squares(20), batch_size=5, shuffle=True)
    assert values(loader) != values(loader)  # a new order each epoch


def test_generator_gives_same_batches():
    def run():
        g = nbtorch.Generator().manual_seed(123)
        return values(DataLoader(Squares(20), batch_size=3, shuffle=True, generator=g))
    nbtorch.manual_seed(1)
    a = run()
    nbtorch.manual_seed(2)  # the default generator does not matter when one is given
    assert run() == a


def test_argument_errors_like_pytorch():
    ds = Squares(4)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(ds, prefetch_factor=2)


def test_custom_sampler_and_batch_sampler_and_collate():
    ds = Squares(10)
    assert values(DataLoader(ds, sampler=[9, 8, 7], batch_size=2)) == [[9, 8], [7]]
    assert values(DataLoader(ds, batch_sampler=[[1, 3], [5]])) == [[1, 3], [5]]
    loader = DataLoader(ds, batch_size=3, collate_fn=lambda samples: len(samples))
    assert list(loader) == [3, 3, 3, 1]


def test_iterable_dataset_single_process():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2


# -- worker processes -------------------------------------------------------------------------


def test_workers_give_the_same_batches_in_order():
    ds = Slow(23)
    single = list(DataLoader(ds, batch_size=4))
    multi = list(DataLoader(ds, batch_size=4, num_workers=2))
    assert len(single) == len(multi) == 6
    for (xa, ya), (xb, yb) in zip(single, multi):
        np.testing.assert_array_equal(xa.numpy(), xb.numpy())
        assert ya.tolist() == yb.tolist()
    assert no_children_left()


def test_workers_preserve_order_when_one_worker_is_slower():
    class Uneven(Squares):
        def __getitem__(self, i):
            if i < 4:  # the first batch (worker 0) is the slowest
                time.sleep(0.2)
            return super().__getitem__(i)

    assert values(DataLoader(Uneven(16), batch_size=4, num_workers=2)) == \
        [list(range(k, k + 4)) for k in range(0, 16, 4)]


def test_worker_exception_is_reraised_with_worker_traceback():
    loader = DataLoader(Failing(20), batch_size=4, num_workers=2)
    with pytest.raises(ValueError) as info:
        list(loader)
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process 1" in msg
    assert "sample 7 is broken" in msg and "Traceback" in msg and "__getitem__" in msg
    assert no_children_left()


def test_no_worker_left_after_loop_and_after_break():
    loader = DataLoader(Slow(40), batch_size=2, num_workers=2)
    for _ in loader:
        pass
    assert no_children_left()
    for _ in loader:
        assert len(multiprocessing.active_children()) == 2
        break
    assert no_children_left()


def test_keyboard_interrupt_stops_workers():
    pid = os.getpid()
    timer = threading.Timer(0.3, lambda: os.kill(pid, signal.SIGINT))
    loader = DataLoader(Slow(400), batch_size=1, num_workers=2)
    with pytest.raises(KeyboardInterrupt):
        timer.start()
        for _ in loader:
            pass
    timer.cancel()
    assert no_children_left()


def test_workers_random_streams_are_seeded_and_distinct():
    def run():
        nbtorch.manual_seed(0)
        return [b[0].numpy().copy() for b in DataLoader(RandomNoise(8), batch_size=2,
                                                       num_workers=2)]
    a, b = run(), run()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], a[1])  # two workers draw different numbers


def test_shuffle_with_workers_matches_single_process():
    g = lambda: nbtorch.Generator().manual_seed(5)  # noqa: E731
    a = values(DataLoader(Squares(30), batch_size=4, shuffle=True, generator=g()))
    b = values(DataLoader(Squares(30), batch_size=4, shuffle=True, generator=g(), num_workers=2))
    assert a == b


def test_worker_init_fn_and_worker_info():
    class WhoAmI(Squares):
        def __getitem__(self, i):
            info = get_worker_info()
            return info.id, info.num_workers, os.environ.get("NBTORCH_TEST_INIT", "")

    def init(worker_id):
        os.environ["NBTORCH_TEST_INIT"] = f"init{worker_id}"

    batches = list(DataLoader(WhoAmI(8), batch_size=2, num_workers=2, worker_init_fn=init))
    assert [b[0].tolist() for b in batches] == [[0, 0], [1, 1], [0, 0], [1, 1]]
    assert batches[1][2] == ["init1", "init1"] and batches[0][1].tolist() == [2, 2]
    assert get_worker_info() is None


def test_iterable_dataset_with_workers():
    out = sorted(sum((b.tolist() for b in DataLoader(Stream(11), batch_size=2, num_workers=2)),
                     []))
    assert out == list(range(11))
    assert no_children_left()


def test_persistent_workers_survive_epochs():
    loader = DataLoader(Squares(12), batch_size=4, num_workers=2, persistent_workers=True)
    first = values(loader)
    pids = {p.pid for p in multiprocessing.active_children()}
    assert len(pids) == 2
    for _ in loader:
        break  # a cut-short epoch: the next one must still be complete and in order
    assert values(loader) == first == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert {p.pid for p in multiprocessing.active_children()} == pids
    del loader
    gc.collect()
    assert no_children_left()


def test_timeout_and_prefetch_factor():
    class VerySlow(Squares):
        def __getitem__(self, i):
            time.sleep(3)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(DataLoader(VerySlow(4), num_workers=1, timeout=0.5))
    assert no_children_left()
    loader = DataLoader(Squares(8), batch_size=2, num_workers=2, prefetch_factor=1,
                        pin_memory=True)
    assert values(loader) == [[0, 1], [2, 3], [4, 5], [6, 7]]


Pair = namedtuple("Pair", "x y")


def test_collate_namedtuple_and_dict_through_workers():
    class Dicts(Squares):
        def __getitem__(self, i):
            return {"pair": Pair(i, float(i)), "name": f"s{i}"}

    (batch,) = list(DataLoader(Dicts(3), batch_size=3, num_workers=1))
    assert isinstance(batch["pair"], Pair) and batch["pair"].x.tolist() == [0, 1, 2]
    assert batch["name"] == ["s0", "s1", "s2"]


def test_unpicklable_batch_is_an_error_not_a_hang():
    class Local:  # defined inside a function: pickle can't find it by name
        pass

    class Odd(Squares):
        def __getitem__(self, i):
            return Local()

    with pytest.raises(AttributeError, match="(?s)worker process 0.*Can.t pickle local object"):
        list(DataLoader(Odd(4), batch_size=2, num_workers=1, collate_fn=lambda b: b))
    assert no_children_left()
