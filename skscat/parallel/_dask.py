"""Dask workers that run skscat: one torch thread per worker thread."""

import torch
from distributed import WorkerPlugin
from distributed.threadpoolexecutor import ThreadPoolExecutor
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
    spin-wait on each other.

    torch (through OpenMP) keeps the count per thread: a thread reads
    torch's process-wide count the first time it runs torch code and keeps
    it, whoever calls ``torch.set_num_threads`` later. So the plugin sets the
    process-wide count (and limits the BLAS libraries, with threadpoolctl),
    then gives the worker fresh task threads, which start from it; the old
    ones finish their tasks and exit. Register it before submitting work, as
    in the examples: a task running at that moment that left the pool
    (``secede``, e.g. a nested joblib call) cannot rejoin it. This is a
    setting of the worker process, made when the plugin is registered (and on
    workers that join later), never flipped inside ``fit``.

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
        """Set torch's and BLAS's thread counts in the worker process and renew its task threads.

        Parameters
        ----------
        worker : distributed.Worker
            The worker being set up.
        """
        self._previous = torch.get_num_threads()
        _set_threads(worker, self.n_threads or int(worker.state.nthreads))

    def teardown(self, worker):
        """Restore the count found at setup (when the plugin is replaced or removed).

        Parameters
        ----------
        worker : distributed.Worker
            The worker being torn down.
        """
        if hasattr(self, "_previous"):
            _set_threads(worker, self._previous)


def _set_threads(worker, n_threads):
    torch.set_num_threads(n_threads)  # this thread, and the count every new thread starts from
    threadpool_limits(limits=n_threads)
    old = worker.executors["default"]
    if isinstance(old, ThreadPoolExecutor):  # not the "offload" executor or a user's own pool
        worker.executors["default"] = ThreadPoolExecutor(int(worker.state.nthreads),
                                                         thread_name_prefix=old._thread_name_prefix)
        old.shutdown(wait=False)
