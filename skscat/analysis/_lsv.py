"""Local support vectors (Oyallon, CVPR 2017): points that their neighbours keep misclassifying."""

from dataclasses import dataclass

import numpy as np

from ._neighbors import _DEFAULT_BUDGET, nearest_neighbors
from ._validation import check_features, check_k_max, check_labels

__all__ = ["LocalSupportVectors", "local_support_vectors"]

_RULES = ("talk", "sklearn_vote")


@dataclass(frozen=True)
class LocalSupportVectors:
    """Result of :func:`local_support_vectors`.

    Attributes
    ----------
    counts : ndarray of shape (k_max,), int64
        ``counts[k - 1] == |Gamma^k|``.
    members : ndarray of shape (k_max, n_samples), bool
        ``members[k - 1, i]`` is True when point ``i`` belongs to ``Gamma^k``;
        the sets are nested: ``members[k] <= members[k - 1]``.
    neighbors : ndarray of shape (n_samples, k_max), int64
        The neighbours the rule voted with, nearest first (for
        ``rule="sklearn_vote"`` the list includes the point itself).
    rule : str
        The rule used, "talk" or "sklearn_vote".
    """

    counts: np.ndarray
    members: np.ndarray
    neighbors: np.ndarray
    rule: str

    @property
    def k(self):
        """The values of ``k``: 1 to ``k_max``."""
        return np.arange(1, self.counts.shape[0] + 1)


def local_support_vectors(
    X, y, k_max=31, *, rule="talk", device="auto", memory_budget=_DEFAULT_BUDGET, verbose=False
):
    """Count the local support vectors ``|Gamma^k|`` for ``k`` from 1 to ``k_max``.

    With ``x^(l)`` the ``l``-th nearest neighbour of ``x`` among the *other*
    points (Euclidean distance; equal distances ordered by index):

    - ``Gamma^1 = {x : y(x^(1)) != y(x)}`` (points their nearest neighbour
      misclassifies);
    - ``Gamma^(k+1) = {x in Gamma^k : #{l <= k+1 : y(x^(l)) != y(x)} > (k+1)/2}``
      (points that a strict majority of their ``l`` nearest neighbours gets
      wrong for every ``l <= k + 1``).

    ``rule="sklearn_vote"`` reproduces the official code's variant instead:
    the label predicted by a uniform ``KNeighborsClassifier(n_neighbors=k)``
    fitted on ``(X, y)`` and applied to ``X`` itself, so that each point is
    one of its own ``k`` neighbours (placed among exact duplicates by index),
    and vote ties go to the smallest label; ``Gamma^k`` is the set of points
    of ``Gamma^(k-1)`` (all points for ``k = 1``) this vote misclassifies.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features (for example one depth of a network, see
        :func:`layer_representations`).
    y : array-like of shape (n_samples,)
        Class labels.
    k_max : int, default=31
        Largest ``k``; must be smaller than ``n_samples``.
    rule : {"talk", "sklearn_vote"}, default="talk"
        The talk's definition, or the official code's variant.
    device : str, default="auto"
        Device of the nearest-neighbour search.
    memory_budget : int, default=268435456
        Working memory in bytes of the search (see :func:`nearest_neighbors`).
    verbose : bool, default=False
        Progress bar over query blocks.

    Returns
    -------
    LocalSupportVectors
        ``counts`` (length ``k_max``), ``members`` (boolean mask of shape
        ``(k_max, n_samples)``), the ``neighbors`` used and the ``rule``.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import local_support_vectors
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.5]])
    >>> y = np.array([0, 0, 1, 1, 1, 1])
    >>> lsv = local_support_vectors(X, y, k_max=3, device="cpu")
    >>> lsv.counts
    array([1, 1, 1])
    >>> np.flatnonzero(lsv.members[2])
    array([2])
    """
    X = check_features(X)
    y = check_labels(y, X.shape[0])
    k_max = check_k_max(k_max, X.shape[0])
    if rule not in _RULES:
        raise ValueError(f"rule={rule!r} is not a rule; use one of {_RULES}.")
    n_search = k_max if rule == "talk" else k_max - 1
    dist, ind = _search(X, n_search, device, memory_budget, verbose)
    if rule == "sklearn_vote":
        ind = _with_self(dist, ind)
        members = _vote_members(y, ind)
    else:
        members = _talk_members(y[ind] != y[:, None])
    return LocalSupportVectors(members.sum(1).astype(np.int64), members, ind, rule)


def _search(X, n_search, device, memory_budget, verbose):
    if n_search == 0:
        return np.zeros((X.shape[0], 0)), np.zeros((X.shape[0], 0), dtype=np.int64)
    return nearest_neighbors(X, n_search, device=device, memory_budget=memory_budget, verbose=verbose)


def _talk_members(wrong):
    """Nested masks from the (n, k_max) table "neighbour l has another label"."""
    n_wrong = np.cumsum(wrong, axis=1)
    ks = np.arange(1, wrong.shape[1] + 1)
    majority_wrong = 2 * n_wrong > ks[None, :]
    return np.logical_and.accumulate(majority_wrong, axis=1).T


def _with_self(dist, ind):
    """Insert each point into its own neighbour list, after equal-distance lower indices."""
    n = ind.shape[0]
    rows = np.arange(n)
    pos = ((dist == 0) & (ind < rows[:, None])).sum(1)
    out = np.empty((n, ind.shape[1] + 1), dtype=np.int64)
    col = np.arange(ind.shape[1] + 1)[None, :]
    before, at = col < pos[:, None], col == pos[:, None]
    out[before] = ind[before[:, :-1]]
    out[at] = rows
    out[~before & ~at] = ind[(col[:, :-1] >= pos[:, None])]
    return out


def _vote_members(y, ind):
    """Nested masks of points misclassified by the k-vote, for every k."""
    classes, codes = np.unique(y, return_inverse=True)
    votes = np.zeros((y.shape[0], classes.shape[0]), dtype=np.int64)
    rows = np.arange(y.shape[0])
    members = np.empty((ind.shape[1], y.shape[0]), dtype=bool)
    alive = np.ones(y.shape[0], dtype=bool)
    for k in range(ind.shape[1]):
        np.add.at(votes, (rows, codes[ind[:, k]]), 1)
        alive &= votes.argmax(1) != codes
        members[k] = alive
    return members
