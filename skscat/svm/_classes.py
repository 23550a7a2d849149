"""TorchSVC: scikit-learn's SVC model (LIBSVM's C-SVC), trained and evaluated with PyTorch."""

import math
import time
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..utils import batch_slices, resolve_device
from ..utils._device import DEVICE_CONSTRAINT, runtime_device
from ..utils._distances import scale_exponent, times_power_of_two
from ..utils._sklearn import Interval, StrOptions, _fit_context
from ..utils._torch_state import cpu_threads, full_precision_matmul
from ._decomposition import PARALLEL_FLOPS, solve_decomposed
from ._kernels import KERNELS, kernel_block, scaled_gamma, squared_norms
from ._libsvm import libsvm_is_faster, solve_libsvm
from ._ovo import PairLayout, pair_groups, solve_full, solve_pair_groups, vote_matrices

__all__ = ["TorchSVC"]

_MB = 2**20
# Beyond this many batches of pair kernels, each batch re-running the whole SMO step sequence costs
# more than the working-set path's extra kernel rows (measured on CPU: docs/svm.md).
_MAX_PAIR_GROUPS = 4


class TorchSVC(ClassifierMixin, BaseEstimator):
    """C-Support Vector Classification (:class:`sklearn.svm.SVC`'s model) on PyTorch, CPU or CUDA.

    The same dual problem as LIBSVM (scikit-learn's SVC), solved with LIBSVM's
    second-order working-set selection, stopping rule and intercept rule, so
    the fitted model matches SVC's within ``tol``. All one-vs-one pair
    problems are solved at once as batched tensor operations on one float32
    kernel matrix; when that matrix does not fit ``cache_size``, on the pairs'
    own kernels in up to four batches, or else by a working-set decomposition
    that computes only ``q x m`` kernel rows per pair and round. Dual variables
    and gradients are float64. Small problems on the CPU go to LIBSVM itself
    (``solver="auto"``), where its estimated fit time is lower. Data at any
    finite scale fit correctly: the fit works in units of the power of two
    nearest the largest entry (an exact change of units).

    Parameters
    ----------
    C : float, default=1.0
        Regularization parameter; strictly positive.
    kernel : {"rbf", "linear"}, default="rbf"
        Kernel type.
    gamma : {"scale", "auto"} or float, default="scale"
        Gaussian kernel coefficient: ``1 / (n_features * X.var())`` for
        "scale", ``1 / n_features`` for "auto", or a positive float.
        Ignored by the linear kernel.
    tol : float, default=1e-3
        Tolerance of LIBSVM's stopping criterion.
    cache_size : float, default=200
        Kernel memory in MB. The full-kernel solver runs when the
        ``n x n`` float32 kernel fits. Otherwise, when the pair problems'
        own kernels fit in at most four batches, they are solved batch by
        batch; else the working-set decomposition keeps one block of
        working-set kernel rows within this budget (at least 8 rows per
        pair). On a GPU, raise it to the memory you can spare.
    class_weight : dict or "balanced", default=None
        Multiply ``C`` of class ``i`` by ``class_weight[i]``; "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))``.
    verbose : bool, default=False
        Write the solver path and step count (``tqdm.write``) and show a
        progress bar over prediction batches.
    max_iter : int, default=-1
        Most SMO updates per pair problem; -1 means LIBSVM's own limit
        ``max(10_000_000, 100 * n_pair)``.
    decision_function_shape : {"ovr", "ovo"}, default="ovr"
        Shape of :meth:`decision_function`, built from the pairwise votes and
        confidences exactly as SVC does.
    break_ties : bool, default=False
        With "ovr" and more than two classes, predict the argmax of the
        decision function instead of the first class with most votes.
    device : str or torch.device, default="auto"
        "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:<i>".
        Resolved at fit time.
    batch_size : int, default=1024
        Test rows per kernel block in prediction (bounds memory; results do
        not depend on it).
    solver : {"auto", "torch", "libsvm"}, default="auto"
        "torch": the lockstep solver (on ``device``). "libsvm": LIBSVM itself
        (scikit-learn's SVC) on the CPU, the same model by construction.
        "auto": LIBSVM on the CPU where its estimated fit time is below the
        lockstep solver's (small problems: each lockstep step has a fixed
        ~0.1 ms of overhead that LIBSVM's microsecond steps do not), else
        "torch". Prediction always runs on torch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_weight_ : ndarray of shape (n_classes,)
        Multipliers of ``C`` per class.
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors, grouped by class.
    support_vectors_ : ndarray of shape (n_SV, n_features)
        Support vectors (dense, even for sparse input).
    n_support_ : ndarray of shape (n_classes,), dtype=int32
        Number of support vectors per class.
    dual_coef_ : ndarray of shape (n_classes - 1, n_SV)
        Dual coefficients in SVC's layout.
    intercept_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
        Constants of the pairwise decision functions (SVC's sign convention).
    fit_status_ : int
        0 if every pair problem converged, 1 if ``max_iter`` stopped one.
    solver_path_ : str
        The solver the fit took: "libsvm", "full kernel", "pair kernels in
        <g> group(s)" or "working-set decomposition" (see ``solver`` and
        ``cache_size``).
    n_iter_ : ndarray of shape (n_classes * (n_classes - 1) // 2,)
        SMO updates per pair problem (on the working-set path, the updates of
        all its subproblems: more than LIBSVM's count for the same model).
    shape_fit_ : tuple of int
        Shape of the training matrix.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    sklearn.svm.SVC : The reference implementation (LIBSVM).

    Notes
    -----
    ``probability=True`` is not offered: scikit-learn 1.9 deprecated it in SVC,
    and LIBSVM's Platt scaling relies on its internal random cross-validation,
    which cannot be reproduced faithfully. Use
    ``CalibratedClassifierCV(TorchSVC(), ensemble=False)`` instead.
    Sparse input is accepted and densified (training data at once, test data
    batch by batch). LIBSVM's shrinking heuristic is not used; it changes the
    path, not the optimality conditions that the solution meets.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skscat.svm import TorchSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = TorchSVC(C=10, device="cpu").fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> clf.decision_function(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "kernel": [StrOptions(set(KERNELS))],
        "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0.0, None, closed="neither")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cache_size": [Interval(Real, 0.0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "verbose": ["verbose"],
        "max_iter": [Interval(Integral, -1, None, closed="left")],
        "decision_function_shape": [StrOptions({"ovr", "ovo"})],
        "break_ties": ["boolean"],
        "device": DEVICE_CONSTRAINT,
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"auto", "torch", "libsvm"})],
    }

    def __init__(
        self,
        *,
        C=1.0,
        kernel="rbf",
        gamma="scale",
        tol=1e-3,
        cache_size=200,
        class_weight=None,
        verbose=False,
        max_iter=-1,
        decision_function_shape="ovr",
        break_ties=False,
        device="auto",
        batch_size=1024,
        solver="auto",
    ):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.verbose = verbose
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties
        self.device = device
        self.batch_size = batch_size
        self.solver = solver

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the SVM model to the training data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample multipliers of ``C``; samples with weight <= 0 are
            left out, as LIBSVM does.

        Returns
        -------
        self : TorchSVC
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=["csr", "csc"])
        y_index = self._encode_targets(y)
        C_rows = self._row_bounds(sample_weight, y_index)
        self._exponent = _data_exponent(X, self.kernel)
        self._gamma, self._kernel_gamma = _resolve_gamma(self.gamma, X, self._exponent)
        self._torch_cache = None
        device = resolve_device(self.device)
        kept = np.flatnonzero(C_rows > 0)
        order = kept[np.argsort(y_index[kept], kind="stable")]
        result = self._solve(X, y_index, C_rows, order, device)
        self._store_model(X, y_index, order, result)
        self.shape_fit_ = X.shape
        self._model_tensors()  # built here so that predicting leaves __dict__ unchanged
        return self

    def _encode_targets(self, y):
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        self.class_weight_ = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {len(self.classes_)} class "
                f"({self.classes_.tolist()!r}) in y. TorchSVC needs samples of at least two classes."
            )
        return y_index.ravel()

    def _row_bounds(self, sample_weight, y_index):
        """Per-row box bound ``C * class_weight * sample_weight`` (0 marks a dropped row)."""
        n = y_index.shape[0]
        weights = np.ones(n)
        if sample_weight is not None:
            weights = check_array(sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight")
            if weights.shape != (n,):
                raise ValueError(f"sample_weight has shape {weights.shape}, but X has {n} samples; pass shape ({n},).")
        bounds = np.clip(self.C * self.class_weight_[y_index] * weights, 0.0, None)
        present = np.unique(y_index[bounds > 0])
        if present.size != len(self.classes_):
            raise ValueError(
                "Every class needs a sample whose C * class_weight * sample_weight is above zero; "
                f"only class(es) {self.classes_[present].tolist()!r} of {self.classes_.tolist()!r} have one. "
                "Give each class a positive sample_weight or drop the classes from y."
            )
        return bounds

    def _solve(self, X, y_index, C_rows, order, device):
        """Sort the kept rows by class, choose the solver, and run it (on ``device`` for torch)."""
        start = time.perf_counter()
        counts = np.bincount(y_index[order], minlength=len(self.classes_))
        layout = PairLayout(counts, device)
        offset, box = self._offset(X, order), self._box_scale()
        if self.solver == "libsvm" or (self.solver == "auto" and libsvm_is_faster(layout, X.shape[1], device)):
            rows = _to_float32(X, order, torch.device("cpu"), offset, self._exponent, dtype=torch.float64)
            path = "libsvm"
            result = solve_libsvm(rows.numpy(), y_index[order], box * C_rows[order], self.kernel,
                                  self._kernel_gamma, self.tol, self.max_iter, self.cache_size)
        else:
            path, result = self._solve_torch(_to_float32(X, order, device, offset, self._exponent), layout,
                                             torch.as_tensor(box * C_rows[order], device=device), device)
        self.solver_path_ = path
        if self.verbose:
            tqdm.write(
                f"[TorchSVC] {len(layout.pairs)} pair problem(s), {path}, device={device}, "
                f"max {result.n_iter.max()} SMO steps, {time.perf_counter() - start:.2f} s"
            )
        return result.unscale_box(self._box_scale())

    def _solve_torch(self, X_t, layout, C_t, device):
        """The lockstep solver on the path ``cache_size`` allows: (path name, result)."""
        max_iter = self.max_iter if self.max_iter >= 0 else max(10_000_000, 100 * layout.size)
        check_every = 64 if device.type == "cuda" else 32
        budget = self.cache_size * _MB
        full = 4.0 * X_t.shape[0] ** 2 <= budget
        groups = None if full else pair_groups(layout, budget)
        args = (X_t, layout, C_t, self.kernel, self._kernel_gamma, self.tol, max_iter, check_every)
        with full_precision_matmul():
            if full:
                return "full kernel", solve_full(*args)
            if groups is not None and len(groups) <= _MAX_PAIR_GROUPS:
                return f"pair kernels in {len(groups)} group(s)", solve_pair_groups(*args, groups)
            largest = 1024 if device.type == "cuda" else 256
            return "working-set decomposition", solve_decomposed(*args, budget, largest)

    def _box_scale(self):
        """Factor of the box bounds on data divided by ``2^_exponent``.

        The RBF kernel needs none (``gamma`` absorbs the scale). The linear
        kernel shrinks by ``4^e``; the same dual with the box grown by ``4^e``
        has the same gradients and step sequence, and its variables are the
        original ones times ``4^e``.
        """
        if self.kernel == "rbf" or not self._exponent:
            return 1.0
        factor = math.ldexp(1.0, 2 * self._exponent)
        if not math.isfinite(factor * self.C * max(self.class_weight_.max(), 1.0)):
            raise ValueError(
                f"The linear kernel of data with entries up to ~2^{self._exponent} makes C={self.C} "
                "overflow once rescaled; divide X by a constant (e.g. with StandardScaler)."
            )
        return factor

    def _offset(self, X, rows):
        """Centre for the Gaussian kernel (translation invariant); none for the linear one."""
        if self.kernel != "rbf":
            return None
        return np.asarray(X[rows].mean(axis=0)).ravel()

    def _store_model(self, X, y_index, order, result):
        """Fitted attributes in SVC's layout from the per-pair coefficients (sorted order)."""
        is_sv = (result.pair_coef != 0).any(axis=0)
        sv_sorted = np.flatnonzero(is_sv)
        sv_class = y_index[order[sv_sorted]]
        n_classes = len(self.classes_)
        dual = np.zeros((n_classes - 1, sv_sorted.size))
        for p, (a, b) in enumerate(_pairs(n_classes)):
            for own, row in ((a, b - 1), (b, a)):
                cols = np.flatnonzero(sv_class == own)
                dual[row, cols] = result.pair_coef[p, sv_sorted[cols]]
        intercept = -result.rho
        if not (np.isfinite(dual).all() and np.isfinite(intercept).all()):
            raise ValueError(
                f"The dual coefficients or intercepts are not finite (gamma={self._gamma!r}, C={self.C!r}); "
                "check X and sample_weight for extreme values or preprocess X (e.g. with StandardScaler)."
            )
        self.support_ = order[sv_sorted].astype(np.int32)
        self.support_vectors_ = _dense_rows(X, self.support_)
        self.n_support_ = np.bincount(sv_class, minlength=n_classes).astype(np.int32)
        self._dual_coef_, self._intercept_ = dual, intercept
        sign = -1.0 if n_classes == 2 else 1.0
        self.dual_coef_, self.intercept_ = sign * dual, sign * intercept
        self.fit_status_ = result.fit_status
        self.n_iter_ = result.n_iter
        self._dual_objective = result.objective
        if self.fit_status_:
            warnings.warn(
                f"Solver terminated early (max_iter={self.max_iter}). Consider pre-processing your "
                "data with StandardScaler or MinMaxScaler, or raise max_iter.",
                ConvergenceWarning,
            )

    @property
    def coef_(self):
        """Primal weights ``(n_classes * (n_classes - 1) / 2, n_features)``, linear kernel only."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel")
        check_is_fitted(self)
        coef = (_pair_coefficients(self._dual_coef_, self.n_support_).T @ self.support_vectors_)
        coef = -coef if len(self.classes_) == 2 else coef
        coef.flags.writeable = False
        return coef

    def decision_function(self, X):
        """Evaluate the decision function for the samples in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        ndarray of shape (n_samples,), (n_samples, n_classes) or (n_samples, n_classes * (n_classes - 1) / 2)
            Binary: positive values favour ``classes_[1]``. Otherwise the
            one-vs-one values (positive favours the first class of a pair) for
            "ovo", or SVC's one-vs-rest transform of votes and confidences for
            "ovr".
        """
        dec = self._pair_decision(X)
        if len(self.classes_) == 2:
            return -dec[:, 0]
        if self.decision_function_shape == "ovr":
            return _ovr_decision(dec < 0, -dec, len(self.classes_))
        return dec

    def predict(self, X):
        """Predict class labels for samples in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted labels: the class with most pairwise votes (ties go to
            the first class), or the argmax of the "ovr" decision function
            when ``break_ties=True``.
        """
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ValueError(
                "break_ties must be False when decision_function_shape is 'ovo'; "
                "set decision_function_shape='ovr' or break_ties=False."
            )
        dec = self._pair_decision(X)
        n_classes = len(self.classes_)
        if self.break_ties and n_classes > 2:
            index = np.argmax(_ovr_decision(dec < 0, -dec, n_classes), axis=1)
        else:
            first, second = vote_matrices(n_classes)
            votes = (dec > 0) @ first + (dec <= 0) @ second
            index = np.argmax(votes, axis=1)
        return self.classes_.take(index)

    def _pair_decision(self, X):
        """LIBSVM's pairwise decision values ``(n_samples, n_pairs)`` (positive: first class)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, accept_sparse=["csr", "csc"])
        if sp.issparse(X):
            X = X.tocsr()
        model = self._model_tensors()
        out = np.empty((X.shape[0], model["rho"].shape[0]))
        desc = "TorchSVC predict"
        # A small kernel product gains nothing from more CPU threads and pays their synchronisation.
        flops = 2.0 * min(X.shape[0], self.batch_size) * model["sv"].shape[0] * X.shape[1]
        threads = torch.get_num_threads() if flops > PARALLEL_FLOPS else 1
        with full_precision_matmul(), cpu_threads(threads, model["device"]):
            for rows in batch_slices(X.shape[0], self.batch_size, verbose=self.verbose, desc=desc):
                out[rows] = self._batch_decision(X, np.arange(rows.start, rows.stop), model).cpu().numpy()
        return out

    def _batch_decision(self, X, rows, model):
        if self.kernel == "linear":  # float64 primal weights: exact and cheap
            Xb = _to_float32(X, rows, model["device"], None, dtype=torch.float64)
            return Xb @ model["weights"].T - model["rho"]
        Xb = _to_float32(X, rows, model["device"], model["offset"], self._exponent)
        exponent = scale_exponent(Xb, model["sv_max"])  # the test rows may need another scale than the SVs
        K = kernel_block(Xb, model["sv"], self.kernel, self._kernel_gamma, None, model["sq"], exponent)
        return K.to(torch.float64) @ model["coef"] - model["rho"]

    def _model_tensors(self):
        """Private torch copy of the fitted model, rebuilt after unpickling or a new fit."""
        cache = getattr(self, "_torch_cache", None)
        if cache is not None:
            return cache
        device = _predict_device(self.device)
        sv = self.support_vectors_
        offset = sv.mean(axis=0) if self.kernel == "rbf" and sv.shape[0] else None
        sv_t = _to_float32(sv, np.arange(sv.shape[0]), device, offset, self._exponent)
        coef = _pair_coefficients(self._dual_coef_, self.n_support_)
        self._torch_cache = {
            "weights": torch.as_tensor(coef.T @ sv, device=device),
            "device": device,
            "offset": offset,
            "sv": sv_t,
            "sq": squared_norms(sv_t),
            "sv_max": sv_t.abs().amax() if sv_t.numel() else sv_t.new_zeros(()),
            "coef": torch.as_tensor(coef, device=device),
            "rho": torch.as_tensor(-self._intercept_, device=device),
        }
        return self._torch_cache

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_torch_cache", None)
        return state


def _pairs(n_classes):
    return [(a, b) for a in range(n_classes) for b in range(a + 1, n_classes)]


def _pair_coefficients(dual_coef, n_support):
    """``(n_SV, n_pairs)`` matrix of ``y_t alpha_t`` per pair, from SVC's ``dual_coef_`` layout."""
    n_classes = len(n_support)
    starts = np.concatenate([[0], np.cumsum(n_support)])
    coef = np.zeros((dual_coef.shape[1], n_classes * (n_classes - 1) // 2))
    for p, (a, b) in enumerate(_pairs(n_classes)):
        coef[starts[a] : starts[a + 1], p] = dual_coef[b - 1, starts[a] : starts[a + 1]]
        coef[starts[b] : starts[b + 1], p] = dual_coef[a, starts[b] : starts[b + 1]]
    return coef


def _ovr_decision(predictions, confidences, n_classes):
    """SVC's one-vs-rest values: pairwise votes plus confidences squashed into (-1/3, 1/3)."""
    votes = np.zeros((predictions.shape[0], n_classes))
    confidence = np.zeros((predictions.shape[0], n_classes))
    for p, (a, b) in enumerate(_pairs(n_classes)):
        confidence[:, a] -= confidences[:, p]
        confidence[:, b] += confidences[:, p]
        votes[predictions[:, p] == 0, a] += 1
        votes[predictions[:, p] == 1, b] += 1
    return votes + confidence / (3 * (np.abs(confidence) + 1))


def _data_exponent(X, kernel):
    """Power of two ``e`` that brings the largest ``|X|`` near 1 (RBF: 0 inside the safe range).

    Dividing by ``2^e`` is exact (the SMO steps on the rescaled problem are
    the original ones, scaled). For the RBF kernel it only matters where
    float32 would over- or underflow. The linear kernel is always brought
    to unit scale: its curvatures ``K_ii + K_jj - 2 K_ij`` shrink with the
    square of the scale and would fall under the ``TAU = 1e-12`` floor of
    the step already at ``|x| ~ 1e-7``.
    """
    if sp.issparse(X):
        largest = float(abs(X).max()) if X.nnz else 0.0
    else:
        largest = float(np.abs(X).max(initial=0.0))
    if kernel == "linear":
        return math.frexp(largest)[1] if largest > 0 else 0
    return scale_exponent(torch.tensor(largest))


def _resolve_gamma(gamma, X, exponent):
    """``gamma`` as SVC computes it (float64), and the width for ``X / 2^exponent``.

    "scale" is ``1 / (n_features * X.var())``, computed on ``X / 2^exponent``
    so that ``X.var()`` cannot overflow (the division is exact, so within the
    safe range it is SVC's value to the bit).
    """
    if gamma == "scale":
        Xs = X if not exponent else X * math.ldexp(1.0, -exponent)
        variance = (Xs.multiply(Xs)).mean() - Xs.mean() ** 2 if sp.issparse(Xs) else Xs.var()
        if variance == 0:
            return 1.0, scaled_gamma(1.0, exponent, torch.float64)
        kernel_gamma = 1.0 / (X.shape[1] * variance)
        return scaled_gamma(kernel_gamma, -exponent, torch.float64), kernel_gamma
    value = 1.0 / X.shape[1] if gamma == "auto" else float(gamma)
    return value, scaled_gamma(value, exponent, torch.float64)


def _dense_rows(X, rows):
    """Rows of a dense or sparse matrix as a dense float64 array."""
    part = X[rows]
    return part.toarray() if sp.issparse(part) else np.asarray(part, dtype=np.float64)


def _to_float32(X, rows, device, offset, exponent=0, dtype=torch.float32):
    """``(X[rows] - offset) / 2^exponent`` as a float32 (or ``dtype``) tensor on ``device``, made in float64."""
    if sp.issparse(X):
        part = torch.as_tensor(X[rows].toarray())
    else:
        part = torch.from_numpy(np.asarray(X, dtype=np.float64)[rows])  # fancy indexing copies
    if offset is not None:
        part -= torch.as_tensor(offset)
    if exponent:
        part = times_power_of_two(part, -exponent)
    return part.to(device=device, dtype=dtype)


def _predict_device(device, owner="TorchSVC"):
    """The fit-time device when this machine has it, otherwise the CPU (e.g. CUDA model on a laptop)."""
    return runtime_device(device, owner)
