"""Working-set decomposition for training sets whose kernel does not fit ``cache_size``.

ThunderSVM's two-level scheme, run on all one-vs-one pairs in lockstep:

1. outer loop: LIBSVM's stopping rule on the *full* gradient decides which
   pairs are done, so the result meets the same optimality conditions as the
   full-kernel path;
2. every unfinished pair keeps the newer half of its working set of ``q``
   variables and fills the older half with the most violating variables
   outside the kept half (``I_up`` and ``I_low`` in turn); the working set then
   holds the maximal violating pair, so each round makes progress;
3. the kernel rows of the new half, ``(q/2) x m`` per pair, overwrite the old
   half's rows in one ``(n_pairs, q, m)`` float32 block (no second block);
4. the lockstep SMO of :mod:`._smo` solves all ``q``-variable subproblems
   together, each to a local threshold ``max(tol, gap / 10)``;
5. the gradient of every variable is updated by one product with the rows.

The pairs share one lockstep batch whenever the budget gives each a working
set of at least ``MIN_LOCKSTEP`` rows: one SMO step then costs the same few
dozen tensor operations for 45 pairs as for one, which matters far more on
CPU than the larger working set a smaller group would get.
"""

import itertools

import torch

from ..utils._distances import scale_exponent
from ..utils._torch_state import cpu_threads
from ._kernels import kernel_block, kernel_diag, squared_norms
from ._ovo import SolveResult
from ._smo import (
    BlockRows,
    SMOState,
    _not_low,
    _not_up,
    mark_finished,
    solve,
)

__all__ = ["solve_decomposed", "working_set_size"]

MIN_WORKING_SET = 8
MIN_LOCKSTEP = 64  # smallest working set worth keeping all pairs in one batch for
LOCAL_GAP_FRACTION = 0.1  # subproblems are solved to max(tol, this * global gap)
PARALLEL_FLOPS = 5e7  # kernel blocks below this run on one CPU thread


def working_set_size(budget_bytes, n_pairs, size, largest):
    """Largest even ``q <= min(largest, size)`` whose ``(n_pairs, q, size)`` row block fits ``budget_bytes``."""
    q = int(budget_bytes // (4 * n_pairs * size))
    q = max(MIN_WORKING_SET, min(q, largest, size))
    return q - q % 2 if q > 2 else q


def pair_groups(budget_bytes, n_pairs, size, largest):
    """Consecutive pairs, as many per group as still get ``min(MIN_LOCKSTEP, largest)``-row working sets."""
    wanted = min(MIN_LOCKSTEP, largest, size)
    per_group = max(1, min(n_pairs, int(budget_bytes // (4 * size * wanted))))
    return [list(range(start, min(start + per_group, n_pairs))) for start in range(0, n_pairs, per_group)]


def solve_decomposed(X, layout, C_rows, kernel, gamma, tol, max_iter, check_every, budget_bytes, largest):
    """Solve every pair problem holding at most one ``(n_pairs, q, m)`` block of kernel rows.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d), float32, rows sorted by class (centred for rbf)
    layout : PairLayout
    C_rows : torch.Tensor of shape (n,), float64
    kernel, gamma, tol, max_iter, check_every
        As in :func:`._ovo.solve_full`.
    budget_bytes : float
        Memory for the row block (``cache_size`` in bytes).
    largest : int
        Upper bound on the working-set size.

    Returns
    -------
    SolveResult
    """
    maker = _RowMaker(X, layout, kernel, gamma)
    state = layout.initial_state(C_rows, kernel_diag(X, kernel), tol)
    with cpu_threads(1, X.device):
        for pairs in pair_groups(budget_bytes, len(layout.pairs), layout.size, largest):
            index = torch.as_tensor(pairs, device=X.device)
            q = working_set_size(budget_bytes, len(pairs), layout.size, largest)
            sub = state.subset(index)
            _outer_loop(maker, pairs, sub, q, max_iter, check_every)
            state.write_back(sub, index)
    return SolveResult(layout, state, X.shape[0])


class _RowMaker:
    """Kernel rows of working-set variables against their pairs' columns.

    Each class's columns are computed once per round for the union of the
    rows that need them (a point chosen by several pairs that share its class
    or the other class costs one kernel row block, not one per pair).
    """

    def __init__(self, X, layout, kernel, gamma):
        self.X, self.layout, self.kernel, self.gamma = X, layout, kernel, gamma
        self.sq = squared_norms(X)
        self.exponent = scale_exponent(X) if kernel == "rbf" else 0  # once: a pass over X per block cost 12 %
        self.threads = torch.get_num_threads()

    def fill(self, pairs, ws, block, slots, active):
        """Write the rows of working-set ``slots`` of the ``active`` pairs into ``block``.

        ``block[p, s]`` is stored like pair ``pairs[p]``'s variables: class ``b``
        reversed, then class ``a`` reversed, then zero padding.
        """
        layout = self.layout
        requests = []
        for p in active.tolist():
            positions = ws[p, slots]
            real = layout.valid[pairs[p], positions]
            block[p, slots[~real]] = 0.0  # padding variables get zero rows; real rows are overwritten below
            requests.append((p, layout.pairs[pairs[p]], slots[real], layout.gidx[pairs[p], positions[real]]))
        for c in range(len(layout.counts)):
            users = [request for request in requests if c in request[1]]
            if users:
                self._fill_class(c, users, block)

    def _fill_class(self, c, users, block):
        """Class ``c``'s columns of the rows of every pair in ``users``."""
        start, stop = int(self.layout.starts[c]), int(self.layout.starts[c + 1])
        unique, inverse = torch.unique(torch.cat([rows for *_, rows in users]), return_inverse=True)
        flops = 2.0 * unique.numel() * (stop - start) * self.X.shape[1]
        with cpu_threads(self.threads if flops > PARALLEL_FLOPS else 1, self.X.device):
            K = kernel_block(self.X[unique], self.X[start:stop], self.kernel, self.gamma, self.sq[unique],
                             self.sq[start:stop], self.exponent).flip(1)
        offset = 0
        for p, (_, b), slots, rows in users:
            first = 0 if c == b else self.layout.counts[b]
            block[p, slots, first : first + stop - start] = K[inverse[offset : offset + rows.numel()]]
            offset += rows.numel()


def _outer_loop(maker, pairs, state, q, max_iter, check_every):
    """The rounds of :func:`solve_decomposed` for the pairs ``pairs`` (``state`` holds only those)."""
    ws = torch.zeros(len(pairs), q, dtype=torch.int64, device=state.y.device)
    block = torch.zeros(len(pairs), q, maker.layout.size, dtype=torch.float32, device=state.y.device)
    halves = torch.arange(q, device=ws.device).chunk(2)
    for round_ in itertools.count():
        gap = _global_gap(state)
        mark_finished(state, gap, max_iter)
        active = (~state.done).nonzero().squeeze(1)
        if active.numel() == 0:
            return
        if round_ == 0:
            fresh = torch.arange(q, device=ws.device)
            ws[:] = _most_violating(state, q, exclude=None)
        else:  # refill the older half: filled two rounds ago (or at the start)
            fresh, kept = halves[(round_ + 1) % 2], halves[round_ % 2]
            ws[:, fresh] = _most_violating(state, fresh.numel(), exclude=ws[:, kept])
        maker.fill(pairs, ws, block, fresh, active)
        coef, alpha_new, n_iter = _solve_subproblems(state, ws, block, active, gap, max_iter, check_every)
        _apply(state, ws, block, active, coef, alpha_new, n_iter)


def _global_gap(state):
    """LIBSVM's ``m(a) - M(a)`` of every problem (``-inf`` when a side is empty)."""
    gmax = -state.v.masked_fill(state.not_up, torch.inf).amin(dim=1)
    return (state.v + gmax[:, None]).masked_fill_(state.not_low, -torch.inf).amax(dim=1)


def _ranks(score):
    """Rank of every entry in its row, 0 for the largest."""
    order = torch.argsort(score, dim=1, descending=True, stable=True)
    arange = torch.arange(score.shape[1], device=score.device).expand_as(order)
    return torch.empty_like(order).scatter_(1, order, arange)


def _most_violating(state, count, exclude):
    """``count`` positions per problem, alternating ``I_up`` and ``I_low`` violators, none in ``exclude``."""
    rank_up = _ranks((-state.v).masked_fill_(state.not_up, -torch.inf))
    rank_low = _ranks(state.v.masked_fill(state.not_low, -torch.inf))
    priority = torch.minimum(rank_up, rank_low)
    if exclude is not None:
        priority.scatter_(1, exclude, priority.shape[1])
    return priority.topk(count, dim=1, largest=False, sorted=False).indices


def _solve_subproblems(state, ws, block, active, gap, max_iter, check_every):
    """Lockstep SMO on the working sets of the ``active`` pairs; returns their alpha changes."""
    ws_a = ws[active]
    take = lambda t: t[active].gather(1, ws_a)
    alpha_old = take(state.alpha)
    sub = SMOState(take(state.y), take(state.C), take(state.qd), 0.0, alpha_old.clone(), take(state.v))
    sub.eps = torch.maximum(state.eps[active], LOCAL_GAP_FRACTION * gap[active])
    slots = torch.arange(ws.shape[1], device=ws.device)
    K_sub = block[active[:, None, None], slots[None, :, None], ws_a[:, None, :]]  # (n_active, q, q)
    inner_iter = min(max(10 * ws.shape[1], 100), max_iter)
    solve(sub, BlockRows(K_sub), inner_iter, min(check_every, 8))
    return sub.y * (sub.alpha - alpha_old), sub.alpha, sub.n_iter


def _apply(state, ws, block, active, coef, alpha_new, n_iter):
    """Write the subproblem solutions back and update every gradient."""
    state.alpha[active] = state.alpha[active].scatter(1, ws[active], alpha_new)
    state.n_iter[active] += n_iter
    for row, p in enumerate(active.tolist()):
        moved = coef[row].nonzero().squeeze(1)
        if moved.numel():
            state.v[p] += coef[row, moved] @ block[p, moved].to(torch.float64)
    state.not_up = _not_up(state.y, state.alpha, state.C)
    state.not_low = _not_low(state.y, state.alpha, state.C)
