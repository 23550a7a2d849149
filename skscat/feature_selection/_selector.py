"""OrthogonalLeastSquaresSelector: ScatNetLight's supervised OLS feature reduction as a transformer."""

from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy.linalg import solve_triangular
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..utils import batch_slices, resolve_device
from ..utils._device import DEVICE_CONSTRAINT
from ..utils._sklearn import Interval, _fit_context
from ..utils._torch_state import full_precision_matmul
from ._ols import ColumnsExhausted, select_atoms
from ._passes import ColumnPasses

__all__ = ["OrthogonalLeastSquaresSelector"]

_FIX = "Lower n_atoms_per_class or n_rounds, or train on more rows or features."


class OrthogonalLeastSquaresSelector(TransformerMixin, BaseEstimator):
    """Supervised feature reduction by orthogonal least squares (Oyallon & Mallat, CVPR 2015).

    ScatNetLight's reduction (``dimension_reduction_and_SVM.m``,
    ``pls_multiclass_v2_noparfor.m``, ``ols.m``), computed in lockstep for all
    classes on CPU or CUDA. For each class ``k`` the target is ``y_k = K`` on
    the class and 0 elsewhere (``K`` classes), centred. Greedy orthogonal
    least squares then selects ``n_atoms_per_class`` columns of the
    unit-normalised training matrix: at each step the column whose part
    orthogonal to the already chosen ones correlates most with the residual
    of ``y_k`` (the first index on ties); a chosen column is never chosen
    again. The class's reduced features are ``Q`` of the QR decomposition of
    its chosen training columns, and ``X[:, atoms] @ inv(R)`` for any rows,
    so ``transform(X_train)`` is that ``Q``. Each of the ``n_rounds`` rounds
    selects again among the columns that no class selected in the previous
    rounds. Outputs are concatenated round by round, class by class:
    ``n_rounds * n_classes * n_atoms_per_class`` columns.

    Each step is one pass over ``X`` for all the classes together; ``X`` is
    read in place and never copied on the host (on CUDA it is copied to the
    device once when it fits in half the free device memory, and streamed
    in blocks otherwise).

    Parameters
    ----------
    n_atoms_per_class : int, default=200
        Columns selected per class and round (the paper's D: 200 for
        CIFAR-10, 20 for CIFAR-100, 30 for Caltech-101). At most the number of
        training rows.
    n_rounds : int, default=2
        Rounds of selection (CIFAR: 2, Caltech-101: 5).
    device : str or torch.device, default="auto"
        Where fit runs: "auto" (CUDA when available, else CPU), "cpu", "cuda"
        or "cuda:<i>". Resolved at fit time; transform runs on the CPU.
    batch_size : int, default=4096
        Columns of ``X`` per block in fit (on CUDA, the block streamed to the
        device when ``X`` does not stay there), and rows per block in
        transform. Bounds memory; never changes the results.
    verbose : bool or int, default=False
        Show a progress bar over the selection steps (and over transform
        batches).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    selected_features_ : ndarray of shape (n_rounds, n_classes, n_atoms_per_class), int64
        Indices into the original features of the columns each class selected
        in each round, in selection order.
    triangular_factors_ : ndarray of shape (n_rounds, n_classes, n_atoms_per_class, n_atoms_per_class)
        ``R`` of the QR decomposition of each class's selected training
        columns (float64, positive diagonal).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Input column names, when fitted on a DataFrame.

    See Also
    --------
    sklearn.feature_selection.SequentialFeatureSelector : Greedy selection by cross-validated score.

    Notes
    -----
    Precision: the passes over ``X`` (selection) run in its dtype, float32 or
    float64 (other input is converted to float64); the per-class running
    statistics, the orthonormal directions, the QR decomposition and
    transform are float64, and the output has the input's dtype. With
    float64 input the selection equals ScatNetLight's (run in Octave, in
    double precision) on the reference problems; float32 input can differ
    where two candidate columns score within float32 rounding of each other.

    Numerical safety: a column whose part outside the span of the chosen
    ones has a squared norm below ``1000 * eps`` of its own (``eps`` of the
    dtype of ``X``), and every all-zero column, is never selected; ``ols.m``
    would normalise such rounding noise to a unit vector. Scores within
    ``10 * eps`` (relative) of the best are ties, won by the first index, so
    exact copies of a column behave as in exact arithmetic. When a class's
    target is explained to rounding error, ``ols.m`` stops early (and pads
    with zeros); this selector carries on with the first admissible column,
    so that every class has ``n_atoms_per_class`` atoms. Unlike
    ScatNetLight, which standardises training and test rows together, fit
    sees only training rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscat.feature_selection import OrthogonalLeastSquaresSelector
    >>> X, y = load_digits(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=5, n_rounds=2, device="cpu")
    >>> Z = ols.fit_transform(X, y)
    >>> Z.shape, ols.selected_features_.shape
    ((1797, 100), (2, 10, 5))
    >>> bool(abs(Z[:, :5].T @ Z[:, :5] - np.eye(5)).max() < 1e-10)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_atoms_per_class": [Interval(Integral, 1, None, closed="left")],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "device": DEVICE_CONSTRAINT,
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(self, *, n_atoms_per_class=200, n_rounds=2, device="auto", batch_size=4096, verbose=False):
        self.n_atoms_per_class = n_atoms_per_class
        self.n_rounds = n_rounds
        self.device = device
        self.batch_size = batch_size
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Select the atoms of every class and round and factor them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (standardised, as in the paper). float32 and
            float64 arrays are used in place.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : OrthogonalLeastSquaresSelector
            The fitted selector.
        """
        self._fit(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y):
        """Fit, and return ``Q`` of each class's selected training columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        ndarray of shape (n_samples, n_rounds * n_classes * n_atoms_per_class)
            The reduced training features, in the dtype of ``X``.
        """
        return self._fit(X, y)

    def _fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        self._check_sizes(X.shape)
        device = resolve_device(self.device)
        selected = self._select(X, y_index.ravel(), device)
        self.selected_features_ = selected
        Q, self.triangular_factors_ = _factor(X, selected)
        return Q

    def _check_sizes(self, shape):
        n_samples, n_features = shape
        n_classes, D, rounds = len(self.classes_), self.n_atoms_per_class, self.n_rounds
        if n_classes < 2:
            raise ValueError(
                f"y has 1 class ({self.classes_.tolist()!r}); OrthogonalLeastSquaresSelector needs at "
                "least 2 classes (its one-vs-all regression targets are constant for a single class). "
                "Pass labels of two or more classes."
            )
        if D > n_samples:
            raise ValueError(
                f"n_atoms_per_class={D} exceeds the {n_samples} training rows: the QR of a class's "
                f"selected training columns needs n_atoms_per_class <= n_samples. Use "
                f"n_atoms_per_class <= {n_samples}, or train on more rows."
            )
        if D * rounds > n_features:
            raise ValueError(
                f"n_atoms_per_class={D} with n_rounds={rounds} needs at least {D * rounds} features "
                f"(each round selects among the features no earlier round selected); X has {n_features}. "
                "Lower n_atoms_per_class or n_rounds so that n_rounds * n_atoms_per_class <= n_features."
            )

    def _select(self, X, y_index, device):
        steps = self.n_rounds * self.n_atoms_per_class
        passes = ColumnPasses(X, device, self.batch_size)
        with (
            full_precision_matmul(),
            tqdm(total=steps, desc="OLS", unit="step", disable=not self.verbose) as bar,
        ):
            try:
                selected = select_atoms(
                    passes,
                    y_index,
                    len(self.classes_),
                    self.n_atoms_per_class,
                    self.n_rounds,
                    on_step=lambda: bar.update(1),
                )
            except ColumnsExhausted as exc:
                raise ValueError(self._exhausted_message(exc, X.shape[1])) from None
        return selected.cpu().numpy().astype(np.int64)

    def _exhausted_message(self, exc, n_features):
        D = self.n_atoms_per_class
        if exc.n_left is not None:
            return (
                f"Round {exc.round} of n_rounds={self.n_rounds} needs n_atoms_per_class={D} features, but only "
                f"{exc.n_left} of the {n_features} (non-zero columns not selected by earlier rounds) are left. "
                f"{_FIX}"
            )
        labels = self.classes_[exc.classes].tolist()
        return (
            f"In round {exc.round}, class(es) {labels!r} found only {exc.n_found} of n_atoms_per_class={D} "
            "atoms: the remaining columns of X are zero or lie (to rounding error) in the span of the "
            f"selected ones, so the training columns have too low a rank. {_FIX}"
        )

    def transform(self, X):
        """Reduce rows to the selected atoms of every class and round, times ``inv(R)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to reduce.

        Returns
        -------
        ndarray of shape (n_samples, n_rounds * n_classes * n_atoms_per_class)
            ``X[:, atoms] @ inv(R)`` per class and round, concatenated round by
            round, class by class, in the dtype of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        D = self.n_atoms_per_class_
        atoms = self.selected_features_.reshape(-1, D)
        factors = self.triangular_factors_.reshape(-1, D, D)
        out = np.empty((X.shape[0], atoms.size), dtype=X.dtype)
        for rows in batch_slices(X.shape[0], self.batch_size, verbose=self.verbose, desc="OLS transform"):
            for group, (columns, R) in enumerate(zip(atoms, factors)):
                block = X[rows][:, columns].astype(np.float64)
                out[rows, group * D : (group + 1) * D] = solve_triangular(R, block.T, trans="T").T
        return out

    @property
    def n_atoms_per_class_(self):
        """Atoms per class and round of the fitted selector."""
        return self.selected_features_.shape[2]

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored except for its length, which must match the input.

        Returns
        -------
        ndarray of str
            ``ols_round{r}_class{label}_{i}``: the ``i``-th orthonormal
            direction of class ``label`` in round ``r``.
        """
        check_is_fitted(self)
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features has {len(input_features)} names; expected {self.n_features_in_}."
            )
        rounds, _, D = self.selected_features_.shape
        names = [
            f"ols_round{r}_class{label}_{i}"
            for r in range(rounds)
            for label in self.classes_
            for i in range(D)
        ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _factor(X, selected):
    """QR of every class's selected training columns, with a positive diagonal of R.

    Returns ``Q`` concatenated round by round, class by class (dtype of ``X``), and the
    ``R`` factors, shape (n_rounds, n_classes, D, D), float64.
    """
    rounds, classes, D = selected.shape
    Q = np.empty((X.shape[0], rounds * classes * D), dtype=X.dtype)
    factors = np.empty((rounds, classes, D, D))
    for group, columns in enumerate(selected.reshape(-1, D)):
        q, r = np.linalg.qr(X[:, columns].astype(np.float64))
        signs = np.where(np.diag(r) < 0, -1.0, 1.0)
        Q[:, group * D : (group + 1) * D] = q * signs
        factors.reshape(-1, D, D)[group] = r * signs[:, None]
    return Q, factors
