"""How many threads the code running now may use, when a cluster worker says so."""

import sys

__all__ = ["worker_threads"]


def worker_threads():
    """Return the thread count of the dask worker running the current task (``None`` outside one).

    ``distributed`` is looked up in :data:`sys.modules` rather than imported:
    inside a worker it is always loaded, and elsewhere this costs nothing.

    Returns
    -------
    int or None
        ``distributed.get_worker().state.nthreads`` inside a dask worker,
        ``None`` otherwise.

    Examples
    --------
    >>> from skscat.utils import worker_threads
    >>> worker_threads() is None  # not inside a dask worker
    True
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        worker = distributed.get_worker()
    except ValueError:
        return None
    return int(worker.state.nthreads)
