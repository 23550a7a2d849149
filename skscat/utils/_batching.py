"""Batch iteration with an optional progress bar."""

import numbers

from tqdm.auto import tqdm

__all__ = ["batch_slices"]


def batch_slices(n_samples, batch_size, *, verbose=False, desc=None):
    """Yield ``slice`` objects covering ``range(n_samples)`` in order.

    Parameters
    ----------
    n_samples : int
        Number of rows to cover.
    batch_size : int
        Rows per slice (the last one may be shorter), at least 1.
    verbose : bool or int, default=False
        Show a tqdm progress bar over batches when truthy.
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    iterator of slice

    Raises
    ------
    ValueError
        When ``batch_size`` is not an integer >= 1 (checked at the call, not at the first batch).

    Examples
    --------
    >>> from skscat.utils import batch_slices
    >>> list(batch_slices(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(
            f"batch_size={batch_size!r}: the number of rows per batch must be an integer >= 1; "
            "pass batch_size=1 or more (larger batches use more memory)."
        )
    return _slices(int(n_samples), int(batch_size), verbose, desc)


def _slices(n_samples, batch_size, verbose, desc):
    starts = range(0, n_samples, batch_size)
    for start in tqdm(starts, desc=desc, disable=not verbose, unit="batch"):
        yield slice(start, min(start + batch_size, n_samples))
