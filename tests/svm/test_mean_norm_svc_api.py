"""MeanNormGaussianSVC as a scikit-learn estimator: compliance, composition, persistence, bad input."""

import doctest
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import skscat.svm._ova
from skscat.svm import MeanNormGaussianSVC, gaussian_kernel


@parametrize_with_checks(
    [MeanNormGaussianSVC(device="cpu"), MeanNormGaussianSVC(solver="libsvm", device="cpu")]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600], X[600:900] / 16.0, y[600:900]


def test_docstring_examples():
    result = doctest.testmod(skscat.svm._ova, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_bandwidth_and_fitted_attributes(digits):
    X, y, _, _ = digits
    clf = MeanNormGaussianSVC(device="cpu").fit(X, y)
    assert clf.sigma_ == pytest.approx(np.linalg.norm(X, axis=1).mean())
    assert clf.gamma_ == pytest.approx(1 / (2 * clf.sigma_**2))
    assert clf.solver_ == "torch" and clf.solver_path_ == "full kernel" and clf.fit_status_ == 0
    assert clf.dual_coef_.shape == (10, len(clf.support_)) and clf.intercept_.shape == (10,)
    np.testing.assert_array_equal(clf.support_vectors_, X[clf.support_])
    # each problem's coefficients sum to zero (y^T alpha = 0) and are positive exactly on its class
    np.testing.assert_allclose(clf.dual_coef_.sum(axis=1), 0, atol=1e-9)
    own = y[clf.support_][None, :] == np.arange(10)[:, None]
    assert (clf.dual_coef_[own] >= 0).all() and (clf.dual_coef_[~own] <= 0).all()
    fixed = MeanNormGaussianSVC(sigma=2.0, device="cpu").fit(X, y)
    assert fixed.sigma_ == 2.0 and fixed.gamma_ == 0.125


def test_batch_size_never_changes_results(digits):
    X, y, X_test, _ = digits
    small = MeanNormGaussianSVC(batch_size=97, device="cpu").fit(X, y)
    large = MeanNormGaussianSVC(batch_size=4096, device="cpu").fit(X, y)
    np.testing.assert_array_equal(small.dual_coef_, large.dual_coef_)
    np.testing.assert_allclose(small.decision_function(X_test), large.decision_function(X_test), atol=1e-12)


def test_libsvm_reference_solver_and_float32_kernel(digits):
    X, y, X_test, _ = digits
    exact = MeanNormGaussianSVC(solver="libsvm").fit(X, y)
    fast = MeanNormGaussianSVC(solver="libsvm", kernel_dtype="float32").fit(X, y)
    assert (
        exact.solver_path_ == "libsvm precomputed kernel" and exact.memory_plan_["kernel_bytes"] == 8 * 600**2
    )
    # the solver stops within tol=1e-3, so tiny kernel changes move the decision values by ~1e-3
    np.testing.assert_allclose(fast.decision_function(X_test), exact.decision_function(X_test), atol=5e-3)
    assert (fast.predict(X_test) == exact.predict(X_test)).mean() > 0.99


def test_gaussian_kernel_values():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    expected = np.exp(-0.3 * ((A[:, None] - B[None]) ** 2).sum(-1))
    np.testing.assert_allclose(gaussian_kernel(A, B, 0.3, batch_size=2), expected, rtol=1e-12)


def test_pipeline_clone_and_grid_search(digits):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(StandardScaler(), MeanNormGaussianSVC(device="cpu"))
    search = GridSearchCV(pipe, {"meannormgaussiansvc__C": [1.0, 50.0]}, cv=2)
    search.fit(X[:300], y[:300])
    best = clone(pipe).set_params(**search.best_params_).fit(X[:300], y[:300])
    np.testing.assert_array_equal(search.predict(X_test), best.predict(X_test))
    assert search.score(X_test, y_test) > 0.8
    copy = clone(pipe)
    assert copy.get_params()["meannormgaussiansvc__C"] == 50.0 and not hasattr(copy[-1], "classes_")


def test_pickle_keeps_numpy_state_only(digits):
    X, y, X_test, _ = digits
    clf = MeanNormGaussianSVC(device="cpu").fit(X, y)
    state = clf.__getstate__()
    assert "_torch_cache" not in state
    for name in (
        "support_",
        "support_vectors_",
        "dual_coef_",
        "intercept_",
        "classes_",
        "center_",
        "n_iter_",
    ):
        assert isinstance(state[name], np.ndarray)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.decision_function(X_test), clf.decision_function(X_test))


def test_model_saved_with_device_cuda_loads_on_a_cpu_only_machine(digits, monkeypatch):
    # A CUDA fit stores the same NumPy arrays as a CPU fit, and device="cuda": this runs the
    # part of the round trip that happens on the CPU-only machine.
    X, y, X_test, _ = digits
    clf = MeanNormGaussianSVC(device="cpu").fit(X, y)
    expected = clf.decision_function(X_test)
    clf.device = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(pickle.dumps(clf))
    with pytest.warns(UserWarning, match="predicts on the CPU"):
        np.testing.assert_array_equal(restored.decision_function(X_test), expected)


@pytest.mark.gpu
def test_fitted_on_cuda_predicts_like_cpu(digits):
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    X, y, X_test, _ = digits
    on_cuda = MeanNormGaussianSVC(device="cuda").fit(X, y)
    on_cpu = MeanNormGaussianSVC(device="cpu").fit(X, y)
    assert on_cuda.memory_plan_["device"].startswith("cuda")
    np.testing.assert_array_equal(on_cuda.predict(X_test), on_cpu.predict(X_test))
    assert np.abs(on_cuda.decision_function(X_test) - on_cpu.decision_function(X_test)).max() < 1e-2


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": 0}, "'C' parameter"),
        ({"C": -1.0}, "'C' parameter"),
        ({"solver": "smo"}, "'solver' parameter"),
        ({"cache_size": 0}, "'cache_size' parameter"),
        ({"sigma": -2.0}, "'sigma' parameter"),
        ({"max_iter": -2}, "'max_iter' parameter"),
    ],
)
def test_invalid_parameters_are_named(digits, params, match):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=match):
        MeanNormGaussianSVC(**params).fit(X, y)


def test_bad_input_gives_clear_errors(digits):
    X, y, X_test, _ = digits
    clf = MeanNormGaussianSVC(device="cpu")
    with pytest.raises(ValueError, match=r"y has 1 class \(\[3\]\).*at least 2 classes"):
        clf.fit(X, np.full(len(X), 3))
    for bad in (np.nan, np.inf):
        X_bad = X.copy()
        X_bad[5, 2] = bad
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            clf.fit(X_bad, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        clf.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, y + 0.5)
    with pytest.raises(ValueError, match="sigma=<float>"):
        clf.fit(np.zeros((4, 2)), [0, 1, 0, 1])
    clf.fit(X, y)
    with pytest.raises(ValueError, match="has 63 features, but MeanNormGaussianSVC is expecting 64"):
        clf.predict(X_test[:, 1:])
    X_test_bad = X_test.copy()
    X_test_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.decision_function(X_test_bad)


def test_max_iter_stops_with_a_warning(digits):
    X, y, _, _ = digits
    with pytest.warns(Warning, match="max_iter=5"):
        clf = MeanNormGaussianSVC(max_iter=5, device="cpu").fit(X, y)
    assert clf.fit_status_ == 1 and clf.n_iter_.max() == 5


def test_verbose_prints_the_memory_plan(digits, capsys):
    X, y, _, _ = digits
    MeanNormGaussianSVC(device="cpu").fit(X, y)
    assert capsys.readouterr().out == ""
    MeanNormGaussianSVC(device="cpu", verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "memory plan: 600 rows, 10 one-vs-all problem(s), full kernel on cpu" in out
    assert "10 problem(s) solved" in out
