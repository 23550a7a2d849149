"""The Gaussian SVM of Oyallon & Mallat (CVPR 2015): mean-norm bandwidth, one-vs-all.

sigma is the mean L2 norm of the training vectors, gamma = 1 / (2 sigma^2),
C = 50, one binary C-SVC per class (that class against all others), all on one
kernel matrix, prediction = argmax of the decision values: LIBSVM's
``-s 0 -t 4 -c 50`` run once per class, as ScatNetLight's ``SVM_1vsALL_wrapper.m``
does. The default solver runs the K binary problems in lockstep on one float32
kernel (:mod:`._ova_solver`); ``solver="libsvm"`` keeps scikit-learn's SVC on a
precomputed kernel as the reference.
"""

import numbers
import time
import warnings
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import SVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..utils import batch_slices, resolve_device
from ..utils._device import DEVICE_CONSTRAINT
from ..utils._distances import (
    scale_exponent,
    scaled_squared_distances,
    times_power_of_two,
)
from ..utils._sklearn import Interval, StrOptions, _fit_context
from ..utils._torch_state import full_precision_matmul
from ._classes import _predict_device
from ._kernels import kernel_block, scaled_gamma, squared_norms
from ._ova_solver import OneVsAllLayout, plan_memory, solve_decomposed, solve_full

__all__ = ["MeanNormGaussianSVC", "gaussian_kernel"]

_MB = 2**20
_GB = 1e9
_KERNEL_BLOCK = (
    1024  # rows per block of the training kernel: fixed, so that batch_size never changes the model
)


def gaussian_kernel(
    A, B, gamma, *, center=None, device="cpu", batch_size=2048, dtype="float64", verbose=False
):
    """Compute ``exp(-gamma |a - b|^2)`` for all rows of ``A`` and ``B``, as a float64 array.

    Distances are :func:`skscat.utils.scaled_squared_distances` of the rows
    after subtracting ``center`` (default: the mean of ``B``), which keeps the
    cancellation error small, and after dividing them (in float64) by the power
    of two that brings the largest entry near 1, ``gamma`` growing to match:
    an exact change of units that keeps float32 from under- or overflowing at
    any finite scale. In float64 the values depend on ``batch_size`` only
    through the rounding of the matrix products (~1e-15); float32 products
    are about twice as fast on CPU and agree to ~1e-6.

    Parameters
    ----------
    A : ndarray of shape (n_a, d)
        Rows of the kernel.
    B : ndarray of shape (n_b, d)
        Columns of the kernel.
    gamma : float
        Kernel width, non-negative and finite.
    center : ndarray of shape (d,), optional
        Subtracted from both sides before the products (default: the mean of ``B``).
    device : str or torch.device, default="cpu"
        Device of the products.
    batch_size : int, default=2048
        Rows of ``A`` per block; memory is O(batch_size * (d + n_b)).
    dtype : {"float64", "float32"}, default="float64"
        Precision of the dot products (the output is float64 either way).
    verbose : bool, default=False
        Progress bar over row blocks.

    Returns
    -------
    ndarray of shape (n_a, n_b), float64
        The kernel matrix.

    Raises
    ------
    ValueError
        If ``dtype`` is not float32 or float64, or ``gamma`` is negative or not finite.
    """
    dtype = _kernel_dtype(dtype)
    if not (isinstance(gamma, numbers.Real) and np.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a finite number >= 0 (exp(-gamma |a - b|^2)); got gamma={gamma!r}.")
    if not (isinstance(batch_size, numbers.Integral) and batch_size >= 1):
        raise ValueError(f"batch_size must be an integer >= 1; got batch_size={batch_size!r}.")
    device = resolve_device(device)
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    center = B.mean(axis=0) if center is None else np.asarray(center, dtype=np.float64)
    exponent = _exponent(A - center, B - center)
    width = scaled_gamma(gamma, exponent, torch.float64)
    b = _centred(B, center, device, dtype, exponent)
    b_sq = squared_norms(b)
    out = np.empty((len(A), len(B)), dtype=np.float64)
    for rows in batch_slices(len(A), batch_size, verbose=verbose, desc="Gaussian kernel"):
        a = _centred(A[rows], center, device, dtype, exponent)
        dist, _ = scaled_squared_distances(a, b, squared_norms(a), b_sq, exponent=0)
        out[rows] = torch.exp(-width * dist.double()).cpu().numpy()
    return out


def _kernel_dtype(dtype):
    """float32 or float64 as a torch dtype; anything else (e.g. "int32", which would truncate X) is refused."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64' (the precision of the dot products); got dtype={dtype!r}.")
    return getattr(torch, name)


def _exponent(*arrays):
    """Power of two that brings the largest entry of ``arrays`` (float64) near 1; 0 inside the safe range."""
    largest = max((float(np.abs(a).max()) for a in arrays if a.size), default=0.0)
    return scale_exponent(torch.tensor(largest))


class MeanNormGaussianSVC(ClassifierMixin, BaseEstimator):
    """One-vs-all Gaussian SVM with the bandwidth set to the mean feature norm.

    The classifier of Oyallon & Mallat (2015): sigma = mean L2 norm of the
    training vectors (after whatever preprocessing precedes it), kernel
    ``exp(-|x - y|^2 / (2 sigma^2))``, one binary C-SVC per class (labels +1 on
    the class, -1 on all other training rows), and the class with the largest
    decision value wins; with two classes, one problem (``classes_[1]``
    against ``classes_[0]``). Each binary problem is LIBSVM's C-SVC (``-s 0
    -t 4``): the same dual, stopping rule (``tol``) and intercept rule, so the
    model matches scikit-learn's ``OneVsRestClassifier(SVC(C=C,
    kernel="precomputed"))`` on the same kernel within ``tol``.

    The default solver computes the float32 training kernel once (blocked
    matrix products of mean-centred data, the upper triangle only) and solves
    the K problems in lockstep on it with LIBSVM's SMO steps and shrinking,
    on CPU or CUDA: each step reads, per problem, the two kernel rows its
    working pair needs, over that problem's active variables.
    The kernel takes ``4 n^2`` bytes (10 GB at 50,000 rows); when that
    exceeds ``cache_size``, a working-set decomposition computes the kernel
    rows it needs on the fly instead (same stopping rule on the full
    gradient, far slower per step). Before allocating anything, fit checks
    the planned memory against what the device has free and refuses with the
    bytes needed if it does not fit.

    Parameters
    ----------
    C : float, default=50.0
        Regularisation of every binary SVM (the paper uses 50); strictly positive.
    sigma : "mean_norm" or float, default="mean_norm"
        Kernel bandwidth; ``"mean_norm"`` computes it from the training data.
    solver : {"auto", "torch", "libsvm"}, default="auto"
        ``"torch"`` (and ``"auto"``): the lockstep solver on one float32
        kernel, on ``device``. ``"libsvm"``: one float64 precomputed kernel
        (``8 n^2`` bytes) and one :class:`sklearn.svm.SVC` per class, on the
        CPU: the reference.
    device : str, default="auto"
        Where kernels are computed and the problems solved ("auto": CUDA when
        available, "cpu", "cuda", "cuda:1"); resolved in fit. A model fitted
        on CUDA predicts on the CPU where CUDA is missing.
    batch_size : int, default=2048
        Test rows per kernel block in prediction (and rows per block when X
        is copied to the device in fit): bounds the temporary memory
        (``~16 * batch_size * n_sv`` bytes). The model never depends on it,
        with either solver (the training kernel is always built in blocks of
        1024 rows; with ``solver="libsvm"`` it once followed ``batch_size``,
        and the float64 products' rounding, ~1e-16, changed ``dual_coef_`` by
        up to 0.009 at ``batch_size=1`` through LIBSVM's path; tested equal
        now). Decision values are computed in float64, as LIBSVM predicts, so
        they agree across batch sizes to ~1e-15 (tested).
    cache_size : float, default=12288
        Kernel memory budget in MB (12 GiB: the full kernel up to ~56,000
        training rows). Above it, the working-set decomposition runs within
        this budget; below 32 n K bytes (8 rows per problem) fit refuses.
    kernel_dtype : {"float64", "float32"}, default="float64"
        Precision of the training kernel's dot products with
        ``solver="libsvm"`` (float32 halves the CPU cost, kernel values
        change by ~1e-6). The torch solver trains on a float32 kernel, as
        LIBSVM's kernel cache stores it; predictions always use float64.
    tol : float, default=1e-3
        LIBSVM's stopping tolerance of every binary problem.
    max_iter : int, default=-1
        Most SMO updates per problem (torch solver); -1 means LIBSVM's own
        limit ``max(10_000_000, 100 * n_samples)``.
    verbose : bool, default=False
        Print the memory plan and show progress bars (kernel blocks, SMO
        steps, prediction batches).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    sigma_ : float
        The bandwidth used.
    gamma_ : float
        1 / (2 sigma_^2).
    solver_ : str
        The solver used ("torch" or "libsvm").
    solver_path_ : str
        "full kernel", "working-set decomposition" or "libsvm precomputed kernel".
    memory_plan_ : dict
        The planned bytes (``kernel_bytes``, ``features_bytes``,
        ``workspace_bytes``, ``total_bytes``, ``budget_bytes``), the
        ``path`` and the ``device``.
    support_ : ndarray of shape (n_sv,)
        Training indices of the union of the support vectors of all problems.
    support_vectors_ : ndarray of shape (n_sv, n_features)
        Union of the support vectors of all binary problems.
    dual_coef_ : ndarray of shape (n_problems, n_sv)
        Signed dual coefficients of each one-vs-all problem (positive on its
        class; zeros where a vector is not a support vector of that problem).
        ``n_problems`` is ``n_classes``, or 1 with two classes.
    intercept_ : ndarray of shape (n_problems,)
    n_iter_ : ndarray of shape (n_problems,)
        SMO updates per problem.
    fit_status_ : int
        0 if every problem converged, 1 if ``max_iter`` stopped one.
    center_ : ndarray of shape (n_features,)
        Mean training vector, subtracted before the distance computations.
    n_features_in_ : int

    See Also
    --------
    skscat.svm.TorchSVC : Scikit-learn's one-vs-one SVC model on PyTorch.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skscat.svm import MeanNormGaussianSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MeanNormGaussianSVC(C=50, device="cpu").fit(X, y)
    >>> round(clf.score(X, y), 2)
    0.98
    >>> clf.solver_path_, clf.memory_plan_["kernel_bytes"] == 4 * 150**2
    ('full kernel', True)
    """

    _parameter_constraints: ClassVar[dict] = {
        "C": [Interval(numbers.Real, 0, None, closed="neither")],
        "sigma": [StrOptions({"mean_norm"}), Interval(numbers.Real, 0, None, closed="neither")],
        "solver": [StrOptions({"auto", "libsvm", "torch"})],
        "device": DEVICE_CONSTRAINT,
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "cache_size": [Interval(numbers.Real, 0, None, closed="neither")],
        "kernel_dtype": [StrOptions({"float64", "float32"})],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, -1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        C=50.0,
        sigma="mean_norm",
        solver="auto",
        device="auto",
        batch_size=2048,
        cache_size=12288,
        kernel_dtype="float64",
        tol=1e-3,
        max_iter=-1,
        verbose=False,
    ):
        self.C = C
        self.sigma = sigma
        self.solver = solver
        self.device = device
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.kernel_dtype = kernel_dtype
        self.tol = tol
        self.max_iter = max_iter
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit one binary SVM per class, all on one kernel matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        y_index = self._encode(y)
        self.sigma_ = self._bandwidth(X)
        self.gamma_ = 1.0 / (2.0 * self.sigma_**2)
        self.center_ = X.mean(axis=0, dtype=np.float64)
        self.solver_ = "libsvm" if self.solver == "libsvm" else "torch"
        self._torch_cache = None
        if self.solver_ == "libsvm":
            coef, intercept = self._fit_libsvm(X, y_index)
        else:
            coef, intercept = self._fit_torch(X, y_index)
        self._store(X, coef, intercept)
        self._model_tensors()  # built here so that predicting leaves __dict__ unchanged
        return self

    def _encode(self, y):
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"y has {len(self.classes_)} class ({self.classes_.tolist()!r}); MeanNormGaussianSVC "
                "needs samples of at least 2 classes."
            )
        return encoder.transform(y)

    def _bandwidth(self, X):
        if self.sigma != "mean_norm":
            return float(self.sigma)
        sigma = float(np.linalg.norm(X, axis=1).mean())
        if sigma == 0:
            raise ValueError(
                "sigma='mean_norm' is 0 because every training vector is zero; pass sigma=<float>."
            )
        return sigma

    def _problems(self):
        """Class of each binary problem: every class, or only class 1 with two classes."""
        return [1] if len(self.classes_) == 2 else list(range(len(self.classes_)))

    def _fit_torch(self, X, y_index):
        device = resolve_device(self.device)
        n_problems = len(self._problems())
        self.memory_plan_ = self._plan(X.shape, len(self.classes_))
        self.solver_path_ = self.memory_plan_["path"]
        start = time.perf_counter()
        layout = OneVsAllLayout(y_index, len(self.classes_), device)
        exponent = _exponent(X - self.center_)
        X_t = _centred_float32(X, layout.order, self.center_, device, self.batch_size, exponent)
        max_iter = self.max_iter if self.max_iter >= 0 else max(10_000_000, 100 * X.shape[0])
        check_every = 64 if device.type == "cuda" else 32
        width = scaled_gamma(self.gamma_, exponent)
        args = (X_t, layout, self.C, width, self.tol, max_iter, check_every)
        with full_precision_matmul():
            if self.solver_path_ == "full kernel":
                with _Progress(self.verbose, X.shape[0], n_problems) as progress:
                    result = solve_full(*args, on_rows=progress.rows, on_steps=progress.steps)
            else:
                largest = 1024 if device.type == "cuda" else 256
                result = solve_decomposed(*args, self.memory_plan_["budget_bytes"], largest)
        self.n_iter_, self.fit_status_ = result.n_iter, result.fit_status
        if self.verbose:
            print(
                f"[MeanNormGaussianSVC] {n_problems} problem(s) solved, max {result.n_iter.max()} SMO steps, "
                f"{time.perf_counter() - start:.1f} s"
            )
        if self.fit_status_:
            _warn_max_iter(self.max_iter)
        return result.coef, result.intercept

    def memory_plan(self, n_samples, n_features, n_classes):
        """What :meth:`fit` will allocate for data of this shape (torch solver), without allocating it.

        Parameters
        ----------
        n_samples, n_features : int
            Shape of the training matrix.
        n_classes : int
            Number of classes (two classes make one binary problem).

        Returns
        -------
        dict
            ``path`` ("full kernel" or "working-set decomposition"),
            ``device``, ``kernel_bytes``, ``features_bytes``,
            ``workspace_bytes``, ``total_bytes``, ``budget_bytes``, and
            ``free_bytes`` (free memory of the device now, None if unknown);
            :meth:`fit` stores the same (without ``free_bytes``) as ``memory_plan_``.

        Raises
        ------
        ValueError
            If ``cache_size`` cannot hold even the smallest working set.
        """
        self._validate_params()
        device = resolve_device(self.device)
        n_problems = 1 if n_classes == 2 else n_classes
        largest = 1024 if device.type == "cuda" else 256
        plan = plan_memory(n_samples, n_features, n_problems, self.cache_size * _MB, largest, _KERNEL_BLOCK)
        if plan is None:
            need = 4 * n_problems * 8 * n_samples
            raise ValueError(
                f"cache_size={self.cache_size} MB cannot hold the smallest working-set block of the "
                f"decomposition ({n_problems} problems x 8 rows x {n_samples} columns in float32 = "
                f"{need / _MB:.1f} MB; the full kernel needs {4 * n_samples**2 / _MB:.0f} MB). "
                f"Raise cache_size to at least {int(np.ceil(need / _MB))}."
            )
        plan.update(device=str(device), free_bytes=_free_bytes(device))
        return plan

    def _plan(self, shape, n_classes):
        """The memory plan; refuses when the budget or the device's free memory cannot hold it."""
        plan = self.memory_plan(shape[0], shape[1], n_classes)
        free = plan.pop("free_bytes")
        if self.verbose:
            print(_format_plan(plan, shape[0], 1 if n_classes == 2 else n_classes, free))
        if free is not None and plan["total_bytes"] > free:
            raise MemoryError(
                f"MeanNormGaussianSVC needs {plan['total_bytes'] / _GB:.2f} GB on {plan['device']} "
                f"({plan['path']}: kernel {plan['kernel_bytes'] / _GB:.2f} GB, float32 features "
                f"{plan['features_bytes'] / _GB:.2f} GB, workspace {plan['workspace_bytes'] / _GB:.2f} GB) "
                f"but only {free / _GB:.2f} GB are free. Free memory, or lower cache_size "
                f"(now {self.cache_size} MB) to solve by working-set decomposition within it."
            )
        return plan

    def _fit_libsvm(self, X, y_index):
        n = X.shape[0]
        self.solver_path_ = "libsvm precomputed kernel"
        self.memory_plan_ = {
            "path": self.solver_path_,
            "device": str(resolve_device(self.device)),
            "kernel_bytes": 8 * n * n,
            "features_bytes": 0,
            "workspace_bytes": 200 * _MB,  # LIBSVM's own kernel cache (SVC's cache_size)
            "budget_bytes": int(self.cache_size * _MB),
        }
        self.memory_plan_["total_bytes"] = (
            self.memory_plan_["kernel_bytes"] + self.memory_plan_["workspace_bytes"]
        )
        kernel = gaussian_kernel(
            X,
            X,
            self.gamma_,
            center=self.center_,
            device=self.device,
            batch_size=_KERNEL_BLOCK,  # not batch_size: the products' rounding would change the model
            dtype=self.kernel_dtype,
            verbose=self.verbose,
        )
        coef = np.zeros((len(self._problems()), n))
        intercept, n_iter = np.zeros(len(coef)), np.zeros(len(coef), dtype=np.int32)
        for k, c in enumerate(tqdm(self._problems(), desc="one-vs-all SVMs", disable=not self.verbose)):
            svc = SVC(C=self.C, kernel="precomputed", tol=self.tol).fit(kernel, (y_index == c).astype(int))
            # sklearn's binary SVC: decision = K[:, support_] @ dual_coef_[0] + intercept_, positive -> class 1
            coef[k, svc.support_] = svc.dual_coef_[0]
            intercept[k], n_iter[k] = svc.intercept_[0], svc.n_iter_[0]
        self.n_iter_, self.fit_status_ = n_iter, 0
        return coef, intercept

    def _store(self, X, coef, intercept):
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ValueError(
                "The dual coefficients or intercepts are not finite. The input data may contain "
                "very large values; preprocess them (e.g. with StandardScaler)."
            )
        self.support_ = np.flatnonzero((coef != 0).any(axis=0)).astype(np.int32)
        self.support_vectors_ = np.asarray(X[self.support_], dtype=np.float64)
        self.dual_coef_ = coef[:, self.support_]
        self.intercept_ = np.asarray(intercept, dtype=np.float64)

    def decision_function(self, X):
        """Decision values of the one-vs-all problems.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors to evaluate.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or (n_samples,) with two classes
            Larger means more likely that class (with two classes: positive
            favours ``classes_[1]``).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        model = self._model_tensors()
        values = np.empty((X.shape[0], len(self.intercept_)))
        for rows in batch_slices(X.shape[0], self.batch_size, verbose=self.verbose, desc="decision values"):
            Xb = _centred(X[rows], self.center_, model["device"], torch.float64)
            exponent = scale_exponent(Xb, model["sv_max"])
            K = kernel_block(Xb, model["sv"], "rbf", self.gamma_, None, model["sq"], exponent)
            values[rows] = (K @ model["coef"]).cpu().numpy()
        values += self.intercept_
        return values[:, 0] if len(self.classes_) == 2 else values

    def predict(self, X):
        """Class with the largest decision value.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors to classify.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted labels, among ``classes_``.
        """
        values = self.decision_function(X)
        index = (values > 0).astype(int) if values.ndim == 1 else values.argmax(axis=1)
        return self.classes_[index]

    def _model_tensors(self):
        """Private torch copy of the support vectors, rebuilt after unpickling or a new fit."""
        cache = getattr(self, "_torch_cache", None)
        if cache is not None:
            return cache
        device = _predict_device(self.device, owner="MeanNormGaussianSVC")
        sv = _centred(self.support_vectors_, self.center_, device, torch.float64)
        self._torch_cache = {
            "device": device,
            "sv": sv,
            "sq": squared_norms(sv),
            "sv_max": sv.abs().amax() if sv.numel() else sv.new_zeros(()),
            "coef": torch.as_tensor(self.dual_coef_.T, device=device),
        }
        return self._torch_cache

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_torch_cache", None)
        return state


def _centred(X, center, device, dtype, exponent=0):
    """``(X - center) / 2^exponent`` (in float64, exact) as a ``dtype`` tensor on ``device``."""
    part = torch.from_numpy(np.asarray(X, dtype=np.float64) - center)
    if exponent:
        part = times_power_of_two(part, -exponent)
    return part.to(device=device, dtype=dtype)


def _centred_float32(X, order, center, device, batch_size, exponent):
    """``(X[order] - center) / 2^exponent`` as float32 on ``device``, block by block (no float64 copy of X)."""
    out = torch.empty(X.shape, dtype=torch.float32, device=device)
    for rows in batch_slices(X.shape[0], batch_size):
        out[rows] = _centred(X[order[rows]], center, device, torch.float32, exponent)
    return out


def _free_bytes(device):
    """Free memory of ``device`` in bytes, or None when it cannot be measured."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().available


def _format_plan(plan, n, n_problems, free):
    free_text = "unknown" if free is None else f"{free / _GB:.2f} GB"
    return (
        f"[MeanNormGaussianSVC] memory plan: {n} rows, {n_problems} one-vs-all problem(s), {plan['path']} "
        f"on {plan['device']}: kernel {plan['kernel_bytes'] / _GB:.2f} GB + float32 features "
        f"{plan['features_bytes'] / _GB:.2f} GB + workspace {plan['workspace_bytes'] / _GB:.2f} GB = "
        f"{plan['total_bytes'] / _GB:.2f} GB (budget cache_size {plan['budget_bytes'] / _MB:.0f} MB, "
        f"free {free_text})"
    )


def _warn_max_iter(max_iter):
    warnings.warn(
        f"Solver terminated early (max_iter={max_iter}). Consider pre-processing your data with "
        "StandardScaler, or raise max_iter.",
        ConvergenceWarning,
    )


class _Progress:
    """tqdm bars for the kernel rows and the SMO steps (disabled unless verbose)."""

    def __init__(self, verbose, n_rows, n_problems):
        self.verbose, self.n_rows, self.n_problems = verbose, n_rows, n_problems

    def __enter__(self):
        self.kernel = tqdm(total=self.n_rows, desc="training kernel rows", disable=not self.verbose)
        self.smo = tqdm(desc="lockstep SMO steps", unit="step", disable=not self.verbose)
        return self

    def rows(self, count):
        self.kernel.update(count)

    def steps(self, count, n_left):
        self.smo.update(count)
        self.smo.set_postfix(unsolved=f"{n_left}/{self.n_problems}", refresh=False)

    def __exit__(self, *exc):
        self.kernel.close()
        self.smo.close()
