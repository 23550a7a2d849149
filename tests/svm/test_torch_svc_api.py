"""TorchSVC as a scikit-learn estimator: compliance checks, composition, persistence, errors."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.svm import TorchSVC

_SAME_AS_SVC = (
    "scikit-learn lists the same expected failure for sklearn.svm.SVC: the weighted and the repeated "
    "problems are solved only to the stopping tolerance tol, far looser than the check's tolerance"
)
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": _SAME_AS_SVC,
    "check_sample_weight_equivalence_on_sparse_data": _SAME_AS_SVC,
}


@parametrize_with_checks(
    [
        TorchSVC(solver="torch", device="cpu"),
        TorchSVC(solver="torch", kernel="linear", device="cpu"),
        TorchSVC(solver="libsvm", device="cpu"),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def problem():
    X, y = make_classification(n_samples=240, n_features=12, n_informative=6, n_classes=3, random_state=0)
    return X, y


@pytest.mark.parametrize(
    ("n_classes", "n_samples", "cache_size", "path"),
    [
        (3, 240, 0.2, "pair kernels in 2 group"),  # full kernel 0.22 MB, each pair kernel 0.1 MB
        (2, 200, 0.14, "working-set decomposition"),  # the one pair kernel (0.15 MB) does not fit
        (3, 120, 0.02, "working-set decomposition"),  # no pair kernel fits: one pair at a time
        # 15 pair kernels need 8 batches: working sets of 70 of each pair's 200 rows, 7 pairs in lockstep
        (6, 600, 0.38, "working-set decomposition"),
    ],
)
def test_decomposition_paths_give_the_full_kernel_model(n_classes, n_samples, cache_size, path):
    X, y = make_classification(
        n_samples=n_samples, n_features=12, n_informative=6, n_classes=n_classes, random_state=0
    )
    full = TorchSVC(solver="torch", C=10, device="cpu", decision_function_shape="ovo").fit(X, y)
    small = TorchSVC(solver="torch", C=10, device="cpu", cache_size=cache_size, decision_function_shape="ovo").fit(X, y)
    assert full.solver_path_ == "full kernel" and small.solver_path_.startswith(path)
    np.testing.assert_array_equal(small.predict(X), full.predict(X))
    dec_full, dec_small = full.decision_function(X), small.decision_function(X)
    assert np.abs(dec_full - dec_small).max() <= 1e-3 * np.abs(dec_full).max()
    np.testing.assert_allclose(small._dual_objective, full._dual_objective, rtol=1e-3)
    assert small.fit_status_ == 0


@pytest.mark.parametrize(
    "params",
    [
        # At C=1 this linear dual is ill-conditioned: solvers meeting the stopping rule at tol=1e-3 differ
        # by up to 2e-3 of the decision scale (docs/svm.md); at C=0.1 by 3e-4.
        {"kernel": "linear", "C": 0.1},
        {"class_weight": "balanced"},
        {"C": 0.5, "gamma": 0.2},
    ],
    ids=str,
)
def test_working_set_path_with_other_settings(params):
    # Imbalanced 4-class problem; 0.1 MB fits neither the full kernel nor the pair kernels in 4 batches.
    X, y = make_classification(n_samples=400, n_features=12, n_informative=6, n_classes=4,
                               weights=[0.5, 0.3, 0.15, 0.05], random_state=1)
    full = TorchSVC(solver="torch", device="cpu", decision_function_shape="ovo", **params).fit(X, y)
    small = TorchSVC(solver="torch", device="cpu", decision_function_shape="ovo", cache_size=0.1, **params).fit(X, y)
    np.testing.assert_array_equal(small.predict(X), full.predict(X))
    dec_full = full.decision_function(X)
    assert np.abs(small.decision_function(X) - dec_full).max() <= 1e-3 * np.abs(dec_full).max()
    np.testing.assert_allclose(small._dual_objective, full._dual_objective, rtol=1e-3)


def test_results_do_not_depend_on_batch_size(problem):
    X, y = problem
    model = TorchSVC(solver="torch", device="cpu", batch_size=7).fit(X, y)
    dec_small = model.decision_function(X)
    dec_large = model.set_params(batch_size=10_000).decision_function(X)
    np.testing.assert_allclose(dec_small, dec_large, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), model.set_params(batch_size=3).predict(X))


def test_pipeline_and_grid_search(problem):
    X, y = problem
    pipe = make_pipeline(StandardScaler(), TorchSVC(solver="torch", device="cpu"))
    grid = GridSearchCV(pipe, {"torchsvc__C": [0.5, 5.0], "torchsvc__gamma": ["scale", 0.05]}, cv=2, n_jobs=2)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"torchsvc__C", "torchsvc__gamma"}
    assert grid.best_score_ > 0.6
    assert grid.predict(X).shape == y.shape


def test_clone_and_pickle_round_trip(problem):
    X, y = problem
    model = TorchSVC(solver="torch", C=3, device="cpu").fit(X, y)
    fresh = clone(model)
    assert fresh.get_params() == model.get_params() and not hasattr(fresh, "support_")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.decision_function(X), model.decision_function(X))


def test_pickled_state_holds_no_torch_objects(problem):
    X, y = problem
    model = TorchSVC(solver="torch", device="cpu").fit(X, y)
    model.predict(X)  # builds the private torch cache
    state = model.__getstate__()
    assert not any(isinstance(value, (torch.Tensor, torch.device, dict)) for value in state.values())
    for name in ("support_", "support_vectors_", "dual_coef_", "intercept_", "n_support_", "classes_"):
        assert isinstance(state[name], np.ndarray)


@pytest.mark.gpu
def test_fitted_on_cuda_predicts_on_cpu(problem, monkeypatch):
    X, y = problem
    model = TorchSVC(solver="torch", C=10, device="cuda").fit(X, y)
    on_cpu = TorchSVC(solver="torch", C=10, device="cpu").fit(X, y)
    blob = pickle.dumps(model)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(blob)
    with pytest.warns(UserWarning, match="predicts on the CPU"):
        dec = restored.decision_function(X)
    assert restored._torch_cache["device"].type == "cpu"
    np.testing.assert_array_equal(restored.predict(X), on_cpu.predict(X))
    assert np.abs(dec - on_cpu.decision_function(X)).max() < 1e-3


def test_model_saved_with_device_cuda_loads_on_a_cpu_only_machine(problem, monkeypatch):
    # A CUDA fit stores the same NumPy arrays as a CPU fit (previous test) and device="cuda";
    # this runs without a GPU the part of the round trip that happens on the CPU-only machine.
    X, y = problem
    model = TorchSVC(solver="torch", C=10, device="cpu").fit(X, y)
    expected = model.decision_function(X)
    model.device = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(pickle.dumps(model))
    with pytest.warns(UserWarning, match="predicts on the CPU"):
        np.testing.assert_array_equal(restored.decision_function(X), expected)


def test_sparse_input_is_densified(problem):
    X, y = problem
    dense = TorchSVC(solver="torch", device="cpu").fit(X, y)
    sparse = TorchSVC(solver="torch", device="cpu").fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.decision_function(sp.csr_matrix(X)), dense.decision_function(X), atol=1e-6)
    assert isinstance(sparse.support_vectors_, np.ndarray)


@pytest.mark.parametrize("cache_size", [200, 0.01], ids=["full kernel", "working set"])
def test_max_iter_stops_early_with_a_warning(problem, cache_size):
    X, y = problem
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        model = TorchSVC(solver="torch", max_iter=3, device="cpu", cache_size=cache_size).fit(X, y)
    assert model.fit_status_ == 1
    assert model.n_iter_.max() == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0.0}, "'C' parameter"),
        ({"C": -1.0}, "'C' parameter"),
        ({"gamma": 0.0}, "'gamma' parameter"),
        ({"gamma": -2.0}, "'gamma' parameter"),
        ({"kernel": "poly"}, "'kernel' parameter"),
        ({"device": "tpu:0"}, "device='tpu:0'"),
    ],
)
def test_bad_parameters_are_named(problem, params, message):
    X, y = problem
    with pytest.raises(ValueError, match=message):
        TorchSVC(solver="torch", **params).fit(X, y)


def test_bad_data_errors(problem):
    X, y = problem
    with pytest.raises(ValueError, match="greater than one; got 1 class"):
        TorchSVC(solver="torch", device="cpu").fit(X, np.zeros(len(y)))
    for bad in (np.nan, np.inf):
        X_bad = X.copy()
        X_bad[3, 2] = bad
        with pytest.raises(ValueError, match="Input X contains"):
            TorchSVC(solver="torch", device="cpu").fit(X_bad, y)
    with pytest.raises(ValueError, match="sample_weight"):
        TorchSVC(solver="torch", device="cpu").fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="above zero"):
        TorchSVC(solver="torch", device="cpu").fit(X, y, sample_weight=(y == 0).astype(float))


def test_wrong_shape_at_predict(problem):
    X, y = problem
    model = TorchSVC(solver="torch", device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="12 features"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="2D array"):
        model.predict(X[0])
    X_nan = X[:4].copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.decision_function(X_nan)


@pytest.mark.parametrize("kernel", ["rbf", "linear"])
def test_auto_solver_takes_libsvm_on_small_problems_with_svc_model(kernel):
    X, y = make_classification(n_samples=300, n_features=10, n_informative=6, n_classes=3, random_state=4)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    params = {"C": 3.0, "kernel": kernel, "class_weight": "balanced"}
    ours = TorchSVC(device="cpu", **params).fit(X, y, sample_weight=weights)
    svc = SVC(**params).fit(X, y, sample_weight=weights)
    assert ours.solver_path_ == "libsvm"
    np.testing.assert_array_equal(ours.support_, svc.support_)
    np.testing.assert_array_equal(ours.dual_coef_, svc.dual_coef_)
    np.testing.assert_array_equal(ours.intercept_, svc.intercept_)
    np.testing.assert_array_equal(ours.n_iter_, svc.n_iter_)
    np.testing.assert_array_equal(ours.predict(X), svc.predict(X))
    torch_fit = TorchSVC(device="cpu", solver="torch", **params).fit(X, y, sample_weight=weights)
    assert torch_fit.solver_path_ == "full kernel"
    np.testing.assert_allclose(ours._dual_objective, torch_fit._dual_objective, rtol=1e-5)


def test_auto_solver_keeps_torch_where_lockstep_is_cheaper():
    from skscat.svm._libsvm import libsvm_is_faster
    from skscat.svm._ovo import PairLayout

    cpu = torch.device("cpu")
    assert libsvm_is_faster(PairLayout([500, 500], cpu), 60, cpu)  # 1,000 x 60 binary
    assert not libsvm_is_faster(PairLayout([200] * 10, cpu), 500, cpu)  # 2,000 x 500, 10 classes
    assert not libsvm_is_faster(PairLayout([500, 500], cpu), 60, torch.device("cuda"))
