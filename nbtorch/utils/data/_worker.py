"""What runs inside a DataLoader worker process.

Each worker loops: take a task ``(task_id, epoch, indices)`` from its own index queue, load
and collate those samples, put ``(task_id, batch)`` on the shared result queue. ``None`` tells
it to stop. An exception does not kill the worker: it is sent back, with its traceback as
text, and re-raised in the main process by ``ExceptionWrapper.reraise``.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler

import numpy as np

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Inside a worker: which worker this is, how many there are, its seed, its dataset copy."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info() -> WorkerInfo | None:
    """The ``WorkerInfo`` of this worker process, or None in the main process.

    An ``IterableDataset`` uses it to split the stream between workers.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as type + traceback text."""

    def __init__(self, exc_info, where: str) -> None:
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the same type of exception here, its message holding the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:  # KeyError would print its message in quotes
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type whose constructor needs other arguments
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return str(self)


class IterationEnd:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


def _seed_everything(seed: int, worker_id: int) -> None:
    """Seed nbtorch, ``random`` and numpy's legacy global generator, differently per worker."""
    from ...random import manual_seed

    manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, seed]).generate_state(4))


def worker_loop(dataset, is_iterable, index_queue, result_queue, collate_fn, auto_collation,
                batch_size, drop_last, seed, worker_id, num_workers, worker_init_fn,
                parent_pid, done_event) -> None:
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    result_queue.cancel_join_thread()  # never block on exit over unread results
    _seed_everything(seed, worker_id)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    if worker_init_fn is not None:
        try:
            worker_init_fn(worker_id)
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(), where)
    stream, stream_epoch, exhausted = None, None, False
    while True:
        try:
            task = index_queue.get(timeout=5.0)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died: stop too
                return
            continue
        if task is None:
            return
        if done_event.is_set():
            continue  # shutting down: only the final None matters now
        task_id, epoch, indices = task
        if init_error is not None:
            result_queue.put((task_id, init_error))
            continue
        try:
            if not is_iterable:
                samples = [dataset[i] for i in indices] if auto_collation else dataset[indices]
                data = collate_fn(samples)
            else:
                if epoch != stream_epoch:  # a new epoch: iterate the dataset afresh
                    stream, stream_epoch, exhausted = iter(dataset), epoch, False
                data = None if exhausted else _next_batch(stream, auto_collation, batch_size,
                                                          drop_last, collate_fn)
                if data is None:
                    exhausted = True
                    data = IterationEnd(worker_id)
        except Exception:
            data = ExceptionWrapper(sys.exc_info(), where)
        result_queue.put((task_id, _pickled(data, where)))


def _pickled(data, where: str) -> bytes:
    """Pickle a result here, not in the queue's background thread: a batch that can't be
    pickled (a class defined inside a function, an open file) becomes an error for the main
    process instead of a batch that silently never arrives."""
    try:
        return bytes(ForkingPickler.dumps(data))
    except Exception:
        return bytes(ForkingPickler.dumps(ExceptionWrapper(sys.exc_info(), where)))


def _next_batch(stream, auto_collation, batch_size, drop_last, collate_fn):
    """The next batch from an iterator over an IterableDataset, or None at its end."""
    if not auto_collation:
        try:
            return collate_fn(next(stream))
        except StopIteration:
            return None
    samples = []
    for sample in stream:
        samples.append(sample)
        if len(samples) == batch_size:
            break
    if not samples or (drop_last and len(samples) < batch_size):
        return None
    return collate_fn(samples)
