"""Blocked exact k-nearest-neighbour search in torch (CPU or GPU).

The search runs in two passes per block of query points:

1. *Candidate pass (float32, fast)*: squared distances
   ``|a|^2 + |b|^2 - 2 a.b`` of the (mean-centred) data by one matrix
   product per block of reference points; a running ``topk`` keeps the
   ``m = n_neighbors + margin`` smallest.
2. *Exact pass (float64)*: the ``m`` candidates are re-ranked by
   ``sum((a - b) ** 2)`` computed in float64 from the original values, and
   equal distances are ordered by index.

The float32 pass can misorder points whose distances differ by less than its
rounding error, so each query is *certified*: with ``u = 2**-24`` the
float32 squared distance of ``a`` and ``b`` is within
``err = 2 (d + 8) u (|a| + |b|)^2`` of the exact one (``d`` products summed
in any order, plus the float32 conversion of the input; the factor 2 is a
safety margin). Every point outside the candidates has a float32 distance at
least ``D_m`` (the largest candidate's), hence an exact distance at least
``D_m - err``. When ``D_m - err`` exceeds the exact ``n_neighbors``-th
distance, no outside point can enter the answer, ties included; otherwise
(many exact ties, such as duplicated points or integer grids) the query's
whole row is recomputed exactly in float64. The result is therefore the
exact answer of the definition "sort by (float64 distance, index)".

Scale: both passes work on the data times an exact power of two ``2^-e``
(:func:`skscat.utils.scale_exponent`, 0 for ordinary data), so float32
squared norms neither overflow (data near 1e19 and above) nor underflow
(near 1e-19 and below); distances are multiplied back by ``2^e``. The
answer is the same at every finite scale.

Memory: besides a float32 copy of the data on the device (``4 n d`` bytes,
plus ``8 n d`` when the input is float64, for the exact pass), every working
buffer is sized from ``memory_budget`` (default 256 MiB). For 50,000 x 512
float32 features that is 102 MB + 256 MiB on the device, and the returned
arrays ``n x n_neighbors`` (int64 and float64).
"""

import math

import numpy as np
import torch

from ..utils import batch_slices, resolve_device
from ..utils._distances import (
    scale_exponent,
    scaled_squared_distances,
    times_power_of_two,
)

__all__ = ["nearest_neighbors"]

_U32 = 2.0**-24
_DEFAULT_BUDGET = 256 * 2**20
_CHUNK_BYTES = 8 * 2**20  # cache-sized pieces of the exact re-ranking


def nearest_neighbors(
    X,
    n_neighbors,
    *,
    queries=None,
    device="auto",
    memory_budget=_DEFAULT_BUDGET,
    margin=None,
    verbose=False,
):
    """Exact Euclidean k-nearest neighbours, blocked, in torch.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference points.
    n_neighbors : int
        Neighbours to return per query.
    queries : array-like of shape (n_queries, n_features), default=None
        Points to search for. ``None`` searches every row of ``X`` among the
        *other* rows of ``X`` (a point is never its own neighbour; an exact
        duplicate at another index is).
    device : str, default="auto"
        Where to compute ("cpu", "cuda", "cuda:1", "auto").
    memory_budget : int, default=268435456
        Bytes of working memory (beyond the data copies) the search may use
        on ``device``; block sizes are derived from it.
    margin : int, default=None
        Extra float32 candidates re-ranked exactly per query (``>= 0``);
        ``None`` uses ``8``. Only speed depends on it, never the result.
    verbose : bool, default=False
        Show a progress bar over query blocks.

    Returns
    -------
    distances : ndarray of shape (n_queries, n_neighbors), float64
        Euclidean distances, non-decreasing along each row.
    indices : ndarray of shape (n_queries, n_neighbors), int64
        Row indices into ``X``; equal distances are ordered by index.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import nearest_neighbors
    >>> X = np.array([[0.0], [1.0], [3.0], [1.0]])
    >>> dist, ind = nearest_neighbors(X, 2, device="cpu")
    >>> ind
    array([[1, 3],
           [3, 0],
           [1, 3],
           [1, 0]])
    """
    ref, qry, loo = _validate_search(X, queries, n_neighbors, memory_budget)
    dev = resolve_device(device)
    margin = 8 if margin is None else margin
    if not _is_int(margin) or margin < 0:
        raise ValueError(f"margin={margin!r} must be an integer >= 0 (or None for 8).")
    n_cand = min(n_neighbors + int(margin), ref.shape[0] - int(loo))
    search = _Search(ref, qry, loo, dev, memory_budget)
    dist = np.empty((qry.shape[0], n_neighbors))
    ind = np.empty((qry.shape[0], n_neighbors), dtype=np.int64)
    for sl in batch_slices(qry.shape[0], search.query_block(n_cand), verbose=verbose, desc="k-NN"):
        d2, idx = search.block(sl, n_neighbors, n_cand)
        dist[sl], ind[sl] = np.ldexp(np.sqrt(d2.cpu().numpy()), search.exponent), idx.cpu().numpy()
    return dist, ind


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _validate_search(X, queries, n_neighbors, memory_budget):
    from ._validation import check_features

    ref = check_features(X, "X")
    qry = ref if queries is None else check_features(queries, "queries")
    if qry.shape[1] != ref.shape[1]:
        raise ValueError(
            f"queries has {qry.shape[1]} features but X has {ref.shape[1]}; "
            "pass points of the same dimension."
        )
    loo = queries is None
    available = ref.shape[0] - int(loo)
    if not (_is_int(n_neighbors) and 1 <= n_neighbors <= available):
        raise ValueError(
            f"n_neighbors={n_neighbors!r} must be an integer in [1, {available}] "
            f"({'the other points' if loo else 'the points'} of X); lower n_neighbors or add samples."
        )
    if not (_is_int(memory_budget) and memory_budget >= 2**20):
        raise ValueError(f"memory_budget={memory_budget!r} must be an integer of bytes >= 2**20 (1 MiB).")
    return ref, qry, loo


class _Search:
    """Device copies of the data and the two-pass search of one query block."""

    def __init__(self, ref, qry, loo, device, budget):
        self.loo, self.device, self.budget = loo, device, int(budget)
        self.n_ref, self.dim = ref.shape
        # Work on 2^-e times the data (exact): float32 squared norms stay finite and normal.
        self.exponent = scale_exponent(*(torch.as_tensor(a) for a in ((ref,) if loo else (ref, qry))))
        center = torch.as_tensor(_scaled_mean(ref, self.exponent), dtype=torch.float32, device=device)
        self.ref32 = _centered32(ref, center, self.exponent, device)
        self.qry32 = self.ref32 if loo else _centered32(qry, center, self.exponent, device)
        self.ref_norm = torch.linalg.vector_norm(self.ref32, dim=1) ** 2
        self.qry_norm = self.ref_norm if loo else torch.linalg.vector_norm(self.qry32, dim=1) ** 2
        exact = torch.float32 if ref.dtype == np.float32 and qry.dtype == np.float32 else torch.float64
        self.ref_exact = _scaled(ref, exact, self.exponent, device)
        self.qry_exact = self.ref_exact if loo else _scaled(qry, exact, self.exponent, device)
        max_ref = float(self.ref_norm.max().sqrt())
        self.err_scale = 2.0 * (self.dim + 8) * _U32 * (1.0 + 4 * _U32)
        self.max_ref_norm = max_ref
        self.ref_block = int(min(self.n_ref, max(256, self.budget // (4 * 8 * 1024))))

    def query_block(self, n_cand):
        """Queries per block so that the block's buffers fit the budget."""
        per_query = 12 * self.ref_block + 64 * n_cand
        return int(max(1, min(4096, self.budget // per_query)))

    def block(self, sl, k, n_cand):
        """Exact ``k`` nearest (squared distances, indices) for queries ``sl``."""
        rows = torch.arange(sl.start, sl.stop, device=self.device)
        cand_d, cand_i = self._candidates(sl, rows, n_cand)
        d2, idx = _sort_by_distance_then_index(self._exact_d2(rows, cand_i), cand_i)
        d2, idx = d2[:, :k], idx[:, :k]
        if n_cand < self.n_ref - int(self.loo):
            bad = self._uncertified(sl, cand_d, d2[:, -1])
            for r in torch.nonzero(bad).flatten().tolist():
                d2[r], idx[r] = self._exact_row(sl.start + r, k)
        return d2, idx

    def _candidates(self, sl, rows, n_cand):
        """The ``n_cand`` smallest float32 squared distances of each query."""
        q, qn = self.qry32[sl], self.qry_norm[sl]
        best_d = torch.full((q.shape[0], 0), math.inf, device=self.device)
        best_i = torch.zeros((q.shape[0], 0), dtype=torch.long, device=self.device)
        for start in range(0, self.n_ref, self.ref_block):
            stop = min(start + self.ref_block, self.n_ref)
            d, _ = scaled_squared_distances(q, self.ref32[start:stop], qn, self.ref_norm[start:stop], exponent=0)
            if self.loo:
                local = rows - start
                hit = (local >= 0) & (local < stop - start)
                d[hit.nonzero().flatten(), local[hit]] = math.inf
            top = min(n_cand, stop - start)
            bd, bi = torch.topk(d, top, dim=1, largest=False)
            best_d, best_i = torch.cat([best_d, bd], 1), torch.cat([best_i, bi + start], 1)
            if best_d.shape[1] > n_cand:
                best_d, pos = torch.topk(best_d, n_cand, dim=1, largest=False)
                best_i = torch.gather(best_i, 1, pos)
        return best_d, best_i

    def _exact_d2(self, rows, cand_i):
        """Float64 ``sum((a - b)**2)`` of each query and its candidates."""
        if self.device.type == "cpu":
            # NumPy here: single-threaded elementwise work beats torch's threads on a busy CPU.
            ref, qry = self.ref_exact.numpy(), self.qry_exact.numpy()
            cand, rows = cand_i.numpy(), rows.numpy()
            out = np.empty(cand.shape)
        else:
            ref, qry, cand, out = self.ref_exact, self.qry_exact, cand_i, None
        parts = []
        step = max(1, _CHUNK_BYTES // (8 * self.dim * cand_i.shape[1]))
        for start in range(0, rows.shape[0], step):
            part = slice(start, start + step)
            diff = ref[cand[part]].astype(np.float64) if out is not None else ref[cand[part]].double()
            diff -= qry[rows[part]][:, None, :]
            if out is not None:
                out[part] = np.einsum("ijk,ijk->ij", diff, diff)
            else:
                parts.append(diff.square_().sum(-1))
        return torch.from_numpy(out) if out is not None else torch.cat(parts)

    def _uncertified(self, sl, cand_d, kth_exact):
        """Queries whose float32 candidate list may miss an exact neighbour."""
        q_norm = self.qry_norm[sl].double().sqrt()
        err = self.err_scale * (q_norm + self.max_ref_norm) ** 2
        return cand_d.max(1).values.double() - err <= kth_exact

    def _exact_row(self, q, k):
        """Exact float64 search of one query against every reference point."""
        step = max(1, self.budget // (16 * self.dim))
        parts = []
        for start in range(0, self.n_ref, step):
            diff = self.ref_exact[start : start + step].double() - self.qry_exact[q].double()
            parts.append((diff * diff).sum(1))
        d2 = torch.cat(parts)
        if self.loo:
            d2[q] = math.inf
        idx = torch.arange(self.n_ref, device=self.device)
        d2, idx = _sort_by_distance_then_index(d2[None], idx[None])
        return d2[0, :k], idx[0, :k]


def _scaled_mean(X, exponent):
    """Column means of ``2^-exponent X`` in float64, in row blocks (no overflow of the sums)."""
    total = np.zeros(X.shape[1])
    step = max(1, _CHUNK_BYTES // (8 * X.shape[1]))
    for start in range(0, X.shape[0], step):
        total += np.ldexp(X[start : start + step], -exponent, dtype=np.float64).sum(axis=0)
    return total / X.shape[0]


def _centered32(X, center, exponent, device):
    """Float32 copy of ``2^-exponent X - center`` on ``device``, in row blocks (no float64 temporary)."""
    out = torch.empty(X.shape, dtype=torch.float32, device=device)
    step = max(1, _CHUNK_BYTES // (8 * X.shape[1]))
    for start in range(0, X.shape[0], step):
        block = times_power_of_two(torch.as_tensor(X[start : start + step], device=device), -exponent)
        out[start : start + step] = block.float() - center
    return out


def _scaled(X, dtype, exponent, device):
    """``2^-exponent X`` in ``dtype`` on ``device`` (the data itself, uncopied, when exponent is 0 on the CPU)."""
    X = torch.as_tensor(X, dtype=dtype, device=device)
    return times_power_of_two(X, -exponent) if exponent else X


def _sort_by_distance_then_index(d2, idx):
    """Sort each row by distance, equal distances by index (stable sorts)."""
    idx, order = torch.sort(idx, dim=1, stable=True)
    d2 = torch.gather(d2, 1, order)
    d2, order = torch.sort(d2, dim=1, stable=True)
    return d2, torch.gather(idx, 1, order)
