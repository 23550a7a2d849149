"""TorchSVC fits sklearn.svm.SVC's model: same predictions, decision values and dual objective."""

import numpy as np
import pytest
from _parity import assert_same_model
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skscat.svm import TorchSVC


def split(X, y, n_train):
    return X[:n_train], y[:n_train], X[n_train:]


@pytest.mark.parametrize("n_classes", [2, 4])
def test_make_classification(n_classes):
    X, y = make_classification(
        n_samples=700, n_features=60, n_informative=20, n_classes=n_classes, random_state=0
    )
    X_train, y_train, X_test = split(X, y, 500)
    svc = SVC(C=10).fit(X_train, y_train)
    ours = TorchSVC(solver="torch", C=10, device="cpu").fit(X_train, y_train)
    assert_same_model(svc, ours, X_train, X_test)
    # Same optimisation path as LIBSVM without shrinking: the same number of SMO steps per pair.
    steps_ref = SVC(C=10, shrinking=False).fit(X_train, y_train).n_iter_
    assert np.abs(ours.n_iter_ - steps_ref).max() <= 0.02 * steps_ref.max()


def test_binary_attributes_follow_svc_sign_convention():
    X, y = make_classification(n_samples=300, n_features=20, random_state=1)
    svc = SVC(C=1).fit(X, y)
    ours = TorchSVC(solver="torch", C=1, device="cpu").fit(X, y)
    np.testing.assert_array_equal(ours.support_, svc.support_)
    np.testing.assert_array_equal(ours.n_support_, svc.n_support_)
    np.testing.assert_allclose(ours.dual_coef_, svc.dual_coef_, atol=2e-3 * 1)
    np.testing.assert_allclose(ours.intercept_, svc.intercept_, atol=1e-3)
    np.testing.assert_allclose(ours.support_vectors_, svc.support_vectors_)
    assert ours.dual_coef_.shape == (1, ours.support_.size)
    assert isinstance(ours.support_, np.ndarray) and ours.support_.dtype == np.int32


def test_imbalanced_balanced_class_weight():
    X, y = make_classification(
        n_samples=800, n_features=30, n_informative=10, n_classes=3, weights=[0.8, 0.15, 0.05], random_state=2
    )
    X_train, y_train, X_test = split(X, y, 600)
    svc = SVC(C=5, class_weight="balanced").fit(X_train, y_train)
    ours = TorchSVC(solver="torch", C=5, class_weight="balanced", device="cpu").fit(X_train, y_train)
    np.testing.assert_allclose(ours.class_weight_, svc.class_weight_)
    assert_same_model(svc, ours, X_train, X_test)


def test_digits():
    X, y = load_digits(return_X_y=True)
    X_train, y_train, X_test = split(X / 16.0, y, 1200)
    svc = SVC(C=10, gamma="scale").fit(X_train, y_train)
    ours = TorchSVC(solver="torch", C=10, gamma="scale", device="cpu").fit(X_train, y_train)
    assert_same_model(svc, ours, X_train, X_test)


@pytest.mark.parametrize("gamma", ["auto", 0.02])
def test_gamma_options_and_dict_class_weight(gamma):
    X, y = make_classification(n_samples=400, n_features=25, n_classes=3, n_informative=8, random_state=3)
    X = StandardScaler().fit_transform(X)
    X_train, y_train, X_test = split(X, y, 300)
    weights = {0: 1.0, 1: 2.0, 2: 0.5}
    svc = SVC(C=3, gamma=gamma, class_weight=weights).fit(X_train, y_train)
    ours = TorchSVC(solver="torch", C=3, gamma=gamma, class_weight=weights, device="cpu").fit(X_train, y_train)
    assert_same_model(svc, ours, X_train, X_test)


def test_linear_kernel_and_coef():
    X, y = make_classification(n_samples=300, n_features=10, n_classes=3, n_informative=5, random_state=4)
    X = StandardScaler().fit_transform(X)
    X_train, y_train, X_test = split(X, y, 220)
    svc = SVC(kernel="linear", C=0.5).fit(X_train, y_train)
    ours = TorchSVC(solver="torch", kernel="linear", C=0.5, device="cpu").fit(X_train, y_train)
    assert_same_model(svc, ours, X_train, X_test)
    np.testing.assert_allclose(ours.coef_, svc.coef_, atol=5e-3)
    with pytest.raises(AttributeError, match="linear kernel"):
        _ = TorchSVC(solver="torch", device="cpu").fit(X_train, y_train).coef_


def test_sample_weight_matches_svc():
    X, y = make_classification(n_samples=300, n_features=15, n_classes=3, n_informative=6, random_state=5)
    weights = np.random.default_rng(0).uniform(0.0, 2.0, size=300)
    weights[:20] = 0.0  # LIBSVM drops these rows
    svc = SVC(C=2).fit(X, y, sample_weight=weights)
    ours = TorchSVC(solver="torch", C=2, device="cpu").fit(X, y, sample_weight=weights)
    # SVC's support_ counts rows after dropping the zero-weight ones; ours indexes X itself.
    np.testing.assert_array_equal(ours.support_, np.flatnonzero(weights > 0)[svc.support_])
    np.testing.assert_allclose(ours.support_vectors_, svc.support_vectors_)
    np.testing.assert_allclose(ours.decision_function(X), svc.decision_function(X), atol=1e-3 * 3)


@pytest.mark.parametrize("shape", ["ovr", "ovo"])
def test_break_ties(shape):
    X, y = make_classification(n_samples=300, n_features=10, n_classes=4, n_informative=6, random_state=6)
    svc = SVC(C=1, break_ties=True, decision_function_shape=shape)
    ours = TorchSVC(solver="torch", C=1, break_ties=True, decision_function_shape=shape, device="cpu")
    if shape == "ovo":
        ours.fit(X, y)
        with pytest.raises(ValueError, match="break_ties must be False"):
            ours.predict(X)
        return
    np.testing.assert_array_equal(ours.fit(X, y).predict(X), svc.fit(X, y).predict(X))
