"""Greedy orthogonal least squares for many targets at once, in lockstep (pure torch).

For every target ``y_k`` (one per class), OLS picks columns of the
unit-normalised matrix ``Phi`` one at a time: at step ``m`` the column ``j``
whose part orthogonal to the ``m`` chosen ones, ``u_kj``, correlates most with
the residual, i.e. the largest ``|r_k . u_kj| / |u_kj|``. Instead of rewriting
``Phi`` (ScatNetLight's ``ols.m`` orthogonalises every column at every step),
two numbers per class and column are kept up to date:

- ``numerators[k, j] = r_k . phi_j`` (equal to ``r_k . u_kj``, as ``r_k`` is
  orthogonal to the chosen columns);
- ``gaps[k, j] = |u_kj|^2 = 1 - sum_i (q_ki . phi_j)^2``;

so a step costs one product ``[q_1 ... q_K]^T Phi`` over the matrix for all
the classes together, and the score is ``numerators**2 / gaps``.
"""

import torch

__all__ = ["ColumnsExhausted", "one_vs_all_targets", "select_atoms"]


class ColumnsExhausted(ValueError):
    """Fewer admissible columns than atoms asked for.

    Attributes
    ----------
    round : int
        0-based round in which it happened.
    classes : list of int
        Indices of the classes that ran out.
    n_found : int
        Atoms those classes had selected in that round.
    n_left : int or None
        Columns left at the start of the round, when that was the cause.
    """

    def __init__(self, round_, classes, n_found, n_left=None):
        super().__init__(f"round {round_}: classes {classes} found {n_found} atoms")
        self.round, self.classes, self.n_found, self.n_left = round_, classes, n_found, n_left


def tolerances(dtype):
    """``(gap, residual, tie)`` tolerances, scaled to the precision of the products over the
    matrix (its dtype):

    - a column whose part outside the chosen span has a squared norm below ``gap`` (relative
      to its own) is never selected;
    - a residual below ``residual`` times its target's norm counts as fully explained;
    - scores within ``tie`` (relative) of the best one are ties, resolved by the first index
      (exact copies of a column get scores a few roundings apart). Any wider and float32
      fits stop selecting what float64 fits select (measured on benchmarks/bench_ols.py's
      small case: 100 % of the atoms agree at 10 eps, 92 % at 1000 eps).
    """
    eps = torch.finfo(dtype).eps
    return 1e3 * eps, 1e2 * eps, 10 * eps


def one_vs_all_targets(y_index, n_classes, device):
    """Build ScatNetLight's regression targets: ``n_classes`` on the class, 0 elsewhere, centred.

    Parameters
    ----------
    y_index : ndarray of int of shape (n_samples,)
        Class index (0 .. n_classes - 1) of each row.
    n_classes : int
        Number of classes.
    device : torch.device
        Device of the targets.

    Returns
    -------
    torch.Tensor of shape (n_classes, n_samples), float64
        One centred target row per class.
    """
    labels = torch.as_tensor(y_index, device=device)
    targets = torch.zeros((n_classes, labels.numel()), dtype=torch.float64, device=device)
    targets[labels, torch.arange(labels.numel(), device=device)] = float(n_classes)
    return targets - targets.mean(dim=1, keepdim=True)


def _orthogonal_part(basis, x):
    """``x - basis^T basis x`` per class and its norm, orthogonal to working precision.

    Classical Gram-Schmidt, repeated once when a pass cancels more than ``1 - 1/sqrt(2)``
    of the norm (Kahan and Parlett's "twice is enough"). One matrix-vector product per
    class: ``bmm`` with a single right-hand side was 20x slower on the CPU (it copies the
    strided basis).
    """
    length = torch.linalg.vector_norm(x, dim=1)
    if not basis.shape[1]:
        return x, length
    for _ in range(2):
        x = x - torch.stack([row @ (row.T @ v) for row, v in zip(basis.transpose(1, 2), x)])
        length, before = torch.linalg.vector_norm(x, dim=1), length
        if bool((length >= before * 0.5**0.5).all()):
            break
    return x, length


class _LockstepOLS:
    """One round of OLS for every class, sharing one pass over the matrix per step."""

    def __init__(self, passes, inv_norms, targets, correlations, allowed):
        n_classes = targets.shape[0]
        self.passes, self.inv_norms = passes, inv_norms
        self.gap_tol, residual_tol, self.tie_tol = tolerances(passes.dtype)
        self.rows = torch.arange(n_classes, device=targets.device)
        self.numerators = correlations.clone()
        self.gaps = torch.ones_like(correlations)
        self.admissible = allowed.expand(n_classes, -1).clone()
        self.residuals = targets.clone()
        self.floor = residual_tol * torch.linalg.vector_norm(targets, dim=1)

    def run(self, n_atoms, round_, on_step):
        n_classes, n_samples = self.residuals.shape
        self.basis = self.residuals.new_zeros((n_classes, n_atoms, n_samples))
        atoms = torch.zeros((n_classes, n_atoms), dtype=torch.long, device=self.rows.device)
        for step in range(n_atoms):
            index, direction = self._choose(step, round_)
            atoms[:, step] = index
            self._accept(step, index, direction, update=step + 1 < n_atoms)
            on_step()
        return atoms

    def _best(self, step, round_):
        """Highest score per class among admissible columns (the first index on ties).

        Admissible columns have ``gaps > gap_tol``; the others are masked (in place: with
        a hundred classes these arrays are ~100 MB each).
        """
        score = self.numerators.square().div_(self.gaps).masked_fill_(~self.admissible, -1.0)
        best = score.max(dim=1).values
        if (best < 0).any():
            raise ColumnsExhausted(round_, self.rows[best < 0].tolist(), step)
        ties = score >= (best * (1.0 - self.tie_tol))[:, None]
        return ties.to(torch.uint8).argmax(dim=1)

    def _choose(self, step, round_):
        """Each class's best column and the unit direction it adds to the class's span.

        The gaps are running estimates; the chosen column's part outside the span
        is recomputed exactly, and a column that turns out to lie in the span is
        marked inadmissible and the choice made again.
        """
        while True:
            index = self._best(step, round_)
            x = self.passes.columns(index).T * self.inv_norms[index, None]
            direction, length = _orthogonal_part(self.basis[:, :step], x)
            degenerate = length.square() <= self.gap_tol
            if not degenerate.any():
                return index, direction / length[:, None]
            self.admissible[self.rows[degenerate], index[degenerate]] = False

    def _accept(self, step, index, direction, update):
        self.basis[:, step] = direction
        self.admissible[self.rows, index] = False
        weight = (self.residuals * direction).sum(dim=1)
        self.residuals -= weight[:, None] * direction
        if not update:
            return
        overlap = self.passes.left_product(direction).mul_(self.inv_norms)
        self.numerators.addcmul_(overlap, weight[:, None], value=-1.0)
        self.gaps.addcmul_(overlap, overlap, value=-1.0)
        self.admissible &= self.gaps > self.gap_tol
        # An explained target has only rounding noise left: pick the first admissible column.
        explained = torch.linalg.vector_norm(self.residuals, dim=1) <= self.floor
        self.numerators[explained] = 0.0


def select_atoms(passes, y_index, n_classes, n_atoms, n_rounds, on_step=lambda: None):
    """Run ScatNetLight's rounds of one-vs-all OLS, all classes in lockstep.

    Parameters
    ----------
    passes : ColumnPasses
        The training matrix (n_samples, n_features).
    y_index : ndarray of int of shape (n_samples,)
        Class index of each row.
    n_classes, n_atoms, n_rounds : int
        Classes, atoms per class and round, rounds. Round ``r`` never selects
        an atom of rounds ``0 .. r-1`` (of any class).
    on_step : callable, optional
        Called after every lockstep step (progress bars).

    Returns
    -------
    torch.Tensor of shape (n_rounds, n_classes, n_atoms), long
        Column indices into the matrix, in selection order.

    Raises
    ------
    ColumnsExhausted
        When a round has fewer admissible columns than ``n_atoms`` (all-zero
        columns and columns in the span of the chosen ones are not admissible).
    """
    squared = passes.squared_norms()
    allowed = squared > torch.finfo(torch.float64).tiny
    inv_norms = torch.where(allowed, squared.clamp_min(torch.finfo(torch.float64).tiny).rsqrt(), 0.0)
    targets = one_vs_all_targets(y_index, n_classes, passes.device)
    correlations = passes.left_product(targets) * inv_norms
    rounds = []
    for round_ in range(n_rounds):
        n_left = int(allowed.sum())
        if n_left < n_atoms:
            raise ColumnsExhausted(round_, list(range(n_classes)), 0, n_left)
        atoms = _LockstepOLS(passes, inv_norms, targets, correlations, allowed).run(n_atoms, round_, on_step)
        allowed[atoms.flatten()] = False
        rounds.append(atoms)
    return torch.stack(rounds)
