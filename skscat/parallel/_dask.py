"""Dask workers that run skscat: one torch thread per worker thread."""

import threading

import torch
from distributed import WorkerPlugin
from threadpoolctl import threadpool_limits

__all__ = ["TorchThreads"]

# A thread setting its count waits this long for the other task threads to take theirs (so that each of the
# worker's threads runs the setting once), then gives up waiting: the count is already set in it.
_BARRIER_TIMEOUT_S = 60.0


class TorchThreads(WorkerPlugin):
    """Worker plugin: torch and BLAS use as many threads as the worker has.

    A dask worker runs up to ``nthreads`` tasks at once, but torch sizes its
    thread pool from the environment when it is imported: one thread under a
    dask nanny (``distributed.nanny.pre-spawn-environ`` sets
    ``OMP_NUM_THREADS=1`` unless the environment already sets it), every core
    without a nanny, in a threaded ``LocalCluster(processes=False)`` or when
    ``OMP_NUM_THREADS`` is exported. On a busy machine the surplus threads
    spin-wait on each other.

    torch (through OpenMP) keeps the count per thread, and a thread that has
    run torch code keeps its count when another thread calls
    ``torch.set_num_threads``. So the plugin sets it in the worker's event
    loop thread (which also sets the default of threads started later) and
    once in each of the worker's task threads, before the tasks queued after
    it; BLAS libraries are limited the same way (threadpoolctl). This is a
    setting of the worker process, made when the plugin is registered, never
    flipped inside ``fit``.

    Parameters
    ----------
    n_threads : int, default=None
        Threads per worker process; ``None``: the worker's ``nthreads``
        (``threads_per_worker`` of a ``LocalCluster``, ``--nthreads`` of
        ``dask worker``).

    Examples
    --------
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> from skscat.parallel import TorchThreads  # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
    >>> client.register_plugin(TorchThreads())  # doctest: +SKIP
    """

    name = "skscat-torch-threads"

    def __init__(self, n_threads=None):
        if n_threads is not None and (not isinstance(n_threads, int) or n_threads < 1):
            raise ValueError(f"n_threads={n_threads!r} must be a positive int or None (the worker's nthreads).")
        self.n_threads = n_threads

    def setup(self, worker):
        """Set torch's and BLAS's thread counts in every thread of the worker process.

        Parameters
        ----------
        worker : distributed.Worker
            The worker being set up.
        """
        self._previous = torch.get_num_threads()
        _everywhere(worker, self.n_threads or int(worker.state.nthreads))

    def teardown(self, worker):
        """Restore the count found at setup (when the plugin is replaced or removed).

        Parameters
        ----------
        worker : distributed.Worker
            The worker being torn down.
        """
        if hasattr(self, "_previous"):
            _everywhere(worker, self._previous)


def _set_threads(n_threads):
    torch.set_num_threads(n_threads)
    threadpool_limits(limits=n_threads)


def _everywhere(worker, n_threads):
    """Set the count in this thread, then in each of the worker's task threads (queued ahead of later tasks)."""
    _set_threads(n_threads)
    n_task_threads = int(worker.state.nthreads)
    barrier = threading.Barrier(n_task_threads, timeout=_BARRIER_TIMEOUT_S)

    def in_task_thread():
        _set_threads(n_threads)
        try:
            barrier.wait()  # hold this thread so that the next call lands on another one
        except threading.BrokenBarrierError:
            pass

    for _ in range(n_task_threads):
        worker.executors["default"].submit(in_task_thread)
