"""Batch iteration with an optional progress bar."""

from tqdm.auto import tqdm

__all__ = ["batch_slices"]


def batch_slices(n_samples, batch_size, *, verbose=False, desc=None):
    """Yield ``slice`` objects covering ``range(n_samples)`` in order.

    Parameters
    ----------
    n_samples : int
        Number of rows to cover.
    batch_size : int
        Rows per slice (the last one may be shorter).
    verbose : bool or int, default=False
        Show a tqdm progress bar over batches when truthy.
    desc : str, optional
        Label of the progress bar.

    Yields
    ------
    slice
    """
    starts = range(0, n_samples, batch_size)
    for start in tqdm(starts, desc=desc, disable=not verbose, unit="batch"):
        yield slice(start, min(start + batch_size, n_samples))
