"""Working-set decomposition for training sets whose kernel does not fit ``cache_size``.

ThunderSVM's two-level scheme, batched over the one-vs-one pairs:

1. outer loop: LIBSVM's stopping rule on the *full* gradient decides which
   pairs are done, so the result meets the same optimality conditions as the
   full-kernel path;
2. each unfinished pair picks a working set of ``q`` variables, the most
   violating ones of ``I_up`` and of ``I_low`` in turn;
3. the ``q x m`` kernel rows of the working set are computed by one matrix
   product per pair (rows already in the previous working set are reused);
4. the lockstep SMO of :mod:`._smo` solves the ``q``-variable subproblem to a
   local threshold ``max(tol, gap / 100)`` (SMO steps are cheap next to
   kernel rows, so each working set is used thoroughly);
5. the gradient of every variable is updated by one product with those rows.

Memory: two ``(n_group, q, m)`` float32 row blocks within ``cache_size``. Pairs
are taken in groups small enough for ``q`` to reach its upper bound (256 rows on
CPU, 1024 on CUDA) when the budget allows, since a larger working set means
fewer passes over the kernel.
"""

import torch

from ._kernels import kernel_block, kernel_diag, squared_norms
from ._ovo import SolveResult
from ._smo import BlockRows, SMOState, _not_low, _not_up, cpu_threads, solve

__all__ = ["solve_decomposed", "working_set_size"]

MIN_WORKING_SET = 8
PARALLEL_FLOPS = 5e7  # kernel blocks below this run on one CPU thread


def working_set_size(budget_bytes, n_pairs, size, largest):
    """Largest even ``q <= largest`` whose two row blocks fit ``budget_bytes``."""
    q = int(budget_bytes // (2 * 4 * n_pairs * size))
    q = max(MIN_WORKING_SET, min(q, largest, size))
    return q - q % 2 if q > 2 else q


def _global_gap(state):
    gmax = -state.v.masked_fill(state.not_up, torch.inf).amin(dim=1)
    return (state.v + gmax[:, None]).masked_fill_(state.not_low, -torch.inf).amax(dim=1)


def _ranks(score):
    """Rank of every entry in its row, 0 for the largest."""
    order = torch.argsort(score, dim=1, descending=True, stable=True)
    arange = torch.arange(score.shape[1], device=score.device).expand_as(order)
    return torch.empty_like(order).scatter_(1, order, arange)


def _select_working_set(state, q):
    """The ``q`` positions that come first when alternating ``I_up`` and ``I_low`` violators."""
    rank_up = _ranks((-state.v).masked_fill_(state.not_up, -torch.inf))
    rank_low = _ranks(state.v.masked_fill(state.not_low, -torch.inf))
    priority = torch.minimum(rank_up, rank_low)
    return priority.topk(q, dim=1, largest=False, sorted=False).indices


def _pair_rows_kernel(X, sq, layout, p, rows, kernel_spec):
    """Kernel of training rows ``rows`` against pair ``p``'s columns (stored order)."""
    kernel, gamma, threads = kernel_spec
    a, b = layout.pairs[p]
    s = layout.starts
    Xr = X[rows]
    flops = 2.0 * rows.numel() * X.shape[1] * (layout.counts[a] + layout.counts[b])
    blocks = []
    with cpu_threads(threads if flops > PARALLEL_FLOPS else 1, X.device):
        for c in (b, a):  # stored order is class b reversed, then class a reversed
            cols = slice(int(s[c]), int(s[c + 1]))
            blocks.append(kernel_block(Xr, X[cols], kernel, gamma, sq[rows], sq[cols]).flip(1))
    return torch.cat(blocks, dim=1)


def _working_rows(X, sq, layout, pairs, ws, previous, kernel_spec, active):
    """``(len(pairs), q, m)`` kernel rows of the working sets, reusing those of ``previous``."""
    B, q = ws.shape
    if previous is None:
        block = torch.zeros(B, q, layout.size, dtype=torch.float32, device=X.device)
        missing = torch.ones(B, q, dtype=torch.bool, device=X.device)
    else:
        old_ws, old_block = previous
        position = torch.full((B, layout.size), -1, dtype=torch.int64, device=X.device)
        position.scatter_(1, old_ws, torch.arange(q, device=X.device).expand(B, q))
        source = position.gather(1, ws)
        index = source.clamp(min=0)[:, :, None].expand(B, q, layout.size)
        block = old_block.gather(1, index)
        missing = source < 0
    for p in active.tolist():
        new = missing[p].nonzero().squeeze(1)
        if new.numel():
            pair = pairs[p]
            rows = layout.gidx[pair, ws[p, new]]
            block[p, new, : layout.pair_size(pair)] = _pair_rows_kernel(X, sq, layout, pair, rows, kernel_spec)
    return block


def _solve_subproblems(state, ws, block, active, inner_iter, check_every):
    """Lockstep SMO on the working sets of the ``active`` pairs; returns their alpha changes."""
    ws_a, block_a = ws[active], block[active]
    gap = _global_gap(state.subset(active))
    take = lambda t: t[active].gather(1, ws_a)  # noqa: E731
    alpha_old = take(state.alpha)
    sub = SMOState(take(state.y), take(state.C), take(state.qd), 0.0, alpha_old.clone(), take(state.v))
    sub.eps = torch.maximum(state.eps[active], 0.01 * gap)
    K_sub = block_a.gather(2, ws_a[:, None, :].expand(-1, ws_a.shape[1], -1))
    solve(sub, BlockRows(K_sub), inner_iter, check_every)
    return sub.y * (sub.alpha - alpha_old), sub.alpha, sub.n_iter


def _apply(state, ws, block, active, coef, alpha_new, n_iter):
    """Write the subproblem solutions back and update every gradient."""
    state.alpha[active] = state.alpha[active].scatter(1, ws[active], alpha_new)
    state.n_iter[active] += n_iter
    for row, p in enumerate(active.tolist()):
        moved = coef[row].nonzero().squeeze(1)
        if moved.numel():
            rows = block[p, moved].to(torch.float64)
            state.v[p] += coef[row, moved] @ rows
    state.not_up = _not_up(state.y, state.alpha, state.C)
    state.not_low = _not_low(state.y, state.alpha, state.C)


def solve_decomposed(X, layout, C_rows, kernel, gamma, tol, max_iter, check_every, budget_bytes, largest):
    """Solve every pair problem without ever holding more than two working-set row blocks.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d), float32, rows sorted by class (centred for rbf)
    layout : PairLayout
    C_rows : torch.Tensor of shape (n,), float64
    kernel, gamma, tol, max_iter, check_every
        As in :func:`._ovo.solve_full`.
    budget_bytes : float
        Memory for the row blocks (``cache_size`` in bytes).
    largest : int
        Upper bound on the working-set size.

    Returns
    -------
    SolveResult
    """
    spec = (kernel, gamma, torch.get_num_threads())
    sq = squared_norms(X)
    state = layout.initial_state(C_rows, kernel_diag(X, kernel), tol)
    with cpu_threads(1, X.device):
        for pairs in _pair_groups(budget_bytes, len(layout.pairs), layout.size, largest):
            index = torch.as_tensor(pairs, device=X.device)
            q = working_set_size(budget_bytes, len(pairs), layout.size, largest)
            sub = state.subset(index)
            _outer_loop(X, sq, layout, pairs, sub, spec, q, max_iter, check_every)
            state.write_back(sub, index)
    return SolveResult(layout, state, X.shape[0])


def _pair_groups(budget_bytes, n_pairs, size, largest):
    """Consecutive pairs, as many per group as keep the working sets at ``largest`` rows."""
    per_group = max(1, int(budget_bytes // (2 * 4 * size * largest)))
    return [list(range(start, min(start + per_group, n_pairs))) for start in range(0, n_pairs, per_group)]


def _outer_loop(X, sq, layout, pairs, state, kernel_spec, q, max_iter, check_every):
    """The loop of :func:`solve_decomposed` for the pairs ``pairs`` (``state`` holds only those)."""
    previous = None
    while True:
        state.done |= _global_gap(state) < state.eps
        hit = ~state.done & (state.n_iter >= max_iter)
        state.hit_max_iter |= hit
        state.done |= hit
        active = (~state.done).nonzero().squeeze(1)
        if active.numel() == 0:
            break
        ws = _select_working_set(state, q)
        block = _working_rows(X, sq, layout, pairs, ws, previous, kernel_spec, active)
        inner_iter = min(max(10 * q, 100), max_iter)
        coef, alpha_new, n_iter = _solve_subproblems(state, ws, block, active, inner_iter, min(check_every, 8))
        _apply(state, ws, block, active, coef, alpha_new, n_iter)
        previous = (ws, block)
