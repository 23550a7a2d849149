"""Contraction statistics of a representation: distances, PCA spectra, neighbour distances."""

import math

import numpy as np
import torch

from ..utils import resolve_device
from ..utils._distances import (
    scale_exponent,
    scaled_squared_distances,
    times_power_of_two,
)
from ._neighbors import nearest_neighbors
from ._validation import check_features, check_labels

__all__ = ["class_pca_spectra", "intra_class_distances", "neighbor_distance_histograms"]

_BLOCK = 2048


def intra_class_distances(X, y, *, device="auto"):
    """Mean Euclidean distance between points of the same class, and to the other classes.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.
    device : str, default="auto"
        Where the pairwise distances are computed (in blocks of 2048 rows).

    Returns
    -------
    dict
        ``classes`` (ndarray), ``intra`` (mean distance between distinct
        points of each class), ``inter`` (mean distance from each class to
        the points of the other classes) and ``ratio`` (``intra / inter``;
        below 1 when classes are contracted relative to their separation).

    Examples
    --------
    >>> from skscat.analysis import intra_class_distances
    >>> stats = intra_class_distances([[0.0], [1.0], [10.0], [12.0]], [0, 0, 1, 1], device="cpu")
    >>> stats["intra"].tolist(), stats["inter"].tolist()
    ([1.0, 2.0], [10.5, 10.5])
    """
    X = check_features(X)
    y = check_labels(y, X.shape[0])
    classes, codes = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"y has a single class ({classes[0]!r}); inter-class distances need at least 2 classes.")
    dev = resolve_device(device)
    sums, exponent = _class_distance_sums(torch.as_tensor(X, dtype=torch.float64, device=dev), codes, classes.size)
    counts = np.bincount(codes, minlength=classes.size).astype(np.float64)
    pairs_intra = counts * (counts - 1)
    intra = np.divide(np.diag(sums), pairs_intra, out=np.full(classes.size, np.nan), where=pairs_intra > 0)
    inter = (sums.sum(1) - np.diag(sums)) / (counts * (counts.sum() - counts))
    intra, inter = np.ldexp(intra, exponent), np.ldexp(inter, exponent)
    return {"classes": classes, "intra": intra, "inter": inter, "ratio": intra / inter}


def _class_distance_sums(X, codes, n_classes):
    """``S[a, b]`` = sum of distances from class a to class b, in units of ``2^e``; and ``e``.

    Distances of the centred data (less cancellation in skscat's one
    squared-distance computation), rescaled by an exact power of two so that
    neither the squares nor the sums overflow at any finite scale.
    """
    exponent = scale_exponent(X)
    X = times_power_of_two(X, -exponent) if exponent else X
    X = X - X.mean(0)
    onehot = torch.zeros(X.shape[0], n_classes, dtype=X.dtype, device=X.device)
    onehot[torch.arange(X.shape[0]), torch.as_tensor(codes, device=X.device)] = 1
    sums = torch.zeros(n_classes, n_classes, dtype=X.dtype, device=X.device)
    for start in range(0, X.shape[0], _BLOCK):
        d2, _ = scaled_squared_distances(X[start : start + _BLOCK], X, exponent=0)
        d2.diagonal(offset=start).zero_()  # a point's distance to itself, exactly
        sums += onehot[start : start + _BLOCK].T @ d2.sqrt_() @ onehot
    return sums.cpu().numpy(), exponent


def class_pca_spectra(X, y):
    """Cumulative explained-variance ratio of the principal components of each class.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    dict
        ``classes`` and ``cumulative``: array of shape ``(n_classes,
        n_features)``, row ``c`` the fraction of class ``c``'s variance held
        by its first ``1, 2, ...`` principal components (non-decreasing,
        ending at 1). A faster rise means a lower-dimensional class.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import class_pca_spectra
    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    >>> class_pca_spectra(X, [0, 0, 1, 1])["cumulative"].tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    X = check_features(X).astype(np.float64, copy=False)
    y = check_labels(y, X.shape[0])
    classes = np.unique(y)
    cumulative = np.empty((classes.size, X.shape[1]))
    for row, label in enumerate(classes):
        Z = X[y == label]
        Z = np.ldexp(Z, -math.frexp(float(np.abs(Z).max()))[1])  # exact: no overflow of Z.T @ Z at any scale
        Z = Z - Z.mean(0)
        eig = np.clip(np.linalg.eigvalsh(Z.T @ Z)[::-1], 0.0, None)
        total = eig.sum()
        cumulative[row] = np.cumsum(eig) / total if total > 0 else 1.0
    return {"classes": classes, "cumulative": cumulative}


def neighbor_distance_histograms(X, y, *, n_neighbors=2, bins=30, device="auto"):
    """Histogram the distances to the nearest neighbours, same vs different label.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.
    n_neighbors : int, default=2
        Neighbours per point (among the other points).
    bins : int, default=30
        Number of bins, shared by both histograms.
    device : str, default="auto"
        Device of the search.

    Returns
    -------
    dict
        ``bin_edges`` (``bins + 1``), ``same`` and ``different`` (counts of
        neighbour distances whose neighbour has the same / another label),
        and the raw ``distances`` and ``same_label`` arrays of shape
        ``(n_samples, n_neighbors)``.

    Examples
    --------
    >>> from skscat.analysis import neighbor_distance_histograms
    >>> h = neighbor_distance_histograms([[0.0], [1.0], [3.0]], [0, 0, 1], n_neighbors=1, bins=2, device="cpu")
    >>> h["same"].tolist(), h["different"].tolist()
    ([2, 0], [0, 1])
    """
    X = check_features(X)
    y = check_labels(y, X.shape[0])
    dist, ind = nearest_neighbors(X, n_neighbors, device=device)
    same = y[ind] == y[:, None]
    edges = np.histogram_bin_edges(dist, bins=bins)
    return {
        "bin_edges": edges,
        "same": np.histogram(dist[same], bins=edges)[0],
        "different": np.histogram(dist[~same], bins=edges)[0],
        "distances": dist,
        "same_label": same,
    }
