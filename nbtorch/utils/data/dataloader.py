"""DataLoader: batches from a dataset, in the main process or in worker processes.

With ``num_workers=0`` the loop is simple: take the next list of indices from the batch
sampler, load those samples, collate them. With ``num_workers=N`` the same work is done by N
worker processes (see ``_worker.py``) while the main process trains: task k goes to worker
``k % N``; results come back in any order and are handed out in order; each worker keeps up
to ``prefetch_factor`` tasks queued. On Linux workers are started with ``fork``, so they
inherit everything defined so far, including a Dataset class defined in a notebook cell.
(On macOS and Windows, the default is ``spawn``: the dataset must be importable.)
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import sys
from collections.abc import Callable

from ...random import Generator, default_generator
from . import _worker
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Iterate over ``dataset`` in batches.

    ``DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2)`` yields one collated
    batch per step. ``shuffle`` draws a new order every epoch from ``generator`` (or from the
    default generator, so ``nbtorch.manual_seed`` fixes it). Worker ``i`` seeds nbtorch,
    ``random`` and numpy with ``base_seed + i`` (``base_seed`` drawn once per epoch), so random
    transforms are reproducible too. ``pin_memory`` is accepted and has no effect.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "") -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)

        if self._iterable:
            if shuffle:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "and batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator = None

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return _MultiProcessIter(self)

    def _draw_base_seed(self) -> int:
        return int((self.generator or default_generator)._rng.integers(2**62))


class _SingleProcessIter:
    """Load batches in the main process."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        loader._draw_base_seed()  # keeps the random stream the same as with workers
        if loader._iterable:
            self._stream = iter(loader.dataset)
        else:
            self._indices = iter(loader._index_sampler)

    def __iter__(self):
        return self

    def __next__(self):
        loader = self._loader
        if loader._iterable:
            batch = _worker._next_batch(self._stream, loader._auto_collation, loader.batch_size,
                                        loader.drop_last, loader.collate_fn)
            if batch is None:
                raise StopIteration
            return batch
        indices = next(self._indices)
        if loader._auto_collation:
            return loader.collate_fn([loader.dataset[i] for i in indices])
        return loader.collate_fn(loader.dataset[indices])

    def __len__(self) -> int:
        return len(self._loader)


def _default_context():
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class _MultiProcessIter:
    """Load batches in worker processes and hand them out in order."""

    _shut_down = True  # until workers exist

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = _default_context()
        elif isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        n = loader.num_workers
        base_seed = loader._draw_base_seed()
        self._result_queue = ctx.Queue()
        self._done = ctx.Event()  # set at shutdown: workers skip the tasks still queued
        self._index_queues, self._workers = [], []
        self._shut_down = False
        for worker_id in range(n):
            index_queue = ctx.Queue()
            w = ctx.Process(
                target=_worker.worker_loop,
                args=(loader.dataset, loader._iterable, index_queue, self._result_queue,
                      loader.collate_fn, loader._auto_collation, loader.batch_size,
                      loader.drop_last, base_seed + worker_id, worker_id, n,
                      loader.worker_init_fn, multiprocessing.current_process().pid,
                      self._done),
                daemon=True)
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._next_task = 0  # task ids grow across epochs: old results are recognisable
        self._epoch = -1
        self._reset(first=True)

    def _reset(self, first: bool = False) -> None:
        """Start an epoch: a new sampler pass, results of earlier epochs are dropped."""
        loader = self._loader
        if not first:
            loader._draw_base_seed()
        self._epoch += 1
        self._indices = None if loader._iterable else iter(loader._index_sampler)
        self._epoch_start = self._rcvd = self._sent = self._next_task
        self._results = {}
        self._worker_of = {}
        self._active = [True] * loader.num_workers
        self._sampler_done = False
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._put_task()

    def _put_task(self) -> None:
        """Send the next batch of indices to the next worker that is still active."""
        if self._sampler_done or not any(self._active):
            return
        n = self._loader.num_workers
        worker = next(w for w in (self._sent + k for k in range(n)) if self._active[w % n]) % n
        if self._indices is None:
            indices = None  # an IterableDataset: "your next batch"
        else:
            try:
                indices = next(self._indices)
            except StopIteration:
                self._sampler_done = True
                return
        task = self._next_task
        self._index_queues[worker].put((task, self._epoch, indices))
        self._worker_of[task] = worker
        self._next_task = self._sent = task + 1

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self):
        try:
            return self._next_batch()
        except StopIteration:
            raise
        except BaseException:  # a worker's error, a timeout, Ctrl-C: stop the workers first
            self._shutdown()
            raise

    def _next_batch(self):
        while True:
            if self._rcvd == self._sent:
                if not self._loader.persistent_workers:
                    self._shutdown()
                raise StopIteration
            if self._rcvd in self._results:
                data = self._results.pop(self._rcvd)
                self._rcvd += 1
                self._put_task()
                if isinstance(data, _worker.IterationEnd):
                    continue
                if isinstance(data, _worker.ExceptionWrapper):
                    data.reraise()
                return data
            task, data = self._get_result()
            if task < self._epoch_start:
                continue  # left over from an epoch that was cut short
            if isinstance(data, _worker.IterationEnd):
                self._active[data.worker_id] = False
            self._results[task] = data

    def _get_result(self):
        """Wait for the next result; notice a timeout or a worker that died."""
        timeout = self._loader.timeout
        while True:
            try:
                task, payload = self._result_queue.get(timeout=timeout if timeout > 0 else 5.0)
                return task, pickle.loads(payload)
            except queue.Empty:
                if timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None
                dead = [w for w in self._workers if not w.is_alive()]
                if dead:
                    pids = ", ".join(str(w.pid) for w in dead)
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited "
                                       "unexpectedly") from None

    def _shutdown(self) -> None:
        """Stop every worker: ask politely, wait a little, then terminate."""
        if self._shut_down:
            return
        self._shut_down = True
        self._done.set()
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=5.0)
            if w.is_alive():
                w.terminate()
                w.join()
        for q in (*self._index_queues, self._result_queue):
            q.cancel_join_thread()
            q.close()
        if self._loader._iterator is self:
            self._loader._iterator = None

    def __del__(self):
        self._shutdown()
