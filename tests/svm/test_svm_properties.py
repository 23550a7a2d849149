"""Property-based tests of TorchSVC: shapes, dtypes, scales 1e-30 .. 1e30, parameter values.

Each example ends in a correct model (SVC's predictions where SVC fits the
same problem) or a ValueError / TypeError naming the parameter; fits have a
bounded step budget, so a hang shows as a failure, and outputs are finite.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import SVC

from skscat.svm import TorchSVC

STEP_BUDGET = 50_000
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
scales = st.sampled_from([1e-30, 1e-20, 1e-8, 1.0, 1e8, 1e20, 1e30])


@st.composite
def problems(draw):
    n_classes = draw(st.integers(2, 4))
    per_class = draw(st.integers(3, 15))
    n_features = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(n_classes, n_features))
    X = np.concatenate([c + rng.normal(size=(per_class, n_features)) for c in centres])
    y = np.repeat(np.arange(n_classes), per_class)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return X.astype(dtype), y


def _fit_both(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # never a silent early stop
        model = TorchSVC(solver="torch", device="cpu", max_iter=STEP_BUDGET, **params).fit(X, y)
    return model, SVC(**params).fit(X, y)


def _check_outputs(model, X):
    decision = model.decision_function(X)
    assert np.isfinite(decision).all() and np.isfinite(model.dual_coef_).all()
    assert np.isfinite(model.intercept_).all()
    assert model.predict(X).shape == (X.shape[0],)


@SETTINGS
@given(problems(), scales, st.sampled_from([0.1, 1.0, 10.0]), st.sampled_from(["scale", "auto"]))
def test_rbf_matches_svc_at_any_scale(problem, scale, C, gamma):
    X, y = problem
    X = (X.astype(np.float64) * scale).astype(X.dtype)
    if not np.isfinite(X).all() or not np.abs(X).max() > 0:
        return  # float32 cannot hold the sample itself: nothing to fit
    model, reference = _fit_both(X, y, C=C, gamma=gamma if gamma == "scale" else 1.0 / scale**2)
    _check_outputs(model, X)
    agree = (model.predict(X) == reference.predict(X)).mean()
    assert agree >= 0.95  # ties inside tol may flip a vote near the boundary; tiny samples make 1 row 5 %


@SETTINGS
@given(problems(), st.integers(-100, 100), st.sampled_from([0.01, 0.1]))
def test_linear_matches_svc_on_the_rescaled_problem(problem, exponent, C):
    # The linear dual of X * s with C is that of X with C * s^2; with s a power of two, exactly.
    X, y = problem
    X, scale = X.astype(np.float64), 2.0**exponent
    model = TorchSVC(solver="torch", kernel="linear", C=C / scale**2, device="cpu", max_iter=STEP_BUDGET).fit(X * scale, y)
    reference = SVC(kernel="linear", C=C).fit(X, y)
    _check_outputs(model, X * scale)
    assert (model.predict(X * scale) != reference.predict(X)).sum() <= 1  # a near-tie inside tol at most


bad_values = {
    "C": [0, -1.0, np.inf, np.nan, "1"],
    "gamma": [0.0, -0.5, np.inf, "wide"],
    "kernel": ["poly", "sigmoid", "precomputed", 3],
    "tol": [0.0, -1e-3],
    "max_iter": [-2, 1.5],
    "cache_size": [0, -5],
    "batch_size": [0, 2.5],
    "decision_function_shape": ["ovx"],
    "class_weight": ["even", 3],
}


@SETTINGS
@given(problems(), st.sampled_from(sorted(bad_values)), st.data())
def test_bad_parameters_are_refused_by_name(problem, name, data):
    X, y = problem
    value = data.draw(st.sampled_from(bad_values[name]))
    with pytest.raises((ValueError, TypeError), match=name):
        TorchSVC(solver="torch", device="cpu", **{name: value}).fit(X, y)


@SETTINGS
@given(
    st.sampled_from(
        [
            ("0 sample", np.zeros((0, 3)), np.zeros(0)),
            ("X", np.full((4, 2), np.nan), np.array([0, 1, 0, 1])),
            ("X", np.full((4, 2), np.inf), np.array([0, 1, 0, 1])),
            ("class", np.ones((4, 2)), np.zeros(4)),
            ("sample", np.eye(4), np.array([0, 1, 2])),
        ]
    )
)
def test_bad_data_is_refused_clearly(case):
    word, X, y = case
    with pytest.raises(ValueError, match=word):
        TorchSVC(solver="torch", device="cpu").fit(X, y)


@SETTINGS
@given(problems(), st.sampled_from([1e-30, 1.0, 1e30]), st.integers(1, 64))
def test_predictions_do_not_depend_on_batch_size_or_dtype(problem, scale, batch_size):
    X, y = problem
    X = X.astype(np.float64) * scale
    model = TorchSVC(solver="torch", device="cpu", max_iter=STEP_BUDGET).fit(X, y)
    expected = model.predict(X)
    np.testing.assert_array_equal(model.set_params(batch_size=batch_size).predict(X), expected)
    if np.isfinite(X.astype(np.float32)).all():
        assert model.predict(X.astype(np.float32)).shape == expected.shape
