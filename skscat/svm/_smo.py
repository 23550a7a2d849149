"""Batched SMO: many C-SVC dual problems solved in lockstep, step for step as LIBSVM does.

Each problem ``b`` is LIBSVM's dual

    min_a 1/2 a^T Q a - e^T a,   y^T a = 0,   0 <= a_t <= C_t,   Q_st = y_s y_t K_st,

solved by LIBSVM's Solver without shrinking: the second-order working-set
selection of Fan, Chen & Lin (JMLR 2005), the same two-variable update, the
stopping rule ``max_{I_up} -y_t G_t + max_{I_low} y_t G_t < tol`` and
``calculate_rho``. The state keeps ``v = y * G`` (one sign flip of LIBSVM's
gradient) because it makes the update a single fused product.

Problems are padded to a common length ``m``; padded slots have ``y = 0`` and
``C = 0`` and never enter a working set. LIBSVM scans variables in order and
breaks ties towards the *last* index (``>=`` / ``<=``), while ``torch.max``
returns the *first*: callers therefore store every problem's variables in
reverse order, which makes the two tie rules coincide.

Solved problems are frozen (their step is masked to zero) and compacted out
of the batch every ``check_every`` steps.
"""

import torch

from ..utils._torch_state import cpu_threads

__all__ = ["BlockRows", "SMOState", "calculate_rho", "dual_objective", "mark_finished", "solve"]

TAU = 1e-12  # LIBSVM's replacement for a non-positive curvature


class BlockRows:
    """Kernel rows from a per-problem block ``K[b] (m, m)`` (used on working sets)."""

    def __init__(self, K):
        self.K = K

    def rows(self, index):
        """Rows ``K[b, index[b], :]``, shape (B, m), in the block's dtype."""
        arange = torch.arange(self.K.shape[0], device=self.K.device)
        return self.K[arange, index]

    def subset(self, keep):
        return BlockRows(self.K[keep])


class SMOState:
    """Variables of a batch of dual problems (all tensors have a leading batch axis)."""

    def __init__(self, y, C, qd, eps, alpha=None, v=None):
        self.y, self.C, self.qd = y, C, qd
        self.alpha = torch.zeros_like(C) if alpha is None else alpha
        self.v = -y.clone() if v is None else v  # G = -e at alpha = 0
        self.not_up = _not_up(self.y, self.alpha, self.C)
        self.not_low = _not_low(self.y, self.alpha, self.C)
        batch = y.shape[0]
        self.done = torch.zeros(batch, dtype=torch.bool, device=y.device)
        self.n_iter = torch.zeros(batch, dtype=torch.int64, device=y.device)
        self.hit_max_iter = torch.zeros(batch, dtype=torch.bool, device=y.device)
        self.eps = torch.as_tensor(eps, dtype=torch.float64, device=y.device).expand(batch).clone()

    _FIELDS = ("y", "C", "qd", "alpha", "v", "not_up", "not_low", "done", "n_iter", "hit_max_iter", "eps")

    def subset(self, keep):
        """A new state holding problems ``keep`` (a 1-D index tensor)."""
        new = SMOState.__new__(SMOState)
        for name in self._FIELDS:
            setattr(new, name, getattr(self, name)[keep])
        return new

    def write_back(self, other, where):
        """Copy every field of ``other`` into problems ``where`` of ``self``."""
        for name in self._FIELDS:
            getattr(self, name)[where] = getattr(other, name)


def _not_up(y, alpha, C):
    """Outside LIBSVM's ``I_up`` (padding included): cannot move towards ``y``.

    ``y`` is +1, -1 or 0 (padding, where ``alpha = C = 0``): one ``where``
    instead of two masked products (fewer operations per SMO step).
    """
    return ~torch.where(y > 0, alpha < C, alpha > 0)


def _not_low(y, alpha, C):
    """Outside LIBSVM's ``I_low`` (padding included): cannot move against ``y``."""
    return ~torch.where(y > 0, alpha > 0, alpha < C)


def _select_i(state):
    """LIBSVM's first index: the maximal violator ``argmax_{I_up} -y G`` (returns ``Gmax``, ``i``)."""
    v_min, i = state.v.masked_fill(state.not_up, torch.inf).min(dim=1)
    return -v_min, i


def _select_j(state, i, gmax, K_i):
    """LIBSVM's second-order choice of ``j`` among ``I_low``; also ``Gmax + Gmax2``.

    Maximises ``grad_diff^2 / quad`` over ``grad_diff = Gmax + y_j G_j > 0``
    (LIBSVM minimises its negative); non-candidates score 0, so the argmax
    is a candidate whenever one exists (``gap > 0``).
    """
    grad_diff = (state.v + gmax[:, None]).masked_fill_(state.not_low, -torch.inf)
    gap = grad_diff.amax(dim=1)
    quad = (state.qd + state.qd.gather(1, i[:, None])).sub_(K_i, alpha=2.0).clamp_(min=TAU)
    grad_diff.clamp_(min=0.0)
    j = (grad_diff.square_() / quad).argmax(dim=1)
    return j, gap


def _step(state, ij, K_i, K_j):
    """LIBSVM's two-variable update, clipped to the box, then the gradient update."""
    y_ij, a_ij, C_ij = (t.gather(1, ij) for t in (state.y, state.alpha, state.C))
    (y_i, y_j), (a_i, a_j), (C_i, C_j) = y_ij.unbind(1), a_ij.unbind(1), C_ij.unbind(1)
    (qd_i, qd_j), (v_i, v_j) = (t.gather(1, ij).unbind(1) for t in (state.qd, state.v))
    quad = (qd_i + qd_j - 2.0 * K_i.gather(1, ij[:, 1:]).squeeze(1)).clamp(min=TAU)
    # Move a_i by +y_i t and a_j by -y_j t with t >= 0 (LIBSVM's delta up to sign).
    room_i = torch.where(y_i > 0, C_i - a_i, a_i)
    room_j = torch.where(y_j > 0, a_j, C_j - a_j)
    t = torch.minimum((v_j - v_i) / quad, torch.minimum(room_i, room_j)).masked_fill_(state.done, 0.0)
    new_i = torch.where(t >= room_i, torch.where(y_i > 0, C_i, 0.0), a_i + y_i * t)
    new_j = torch.where(t >= room_j, torch.where(y_j > 0, 0.0, C_j), a_j - y_j * t)
    new = torch.where(state.done[:, None], a_ij, torch.stack([new_i, new_j], 1))
    coef = y_ij * (new - a_ij)
    state.v.addcmul_(K_i, coef[:, :1]).addcmul_(K_j, coef[:, 1:])
    state.alpha.scatter_(1, ij, new)
    state.not_up.scatter_(1, ij, _not_up(y_ij, new, C_ij))
    state.not_low.scatter_(1, ij, _not_low(y_ij, new, C_ij))


def mark_finished(state, gap, max_iter):
    """Mark problems ``done`` that meet the stopping rule (``gap < eps``) or used ``max_iter`` steps.

    ``gap`` is ``-inf`` when ``I_up`` or ``I_low`` is empty, which also counts as solved.
    """
    state.done |= gap < state.eps
    hit = ~state.done & (state.n_iter >= max_iter)
    state.hit_max_iter |= hit
    state.done |= hit


def _iterate(state, source, max_iter):
    """One SMO step for every unfinished problem; marks the finished ones ``done``."""
    gmax, i = _select_i(state)
    K_i = source.rows(i)
    j, gap = _select_j(state, i, gmax, K_i)
    mark_finished(state, gap, max_iter)
    _step(state, torch.stack([i, j], 1), K_i, source.rows(j))
    state.n_iter += (~state.done).to(torch.int64)


def solve(state, source, max_iter, check_every=32, on_steps=None, max_steps=None):
    """Run lockstep SMO until every problem meets LIBSVM's stopping rule or ``max_iter``.

    Parameters
    ----------
    state : SMOState
        Problems to solve (each with its own stopping threshold ``state.eps``,
        LIBSVM's ``eps``), modified in place.
    source : object with ``rows(index)`` and ``subset(keep)``
        Where kernel rows come from.
    max_iter : int
        Most updates per problem.
    check_every : int
        Steps between checks for finished problems (each check syncs the device).
    on_steps : callable, optional
        Progress hook, called at every check as ``on_steps(check_every, n_unfinished)``.
    max_steps : int, optional
        Return after this many steps (rounded up to ``check_every``) even if
        problems are unfinished (their ``done`` stays False).

    Returns
    -------
    SMOState
        ``state``, every problem finished unless ``max_steps`` stopped it first.
    """
    with cpu_threads(1, state.y.device):
        return _solve(state, source, max_iter, check_every, on_steps, max_steps)


def _solve(state, source, max_iter, check_every, on_steps, max_steps):
    active = torch.arange(state.y.shape[0], device=state.y.device)
    work, work_source = state, source
    steps = 0
    while True:
        for _ in range(check_every):
            _iterate(work, source=work_source, max_iter=max_iter)
        steps += check_every
        finished = work.done
        if on_steps is not None:
            on_steps(check_every, int((~finished).sum()))
        if bool(finished.all()) or (max_steps is not None and steps >= max_steps):
            break
        if bool(finished.any()):
            state.write_back(work.subset(finished), active[finished])
            keep = (~finished).nonzero().squeeze(1)
            work, work_source, active = work.subset(keep), work_source.subset(keep), active[keep]
    if work is not state:
        state.write_back(work, active)
    return state


def calculate_rho(state, valid):
    """LIBSVM's ``calculate_rho``: mean of ``y G`` over free variables, else the bound midpoint."""
    upper = valid & (state.alpha >= state.C)
    lower = valid & ~upper & (state.alpha <= 0)
    free = valid & ~upper & ~lower
    pos, neg = state.y > 0, state.y < 0
    ub_mask = (upper & neg) | (lower & pos)
    lb_mask = (upper & pos) | (lower & neg)
    ub = torch.where(ub_mask, state.v, torch.inf).amin(dim=1)
    lb = torch.where(lb_mask, state.v, -torch.inf).amax(dim=1)
    n_free = free.sum(dim=1)
    sum_free = torch.where(free, state.v, 0.0).sum(dim=1)
    return torch.where(n_free > 0, sum_free / n_free.clamp(min=1), (ub + lb) / 2)


def dual_objective(state):
    """LIBSVM's reported objective ``sum_t a_t (G_t - 1) / 2`` for each problem."""
    G = state.y * state.v
    return 0.5 * (state.alpha * (G - 1.0)).sum(dim=1)
