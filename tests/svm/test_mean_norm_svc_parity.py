"""MeanNormGaussianSVC against LIBSVM one-vs-all on the same precomputed kernel; the memory plan."""

import numpy as np
import pytest
import torch
from _parity import RELATIVE_GAP, assert_same_as_libsvm
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skscat.svm._ova as ova_module
import skscat.svm._ova_solver as solver_module
from skscat.svm import MeanNormGaussianSVC
from skscat.svm._kernels import symmetric_kernel


def standardised(X, n_train):
    return StandardScaler().fit(X[:n_train]).transform(X)


def test_digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    assert_same_as_libsvm(X[:1000], y[:1000], X[1000:])


@pytest.mark.parametrize(("seed", "all_equal"), [(0, True), (1, False)])
def test_ten_classes(seed, all_equal):
    # seed 1 has one test point whose two best LIBSVM values differ by 1.4e-4 (< the 6e-4 gap): it may flip
    X, y = make_classification(
        n_samples=900,
        n_features=40,
        n_informative=20,
        n_classes=10,
        n_clusters_per_class=1,
        random_state=seed,
    )
    X = standardised(X, 600)
    assert_same_as_libsvm(X[:600], y[:600], X[600:], all_equal=all_equal)


def test_imbalanced_classes():
    X, y = make_classification(
        n_samples=800,
        n_features=20,
        n_informative=8,
        n_classes=4,
        weights=[0.8, 0.1, 0.07, 0.03],
        flip_y=0.03,
        random_state=2,
    )
    X = standardised(X, 500)
    assert np.bincount(y[:500]).min() < 25
    assert_same_as_libsvm(X[:500], y[:500], X[500:])


def test_two_classes_is_one_problem_with_svc_sign():
    X, y = make_classification(n_samples=500, n_features=10, flip_y=0.1, random_state=3)
    labels = np.where(y == 1, "yes", "no")
    ours = MeanNormGaussianSVC(C=1.0, device="cpu").fit(X[:300], labels[:300])
    reference = SVC(kernel="rbf", gamma=ours.gamma_, C=1.0).fit(X[:300], labels[:300])
    assert ours.dual_coef_.shape[0] == 1
    np.testing.assert_array_equal(ours.predict(X[300:]), reference.predict(X[300:]))
    values = reference.decision_function(X[300:])
    assert np.abs(ours.decision_function(X[300:]) - values).max() < RELATIVE_GAP * np.abs(values).max()


def test_kernel_is_computed_once_for_all_problems(monkeypatch):
    X, y = load_digits(return_X_y=True)
    X, y = X[:700] / 16.0, y[:700]
    calls = []
    full_kernel = solver_module.symmetric_kernel

    def counting(X_t, *args, **kwargs):
        calls.append(X_t.shape)
        return full_kernel(X_t, *args, **kwargs)

    monkeypatch.setattr(solver_module, "symmetric_kernel", counting)
    monkeypatch.setattr(solver_module, "kernel_block", None)  # no kernel rows computed on the fly
    clf = MeanNormGaussianSVC(device="cpu").fit(X, y)
    assert calls == [(700, 64)]
    plan = clf.memory_plan_
    assert plan["path"] == clf.solver_path_ == "full kernel"
    assert plan["kernel_bytes"] == 4 * 700**2  # one float32 kernel for the 10 problems, not 10
    assert plan["features_bytes"] == 4 * 700 * 64
    assert plan["total_bytes"] < 4 * plan["kernel_bytes"]  # kernel + one row block + state, not 10 kernels


def test_planned_bytes_at_the_paper_size():
    plan = MeanNormGaussianSVC(device="cpu").memory_plan(50_000, 4_000, 10)  # allocates nothing
    assert plan["path"] == "full kernel" and plan["kernel_bytes"] == 10**10 and plan["device"] == "cpu"
    assert plan["total_bytes"] < 12 * 10**9  # fits a 24 GB machine beside float64 features (1.6 GB)
    small = MeanNormGaussianSVC(device="cpu", cache_size=4096).memory_plan(50_000, 4_000, 10)
    assert small["path"] == "working-set decomposition" and small["kernel_bytes"] <= 4096 * 2**20


def test_kernel_over_budget_is_decomposed():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    # the full kernel of 800 rows needs 2.4 MB; 1 MB leaves working sets of ~32 rows per problem
    ours = assert_same_as_libsvm(X[:800], y[:800], X[800:1300], cache_size=1.0)
    plan = ours.memory_plan_
    assert ours.solver_path_ == plan["path"] == "working-set decomposition"
    assert plan["kernel_bytes"] <= plan["budget_bytes"] < 4 * 800**2
    assert 8 <= plan["working_set"] < 800


def test_budget_below_the_smallest_working_set_refuses():
    X, y = load_digits(return_X_y=True)
    with pytest.raises(
        ValueError, match=r"cache_size=0.1 MB cannot hold .* Raise cache_size to at least 1\b"
    ):
        MeanNormGaussianSVC(cache_size=0.1, device="cpu").fit(X / 16.0, y)


def test_plan_over_free_memory_refuses_before_allocating(monkeypatch):
    X, y = load_digits(return_X_y=True)
    monkeypatch.setattr(ova_module, "_free_bytes", lambda device: 10**6)
    monkeypatch.setattr(solver_module, "symmetric_kernel", None)  # nothing may be computed
    message = (
        r"needs 0\.\d\d GB on cpu \(full kernel: kernel 0\.01 GB.*only 0\.00 GB are free.*lower cache_size"
    )
    with pytest.raises(MemoryError, match=message):
        MeanNormGaussianSVC(device="cpu").fit(X / 16.0, y)


def full_gap(coef, y_index, positive, K, C):
    """LIBSVM's m(a) - M(a) of every problem, from its coefficients and the exact gradient (float64)."""
    gaps = []
    for k, c in enumerate(positive):
        y = np.where(y_index == c, -1.0, 1.0)
        alpha = np.abs(coef[k])
        G = y * (K @ (y * alpha)) - 1.0
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        gaps.append((-y * G)[up].max() + (y * G)[low].max())
    return np.array(gaps)


def test_shrinking_meets_the_stopping_rule_on_every_variable(monkeypatch):
    X, y = load_digits(return_X_y=True)
    X, y = X[:1000] / 16.0, y[:1000]
    monkeypatch.setattr(solver_module, "SHRINK_EVERY", 64)  # many shrinking rounds on a small problem
    sizes = []
    compact = solver_module._compact

    def recording(active):
        idx, valid = compact(active)
        sizes.append(idx.shape[1])
        return idx, valid

    monkeypatch.setattr(solver_module, "_compact", recording)
    layout = solver_module.OneVsAllLayout(y, 10, torch.device("cpu"))
    centred = X[layout.order] - X.mean(axis=0)
    X_t = torch.as_tensor(centred, dtype=torch.float32)
    gamma = 1.0 / (2.0 * np.linalg.norm(X, axis=1).mean() ** 2)
    shrunk = solver_module.solve_full(X_t, layout, 50.0, gamma, 1e-3, 10**7, 32, shrinking=True)
    plain = solver_module.solve_full(X_t, layout, 50.0, gamma, 1e-3, 10**7, 32, shrinking=False)
    assert min(sizes) < 1000 // 3  # the problems did step over a fraction of their variables
    training_order = np.argsort(layout.order)
    K = symmetric_kernel(X_t, "rbf", gamma).double().numpy()[np.ix_(training_order, training_order)]
    for result in (shrunk, plain):
        assert (full_gap(result.coef, y, layout.positive, K, 50.0) < 1e-3 + 1e-9).all()
    np.testing.assert_array_equal(shrunk.coef != 0, plain.coef != 0)  # same support vectors
    np.testing.assert_allclose(shrunk.intercept, plain.intercept, atol=1e-3)


def test_wrongly_shrunk_variables_are_reactivated(monkeypatch):
    # A shrinking rule that also drops every second active variable (violators included) the first
    # few times: the check on every variable after convergence must bring them back.
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    monkeypatch.setattr(solver_module, "SHRINK_EVERY", 64)
    shrink, calls = solver_module._shrink, []

    def over_shrinking(state, active, problems):
        shrink(state, active, problems)
        calls.append(1)
        if len(calls) <= 3:
            active[problems, ::2] = False

    monkeypatch.setattr(solver_module, "_shrink", over_shrinking)
    rebuilt = []
    rebuild = solver_module._rebuild_gradient
    monkeypatch.setattr(
        solver_module, "_rebuild_gradient", lambda s, K, p: rebuilt.append(len(p)) or rebuild(s, K, p)
    )
    layout = solver_module.OneVsAllLayout(y, 10, torch.device("cpu"))
    X_t = torch.as_tensor(X[layout.order] - X.mean(axis=0), dtype=torch.float32)
    gamma = 1.0 / (2.0 * np.linalg.norm(X, axis=1).mean() ** 2)
    result = solver_module.solve_full(X_t, layout, 50.0, gamma, 1e-3, 10**7, 32, shrinking=True)
    training_order = np.argsort(layout.order)
    K = symmetric_kernel(X_t, "rbf", gamma).double().numpy()[np.ix_(training_order, training_order)]
    assert rebuilt and (full_gap(result.coef, y, layout.positive, K, 50.0) < 1e-3 + 1e-9).all()
