"""MeanNormGaussianSVC (the paper's one-vs-all Gaussian SVM): contract, parity with LIBSVM."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.svm import MeanNormGaussianSVC, gaussian_kernel


@parametrize_with_checks([MeanNormGaussianSVC()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600], X[600:900] / 16.0, y[600:900]


def test_matches_one_vs_rest_libsvm(digits):
    X, y, X_test, _ = digits
    clf = MeanNormGaussianSVC(C=50).fit(X, y)
    assert clf.sigma_ == pytest.approx(np.linalg.norm(X, axis=1).mean())
    assert clf.gamma_ == pytest.approx(1 / (2 * clf.sigma_**2))
    reference = OneVsRestClassifier(SVC(kernel="rbf", gamma=clf.gamma_, C=50)).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), reference.predict(X_test))
    # LIBSVM caches kernel rows in float32, hence the loose tolerance
    np.testing.assert_allclose(clf.decision_function(X_test), reference.decision_function(X_test), atol=5e-3)


def test_binary_problem_sign(digits):
    X, y, X_test, _ = digits
    labels = np.where(y > 4, "high", "low")
    clf = MeanNormGaussianSVC(C=1).fit(X, labels)
    reference = SVC(kernel="rbf", gamma=clf.gamma_, C=1).fit(X, labels)
    np.testing.assert_allclose(clf.decision_function(X_test), reference.decision_function(X_test), atol=5e-3)
    np.testing.assert_array_equal(clf.predict(X_test), reference.predict(X_test))


def test_batch_size_never_changes_results(digits):
    X, y, X_test, _ = digits
    small = MeanNormGaussianSVC(batch_size=97).fit(X, y)
    large = MeanNormGaussianSVC(batch_size=4096).fit(X, y)
    np.testing.assert_allclose(small.decision_function(X_test), large.decision_function(X_test), atol=1e-10)


def test_float32_kernel_and_fixed_sigma(digits):
    X, y, X_test, _ = digits
    exact = MeanNormGaussianSVC().fit(X, y)
    fast = MeanNormGaussianSVC(kernel_dtype="float32").fit(X, y)
    # the solver stops within tol=1e-3, so tiny kernel changes move the decision values by ~1e-3
    np.testing.assert_allclose(fast.decision_function(X_test), exact.decision_function(X_test), atol=5e-3)
    assert (fast.predict(X_test) == exact.predict(X_test)).mean() > 0.99
    fixed = MeanNormGaussianSVC(sigma=2.0).fit(X, y)
    assert fixed.sigma_ == 2.0 and fixed.gamma_ == 0.125


def test_gaussian_kernel_values():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    expected = np.exp(-0.3 * ((A[:, None] - B[None]) ** 2).sum(-1))
    np.testing.assert_allclose(gaussian_kernel(A, B, 0.3, batch_size=2), expected, rtol=1e-12)


def test_pickle_roundtrip(digits):
    X, y, X_test, _ = digits
    clf = MeanNormGaussianSVC().fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict(X_test), clf.predict(X_test))


def test_torch_solver_agrees(digits):
    X, y, X_test, _ = digits
    X, y = X[y < 4], y[y < 4]  # four one-vs-all problems keep the CPU test short
    libsvm = MeanNormGaussianSVC(solver="libsvm").fit(X, y)
    torch_svc = MeanNormGaussianSVC(solver="torch").fit(X, y)
    assert torch_svc.solver_ == "torch" and libsvm.solver_ == "libsvm"
    assert (torch_svc.predict(X_test) == libsvm.predict(X_test)).mean() > 0.99
    np.testing.assert_allclose(
        torch_svc.decision_function(X_test), libsvm.decision_function(X_test), atol=2e-2
    )


def test_errors_name_the_parameter(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="'C' parameter"):
        MeanNormGaussianSVC(C=-1).fit(X, y)
    with pytest.raises(ValueError, match="'solver' parameter"):
        MeanNormGaussianSVC(solver="smo").fit(X, y)
    with pytest.raises(ValueError, match="sigma=<float>"):
        MeanNormGaussianSVC().fit(np.zeros((4, 2)), [0, 1, 0, 1])
