"""Supervised feature selection: ScatNetLight's orthogonal least squares (OLS) reduction.

- :class:`OrthogonalLeastSquaresSelector`: the scikit-learn transformer (fit on
  CPU or CUDA, all classes in lockstep).
- :func:`select_atoms`: the torch algorithm behind it, for a
  :class:`ColumnPasses` view of a matrix.
"""

from ._ols import one_vs_all_targets, select_atoms
from ._passes import ColumnPasses
from ._selector import OrthogonalLeastSquaresSelector

__all__ = ["ColumnPasses", "OrthogonalLeastSquaresSelector", "one_vs_all_targets", "select_atoms"]
