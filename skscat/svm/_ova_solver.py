"""One-vs-all layout: the K problems "class k against the rest" solved in lockstep on one kernel.

Every problem spans all ``n`` training rows, stored in the same order, so the
problems share the one ``n x n`` float32 training kernel: a step reads, for
each problem, the kernel row of its working variable (one row of the shared
matrix), and the sign of ``y`` is applied by the SMO update itself
(:mod:`._smo` keeps ``v = y * G``, whose update needs the plain kernel row).
Nothing is copied per problem.

Problem ``k`` has ``y = -1`` on class ``k`` and ``+1`` elsewhere: LIBSVM's
labels for scikit-learn's binary SVC on ``(y == k)`` (the rest is its first
label). Its decision value for class ``k`` is then ``-(sum_t y_t a_t K(x_t, x)
- rho)``, scikit-learn's sign for a binary SVC. The rows are stored in
reverse training order: ``torch`` breaks ties towards the first index and
LIBSVM towards the last, so the first working pair (chosen among exact ties)
is LIBSVM's (see :mod:`._smo`).

When the kernel exceeds the memory budget, the working-set decomposition of
:mod:`._decomposition` runs on these problems, with kernel rows computed on
the fly once per round for the union of the rows that the problems need.
"""

import numpy as np
import torch

from ..utils._distances import scale_exponent
from ..utils._torch_state import cpu_threads
from ._decomposition import MIN_WORKING_SET, _outer_loop, pair_groups, working_set_size
from ._kernels import kernel_block, squared_norms, symmetric_kernel
from ._smo import (
    SMOState,
    _not_low,
    _not_up,
    calculate_rho,
    dual_objective,
    solve,
)

__all__ = [
    "OneVsAllLayout",
    "OneVsAllResult",
    "plan_memory",
    "solve_decomposed",
    "solve_full",
    "solve_shrinking",
]

SHRINK_EVERY = 1000  # steps between shrinking checks (LIBSVM: min(n, 1000))


class OneVsAllLayout:
    """Labels of the one-vs-all problems, rows in reverse training order.

    Parameters
    ----------
    y_index : ndarray of shape (n,)
        Class index of every training row, in ``0 .. n_classes - 1``.
    n_classes : int
    device : torch.device

    Attributes
    ----------
    positive : list of int
        The class of each problem (one problem, class 1, when there are two).
    order : ndarray of shape (n,)
        Training row of every stored position (``n - 1, ..., 0``).
    y : torch.Tensor of shape (n_problems, n), float64
        -1 on the problem's class, +1 elsewhere, at every stored position.
    """

    def __init__(self, y_index, n_classes, device):
        self.positive = [1] if n_classes == 2 else list(range(n_classes))
        self.size = len(y_index)
        self.device = device
        self.order = np.arange(self.size)[::-1].copy()
        own = y_index[self.order][None, :] == np.asarray(self.positive)[:, None]
        self.y = torch.as_tensor(np.where(own, -1.0, 1.0), device=device)
        self.valid = torch.ones_like(self.y, dtype=torch.bool)

    def initial_state(self, C, tol):
        """Zero dual variables, box ``[0, C]`` everywhere, unit Gaussian diagonal."""
        return SMOState(self.y, torch.full_like(self.y, float(C)), torch.ones_like(self.y), tol)


class SharedRows:
    """Kernel rows of the one matrix ``K (n, n)`` that every problem shares."""

    def __init__(self, K):
        self.K = K

    def rows(self, index):
        """Rows ``K[index[b], :]``, shape (B, n)."""
        return self.K.index_select(0, index)

    def subset(self, keep):
        return self


class ActiveRows:
    """Kernel rows of a shrunk state: problem ``b`` holds the variables at stored positions ``idx[b]``."""

    def __init__(self, K, idx):
        self.K, self.idx = K, idx

    def rows(self, index):
        """Rows ``K[idx[b, index[b]], idx[b]]``, shape (B, m)."""
        full = self.idx.gather(1, index[:, None]).squeeze(1)
        return self.K.index_select(0, full).gather(1, self.idx)

    def subset(self, keep):
        return ActiveRows(self.K, self.idx[keep])


class OneVsAllResult:
    """The solved problems as NumPy arrays in training-row order.

    Attributes
    ----------
    coef : ndarray of shape (n_problems, n)
        ``a_t`` signed for the problem's class: the decision value of problem
        ``k`` is ``K(x, X) @ coef[k] + intercept[k]``.
    intercept : ndarray of shape (n_problems,)
        LIBSVM's ``rho`` (scikit-learn's binary intercept).
    n_iter : ndarray of shape (n_problems,)
    objective : ndarray of shape (n_problems,)
    fit_status : int
        1 when ``max_iter`` stopped a problem.
    """

    def __init__(self, layout, state):
        self.coef = np.empty((len(layout.positive), layout.size))
        self.coef[:, layout.order] = (-state.y * state.alpha).cpu().numpy()
        self.intercept = calculate_rho(state, layout.valid).cpu().numpy()
        self.n_iter = state.n_iter.cpu().numpy().astype(np.int32)
        self.objective = dual_objective(state).cpu().numpy()
        self.fit_status = int(bool(state.hit_max_iter.any()))


def solve_full(X, layout, C, gamma, tol, max_iter, check_every, on_rows=None, on_steps=None, shrinking=True):
    """Solve every problem on the one float32 training kernel, computed once.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d), float32, centred, rows in ``layout.order``
    layout : OneVsAllLayout
    C, gamma, tol, max_iter, check_every
        As in :func:`._smo.solve`; ``C`` is one float for every row.
    on_rows, on_steps : callable, optional
        Progress hooks of :func:`._kernels.symmetric_kernel` and :func:`._smo.solve`.

    Returns
    -------
    OneVsAllResult
    """
    K = symmetric_kernel(X, "rbf", gamma, on_rows=on_rows)
    state = layout.initial_state(C, tol)
    if shrinking:
        solve_shrinking(state, K, max_iter, check_every, on_steps)
    else:
        solve(state, SharedRows(K), max_iter, check_every, on_steps=on_steps)
    del K
    return OneVsAllResult(layout, state)


def solve_shrinking(state, K, max_iter, check_every, on_steps=None):
    """Lockstep SMO with LIBSVM's shrinking: each problem steps only over its active variables.

    Every ``SHRINK_EVERY`` steps, each unfinished problem drops the variables
    LIBSVM's ``be_shrunk`` drops (at a bound, and not violating by more than
    the current maximal violations); the problems keep their own active sets,
    padded to a common length. A problem that meets the stopping rule on its
    active set waits; once every problem has, the waiting ones have their
    gradients rebuilt from the kernel (``v = K (y a) - y`` over their support
    vectors, one pass for all of them) and are checked on all their
    variables: finished if they meet the rule there too, else all their
    variables are active again and they go on. The result therefore meets
    LIBSVM's stopping rule on the full problem.

    Parameters
    ----------
    state : SMOState of shape (n_problems, n)
        Modified in place.
    K : torch.Tensor of shape (n, n)
        The shared kernel, rows and columns in stored order.
    max_iter, check_every, on_steps
        As in :func:`._smo.solve`.

    Returns
    -------
    SMOState
    """
    active = torch.ones_like(state.y, dtype=torch.bool)
    stale = torch.zeros_like(state.done)  # some inactive gradients are out of date
    while True:
        todo = (~state.done).nonzero().squeeze(1)
        if todo.numel() == 0:
            waiting = (stale & ~state.hit_max_iter).nonzero().squeeze(1)
            if waiting.numel() == 0:
                break
            _rebuild_gradient(state, K, waiting)
            stale[waiting], active[waiting] = False, True
            state.done[waiting] = _full_gap(state, waiting) < state.eps[waiting]
            continue
        idx, valid = _compact(active[todo])
        sub = _gather(state, todo, idx, valid)
        solve(sub, ActiveRows(K, idx), max_iter, check_every, on_steps, max_steps=SHRINK_EVERY)
        _scatter(state, sub, todo, idx, valid)
        stale[todo] |= ~active[todo].all(dim=1)
        _shrink(state, active, (~state.done).nonzero().squeeze(1))
    if bool(stale.any()):  # problems stopped by max_iter on a shrunk set
        _rebuild_gradient(state, K, stale.nonzero().squeeze(1))
    return state


def _compact(active):
    """Stored positions ``(B, m)`` of each problem's active variables first, padded with inactive ones."""
    m = int(active.sum(dim=1).max())
    idx = torch.argsort((~active).to(torch.int32), dim=1, stable=True)[:, :m]
    return idx, active.gather(1, idx)


def _gather(state, todo, idx, valid):
    """The shrunk state of problems ``todo``; padding slots have ``y = C = 0`` and never move."""
    take = lambda t: t[todo].gather(1, idx)
    y, C = torch.where(valid, take(state.y), 0.0), torch.where(valid, take(state.C), 0.0)
    sub = SMOState(y, C, take(state.qd), 0.0, torch.where(valid, take(state.alpha), 0.0), take(state.v))
    sub.eps, sub.n_iter, sub.hit_max_iter = state.eps[todo], state.n_iter[todo], state.hit_max_iter[todo]
    return sub


def _scatter(state, sub, todo, idx, valid):
    """Write the active variables of ``sub`` back (padding positions are distinct, so left as they were)."""
    for name in ("alpha", "v"):
        rows = getattr(state, name)[todo]
        rows.scatter_(1, idx, torch.where(valid, getattr(sub, name), rows.gather(1, idx)))
        getattr(state, name)[todo] = rows
    state.n_iter[todo], state.done[todo], state.hit_max_iter[todo] = sub.n_iter, sub.done, sub.hit_max_iter
    state.not_up = _not_up(state.y, state.alpha, state.C)
    state.not_low = _not_low(state.y, state.alpha, state.C)


def _rebuild_gradient(state, K, problems, block=1024):
    """Exact ``v = K (y a) - y`` of ``problems``, from the columns of their support vectors (float64)."""
    coef = (state.y * state.alpha)[problems]
    columns = (coef != 0).any(dim=0).nonzero().squeeze(1)
    coef_t = coef[:, columns].T.contiguous()
    v = torch.empty_like(coef)
    for start in range(0, K.shape[0], block):
        v[:, start : start + block] = (K[start : start + block].index_select(1, columns).double() @ coef_t).T
    state.v[problems] = v - state.y[problems]


def _full_gap(state, problems):
    """LIBSVM's ``m(a) - M(a)`` of ``problems`` over all their variables."""
    v, not_up, not_low = state.v[problems], state.not_up[problems], state.not_low[problems]
    gmax = -v.masked_fill(not_up, torch.inf).amin(dim=1)
    return (v + gmax[:, None]).masked_fill_(not_low, -torch.inf).amax(dim=1)


def _shrink(state, active, problems):
    """LIBSVM's ``be_shrunk`` on the active variables of ``problems``, in ``v = y G`` terms."""
    if problems.numel() == 0:
        return
    v, y, act = state.v[problems], state.y[problems], active[problems]
    up, low = ~state.not_up[problems] & act, ~state.not_low[problems] & act
    gmax1 = (-v).masked_fill(~up, -torch.inf).amax(dim=1, keepdim=True)  # max over I_up of -y G
    gmax2 = v.masked_fill(~low, -torch.inf).amax(dim=1, keepdim=True)  # max over I_low of y G
    alpha, C = state.alpha[problems], state.C[problems]
    pos = y > 0
    at_upper, at_lower = alpha >= C, alpha <= 0
    shrunk = (at_upper & torch.where(pos, -v > gmax1, v > gmax2)) | (
        at_lower & ~at_upper & torch.where(pos, v > gmax2, -v > gmax1)
    )
    active[problems] = act & ~shrunk


def solve_decomposed(X, layout, C, gamma, tol, max_iter, check_every, budget_bytes, largest):
    """Solve every problem holding at most one ``(n_problems, q, n)`` block of kernel rows.

    The outer loop of :mod:`._decomposition` (LIBSVM's stopping rule on the
    full gradient, working sets of the most violating variables), with the
    rows of each round computed once for the union of the problems' requests.

    Returns
    -------
    OneVsAllResult
    """
    maker = _RowMaker(X, layout, gamma)
    state = layout.initial_state(C, tol)
    n_problems = len(layout.positive)
    with cpu_threads(1, X.device):
        for problems in pair_groups(budget_bytes, n_problems, layout.size, largest):
            index = torch.as_tensor(problems, device=X.device)
            q = working_set_size(budget_bytes, len(problems), layout.size, largest)
            sub = state.subset(index)
            _outer_loop(maker, problems, sub, q, max_iter, check_every)
            state.write_back(sub, index)
    return OneVsAllResult(layout, state)


class _RowMaker:
    """Kernel rows of working-set variables (the ``fill`` of :mod:`._decomposition`)."""

    def __init__(self, X, layout, gamma):
        self.X, self.layout, self.gamma = X, layout, gamma
        self.sq = squared_norms(X)
        self.exponent = scale_exponent(X)  # once, not a pass over X per round
        self.threads = torch.get_num_threads()

    def fill(self, problems, ws, block, slots, active):
        """Write the rows of working-set ``slots`` of the ``active`` problems into ``block``.

        A row wanted by several problems is computed once.
        """
        unique, inverse = torch.unique(ws[active][:, slots], return_inverse=True)
        with cpu_threads(self.threads, self.X.device):
            K = kernel_block(self.X[unique], self.X, "rbf", self.gamma, self.sq[unique], self.sq, self.exponent)
        block[active[:, None], slots[None, :]] = K[inverse]


def plan_memory(n, d, n_problems, budget_bytes, largest, block_rows):
    """Bytes the one-vs-all fit allocates, and the path it takes, before anything is allocated.

    Parameters
    ----------
    n, d : int
        Training rows and features.
    n_problems : int
    budget_bytes : float
        Kernel memory allowed (``cache_size``).
    largest : int
        Largest working set of the decomposition.
    block_rows : int
        Rows per kernel block.

    Returns
    -------
    dict
        ``path`` ("full kernel" or "working-set decomposition"), ``kernel_bytes``
        (the full kernel, or the decomposition's row block), ``features_bytes``
        (the float32 copy of X), ``workspace_bytes`` (one kernel row block,
        solver state), ``total_bytes``, ``budget_bytes``, and for the
        decomposition ``working_set`` (variables per problem); ``None`` when
        not even the smallest working set fits the budget.
    """
    state = n_problems * n * (5 * 8 + 3)  # float64 y, C, qd, alpha, v; bool masks
    plan = {"features_bytes": 4 * n * d, "budget_bytes": int(budget_bytes)}
    if 4 * n * n <= budget_bytes:
        plan.update(
            path="full kernel", kernel_bytes=4 * n * n, workspace_bytes=state + 8 * min(block_rows, n) * n
        )
    else:
        if 4 * n_problems * MIN_WORKING_SET * n > budget_bytes:
            return None
        group = len(pair_groups(budget_bytes, n_problems, n, largest)[0])
        q = working_set_size(budget_bytes, group, n, largest)
        block = 4 * group * q * n
        # per round: the block, the kernel rows of the fresh half (at most one per problem and slot)
        plan.update(
            path="working-set decomposition",
            kernel_bytes=block,
            working_set=q,
            workspace_bytes=state + block // 2 + 8 * n_problems * q * q,
        )
    plan["total_bytes"] = plan["features_bytes"] + plan["kernel_bytes"] + plan["workspace_bytes"]
    return plan
