"""Dask workers that run skscat: one torch thread per worker thread."""

import torch
from distributed import WorkerPlugin
from threadpoolctl import threadpool_limits

__all__ = ["TorchThreads"]


class TorchThreads(WorkerPlugin):
    """Worker plugin: torch and BLAS use as many threads as the worker has.

    A dask worker runs up to ``nthreads`` tasks at once, but torch sizes its
    thread pool from the environment when it is imported: one thread under a
    dask nanny (``distributed.nanny.pre-spawn-environ`` sets
    ``OMP_NUM_THREADS=1`` unless the environment already sets it), every core
    without a nanny, in a threaded ``LocalCluster(processes=False)`` or when
    ``OMP_NUM_THREADS`` is exported. On a busy machine the surplus threads
    spin-wait on each other. The plugin sets the worker process's torch
    threads (``torch.set_num_threads``) and its BLAS threads (threadpoolctl)
    once, when the worker starts: a setting of the worker process, never
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
        """Set torch's and BLAS's thread counts in the worker process.

        Parameters
        ----------
        worker : distributed.Worker
            The worker the plugin is registered on (dask passes it).
        """
        n_threads = self.n_threads or int(worker.state.nthreads)
        self._previous = torch.get_num_threads()
        torch.set_num_threads(n_threads)
        self._limits = threadpool_limits(limits=n_threads)

    def teardown(self, worker):
        """Restore the counts found at setup (when the plugin is replaced or removed).

        Parameters
        ----------
        worker : distributed.Worker
            The worker the plugin is registered on (dask passes it).
        """
        if hasattr(self, "_limits"):
            self._limits.restore_original_limits()
            torch.set_num_threads(self._previous)
