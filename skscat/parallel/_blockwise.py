"""Lazy, blockwise transforms of dask arrays whose samples are images or rows."""

import dask.array as da
import numpy as np

__all__ = ["blockwise_transform"]


def blockwise_transform(transformer, X, *, method="transform"):
    """Apply a fitted estimator's method to a dask array, one chunk of rows per task.

    dask-ml's ``ParallelPostFit`` does the same for 2-D input, but builds its
    output's metadata from the input: a transform that changes the number of
    columns (every scattering transform) reports the input's shape, and
    image-shaped (4-D) input fails. Here the output shape and dtype come from
    the method applied to one all-zero sample of the input's shape.

    Parameters
    ----------
    transformer : fitted estimator
        Any estimator with ``method`` (a pipeline, a scattering transformer,
        OLS, a classifier's ``predict_proba``...).
    X : dask.array.Array of shape (n_samples, ...)
        Input; rechunked so that each block holds whole samples (its row
        chunks are kept).
    method : str, default="transform"
        Name of the method to apply block by block.

    Returns
    -------
    dask.array.Array of shape (n_samples, ...)
        Lazy; one block per row chunk of ``X``.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from skscat.parallel import blockwise_transform
    >>> X = np.random.RandomState(0).rand(30, 5)
    >>> out = blockwise_transform(PCA(n_components=2).fit(X), da.from_array(X, chunks=(10, 5)))
    >>> out.shape, out.chunks[0]
    ((30, 2), (10, 10, 10))
    """
    if not isinstance(X, da.Array):
        raise TypeError(f"X is a {type(X).__name__}; pass a dask array (dask.array.from_array(X, chunks=...)).")
    apply = getattr(transformer, method)
    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    probe = np.asarray(apply(np.zeros((1, *X.shape[1:]), dtype=X.dtype)))
    out_chunks = (X.chunks[0], *((size,) for size in probe.shape[1:]))
    return da.map_blocks(
        _apply, X, apply=apply, chunks=out_chunks, dtype=probe.dtype,
        drop_axis=list(range(probe.ndim, X.ndim)) or None,
        new_axis=list(range(X.ndim, probe.ndim)) or None,
        meta=probe[:0],
    )


def _apply(block, apply):
    return np.asarray(apply(block))
