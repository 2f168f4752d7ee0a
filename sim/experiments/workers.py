"""Where a sweep's chunks are computed: here, in local processes, or on a dask cluster.

Workers only compute (`sim.experiments.plan.compute_chunk`) and return each chunk;
the coordinating process alone writes files (`sim.experiments.store`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from itertools import islice
from multiprocessing.connection import wait as wait_for

import numba
import pandas as pd

from sim.base.errors import InputError
from sim.base.processes import main_not_reimported
from sim.experiments.plan import ChunkTask, compute_chunk


def computed_chunks(tasks: Iterator[ChunkTask], workers: int, scheduler) -> Iterator[tuple[int, pd.DataFrame]]:
    """Computed chunks in the order they finish: here, in local processes, or on a dask cluster."""
    if scheduler is not None:
        yield from _dask_results(tasks, scheduler, workers)
    elif workers > 1:
        yield from _process_results(tasks, workers)
    else:
        yield from map(compute_chunk, tasks)


def _process_results(tasks, workers: int):
    # spawn: workers start clean (no copied threads or locks) and import this checkout's sim via sys.path
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker)
    try:
        with main_not_reimported():  # the pool starts its processes at the first submit
            pending = {pool.submit(compute_chunk, task) for task in islice(tasks, 2 * workers)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                pending |= {pool.submit(compute_chunk, task) for task in islice(tasks, 1)}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    """In a worker process: one thread for the compiled step (the workers are the cores; a
    thread per core in each of them would oversubscribe), and exit with the parent."""
    numba.set_num_threads(1)
    _exit_with_parent()


def _exit_with_parent() -> None:
    """In a worker process: exit as soon as the coordinating process dies (even by SIGKILL).

    Otherwise a killed sweep leaves its workers waiting forever on their task queue.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (wait_for([parent.sentinel]), os._exit(1)), daemon=True).start()


def _dask_results(tasks, scheduler, window: int):
    from distributed import Client, as_completed  # dask loads only when a scheduler is given

    client = scheduler if isinstance(scheduler, Client) else _connect(scheduler)
    try:
        window = max(window, 2 * len(client.scheduler_info(n_workers=-1)["workers"]))
        running = as_completed([client.submit(compute_chunk, t, pure=False) for t in islice(tasks, window)],
                               with_results=True)
        for _, result in running:
            yield result
            for task in islice(tasks, 1):
                running.add(client.submit(compute_chunk, task, pure=False))
    finally:
        if client is not scheduler:
            client.close()


def _connect(address: str):
    from distributed import Client  # dask loads only when a scheduler is given

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError("", "--scheduler", address, f"the address of a running dask scheduler ({exc})") from None
