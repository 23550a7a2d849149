"""OrthogonalLeastSquaresSelector: ScatNetLight's reference, the OLS definition, API, safety, errors."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skscat.feature_selection import OrthogonalLeastSquaresSelector


@pytest.fixture(scope="module")
def reference(reference_dir):
    return dict(np.load(reference_dir / "scatnetlight_ols.npz"))


def _problem(n_samples=120, n_features=60, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    X = rng.standard_normal((n_samples, n_features)) + 0.8 * rng.standard_normal((n_classes, n_features))[y]
    return (X - X.mean(0)) / X.std(0), y


def _align_signs(F, reference):
    """Flip each column of F to the sign of the reference's (QR is unique up to them)."""
    return F * np.where((F * reference).sum(0) < 0, -1.0, 1.0)


def _brute_force_atoms(X, y, n_atoms, n_rounds):
    """OLS by its definition: each step adds the column that leaves the smallest
    least-squares residual of the class target; rounds drop earlier rounds' atoms."""
    classes = np.unique(y)
    removed, rounds = set(), []
    for _ in range(n_rounds):
        per_class = []
        for label in classes:
            target = np.where(y == label, float(len(classes)), 0.0)
            target -= target.mean()
            chosen = []
            for _ in range(n_atoms):
                residual = {}
                for j in sorted(set(range(X.shape[1])) - removed - set(chosen)):
                    A = X[:, [*chosen, j]]
                    fit = A @ np.linalg.lstsq(A, target, rcond=None)[0]
                    residual[j] = np.linalg.norm(target - fit)
                chosen.append(min(residual, key=residual.get))
            per_class.append(chosen)
        removed |= {j for chosen in per_class for j in chosen}
        rounds.append(per_class)
    return np.asarray(rounds)


@pytest.mark.parametrize("case", ["case0", "case1"])
def test_matches_scatnetlight_reference(reference, case):
    """Octave's ScatNetLight: same atoms in every round and class; features to 1e-6 (float64)."""
    n_atoms, n_rounds = (int(v) for v in reference[f"{case}_params"])
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=n_atoms, n_rounds=n_rounds, device="cpu")
    F_train = ols.fit_transform(reference[f"{case}_Xtr"], reference[f"{case}_ytr"])
    np.testing.assert_array_equal(ols.selected_features_, reference[f"{case}_selected"])
    expected_train, expected_test = reference[f"{case}_Ftr"], reference[f"{case}_Fte"]
    signs = np.where((F_train * expected_train).sum(0) < 0, -1.0, 1.0)
    np.testing.assert_allclose(F_train * signs, expected_train, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        ols.transform(reference[f"{case}_Xte"]) * signs, expected_test, rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(ols.transform(reference[f"{case}_Xtr"]), F_train, rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", ["case0", "case1"])
def test_float32_selects_the_reference_atoms(reference, case):
    """float32 input: the same atoms on the reference problems, float32 output close to the reference."""
    n_atoms, n_rounds = (int(v) for v in reference[f"{case}_params"])
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=n_atoms, n_rounds=n_rounds, device="cpu")
    F_train = ols.fit_transform(reference[f"{case}_Xtr"].astype(np.float32), reference[f"{case}_ytr"])
    assert F_train.dtype == np.float32
    np.testing.assert_array_equal(ols.selected_features_, reference[f"{case}_selected"])
    np.testing.assert_allclose(
        _align_signs(F_train, reference[f"{case}_Ftr"]), reference[f"{case}_Ftr"], atol=1e-5
    )


def test_atoms_follow_the_ols_definition():
    X, y = _problem(n_samples=50, n_features=25, n_classes=3)
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=4, n_rounds=3, device="cpu").fit(X, y)
    np.testing.assert_array_equal(ols.selected_features_, _brute_force_atoms(X, y, 4, 3))


def test_outputs_are_orthonormal_per_class_and_ordered_round_by_round():
    X, y = _problem()
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=5, n_rounds=2, device="cpu")
    F = ols.fit_transform(X, y)
    assert F.shape == (120, 2 * 4 * 5)
    for group in range(8):
        block = F[:, 5 * group : 5 * (group + 1)]
        np.testing.assert_allclose(block.T @ block, np.eye(5), atol=1e-12)
        rnd, cls = divmod(group, 4)
        atoms = ols.selected_features_[rnd, cls]
        R = ols.triangular_factors_[rnd, cls]
        np.testing.assert_allclose(block @ R, X[:, atoms], atol=1e-12)
        assert np.all(np.diag(R) > 0)
    first, second = ols.selected_features_
    assert not set(first.ravel()) & set(second.ravel())
    assert len(ols.get_feature_names_out()) == F.shape[1]
    assert ols.get_feature_names_out()[5] == "ols_round0_class1_0"


def test_batch_size_does_not_change_results():
    X, y = _problem(n_samples=80, n_features=5000, n_classes=3)
    results = []
    for batch_size in (1, 2048, 3000, 10_000):
        ols = OrthogonalLeastSquaresSelector(
            n_atoms_per_class=6, n_rounds=2, batch_size=batch_size, device="cpu"
        )
        results.append((ols.fit_transform(X, y), ols.transform(X[:37]), ols.selected_features_))
    for train, test, atoms in results[1:]:
        np.testing.assert_array_equal(atoms, results[0][2])
        np.testing.assert_array_equal(train, results[0][0])
        np.testing.assert_allclose(test, results[0][1], rtol=0, atol=1e-13)


def test_ties_pick_the_first_index_and_copies_are_never_selected():
    X, y = _problem(n_features=20)
    duplicated = np.hstack([X, X])  # every column twice: the second copy ties and then lies in the span
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=6, n_rounds=1, device="cpu").fit(duplicated, y)
    assert ols.selected_features_.max() < 20
    reference = OrthogonalLeastSquaresSelector(n_atoms_per_class=6, n_rounds=1, device="cpu").fit(X, y)
    np.testing.assert_array_equal(ols.selected_features_, reference.selected_features_)


def test_zero_and_dependent_columns_are_skipped_safely():
    X, y = _problem(n_features=12)
    X[:, 3] = 0.0
    X[:, 7] = X[:, 0] - 2.0 * X[:, 1]  # lies in the span once columns 0 and 1 are chosen
    with np.errstate(all="raise"):
        ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=10, n_rounds=1, device="cpu")
        F = ols.fit_transform(X, y)
    assert np.isfinite(F).all()
    for atoms in ols.selected_features_[0]:
        assert 3 not in atoms
        assert not {0, 1, 7} <= set(atoms)


def test_low_rank_training_columns_raise():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 4)) @ rng.standard_normal((4, 30))
    y = np.arange(60) % 3
    assert np.isfinite(
        OrthogonalLeastSquaresSelector(n_atoms_per_class=4, n_rounds=1, device="cpu").fit_transform(X, y)
    ).all()
    with pytest.raises(
        ValueError, match=r"found only 4 of n_atoms_per_class=5 atoms.*rank.*Lower n_atoms_per_class"
    ):
        OrthogonalLeastSquaresSelector(n_atoms_per_class=5, n_rounds=1, device="cpu").fit(X, y)


def test_explained_target_keeps_selecting_admissible_columns():
    X, y = _problem(n_samples=30, n_features=40, n_classes=2)
    X[:, 0] = np.where(y == 1, 1.0, -1.0)  # explains both centred targets exactly
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=4, n_rounds=1, device="cpu")
    F = ols.fit_transform(X, y)
    assert ols.selected_features_[0, :, 0].tolist() == [0, 0]
    np.testing.assert_array_equal(ols.selected_features_[0, :, 1:], [[1, 2, 3], [1, 2, 3]])
    assert np.isfinite(F).all()


@pytest.mark.parametrize(
    ("params", "n_samples", "n_features", "match"),
    [
        ({"n_atoms_per_class": 31}, 30, 50, r"n_atoms_per_class=31 exceeds the 30 training rows"),
        (
            {"n_atoms_per_class": 10, "n_rounds": 3},
            40,
            25,
            r"n_atoms_per_class=10 with n_rounds=3 needs at least 30",
        ),
        (
            {"n_atoms_per_class": 10, "n_rounds": 2},
            40,
            21,
            r"Round 1 of n_rounds=2 needs n_atoms_per_class=10 .* only",
        ),
    ],
)
def test_too_many_atoms_raise(params, n_samples, n_features, match):
    X, y = _problem(n_samples=n_samples, n_features=n_features, n_classes=3)
    with pytest.raises(ValueError, match=match):
        OrthogonalLeastSquaresSelector(device="cpu", **params).fit(X, y)


def test_one_class_raises():
    X, _ = _problem()
    with pytest.raises(ValueError, match=r"y has 1 class .*at least 2 classes"):
        OrthogonalLeastSquaresSelector(n_atoms_per_class=2, device="cpu").fit(X, np.zeros(len(X)))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input_raises(value):
    X, y = _problem()
    X[3, 4] = value
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        OrthogonalLeastSquaresSelector(n_atoms_per_class=2, device="cpu").fit(X, y)
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=2, device="cpu").fit(*_problem())
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        ols.transform(X)


@pytest.mark.parametrize("param", ["n_atoms_per_class", "n_rounds", "batch_size"])
@pytest.mark.parametrize("value", [0, -3])
def test_non_positive_parameters_raise(param, value):
    with pytest.raises(InvalidParameterError, match=rf"'{param}' parameter .* range \[1, inf\)"):
        OrthogonalLeastSquaresSelector(device="cpu", **{param: value}).fit(*_problem())


def test_unknown_device_raises():
    with pytest.raises(ValueError, match="device='tpu7' is not a device"):
        OrthogonalLeastSquaresSelector(n_atoms_per_class=2, device="tpu7").fit(*_problem())


def test_pipeline_clone_grid_search_and_pickle():
    X, y = _problem(n_samples=150, n_features=40, n_classes=3)
    pipe = make_pipeline(OrthogonalLeastSquaresSelector(device="cpu"), LogisticRegression(max_iter=500))
    grid = GridSearchCV(pipe, {"orthogonalleastsquaresselector__n_atoms_per_class": [2, 5]}, cv=3, n_jobs=2)
    grid.fit(X, y)
    assert grid.best_score_ > 0.5
    ols = clone(pipe[0]).set_params(n_atoms_per_class=3).fit(X, y)
    assert clone(ols).get_params() == ols.get_params()
    assert not hasattr(clone(ols), "selected_features_")
    loaded = pickle.loads(pickle.dumps(ols))
    np.testing.assert_array_equal(loaded.transform(X), ols.transform(X))
    assert not any(isinstance(v, torch.Tensor) for v in vars(loaded).values())
    assert isinstance(loaded.selected_features_, np.ndarray)
    assert isinstance(loaded.triangular_factors_, np.ndarray)


def test_set_output_pandas_and_string_labels():
    pd = pytest.importorskip("pandas")
    X, y = _problem(n_classes=3)
    labels = np.array(["cat", "dog", "emu"])[y]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=2, n_rounds=1, device="cpu").set_output(
        transform="pandas"
    )
    out = ols.fit(frame, labels).transform(frame)
    assert list(out.columns[:3]) == [
        "ols_round0_classcat_0",
        "ols_round0_classcat_1",
        "ols_round0_classdog_0",
    ]


def test_verbose_shows_progress(capsys):
    OrthogonalLeastSquaresSelector(n_atoms_per_class=3, n_rounds=2, device="cpu", verbose=True).fit(
        *_problem()
    )
    assert "OLS" in capsys.readouterr().err


@pytest.mark.gpu
def test_cuda_fit_matches_cpu_and_loads_without_cuda_state(reference):
    n_atoms, n_rounds = (int(v) for v in reference["case1_params"])
    X, y = reference["case1_Xtr"], reference["case1_ytr"]
    gpu = OrthogonalLeastSquaresSelector(n_atoms_per_class=n_atoms, n_rounds=n_rounds, device="cuda").fit(
        X, y
    )
    np.testing.assert_array_equal(gpu.selected_features_, reference["case1_selected"])
    loaded = pickle.loads(pickle.dumps(gpu))
    assert not any(isinstance(v, torch.Tensor) for v in vars(loaded).values())
    np.testing.assert_allclose(
        _align_signs(loaded.transform(reference["case1_Xte"]), reference["case1_Fte"]),
        reference["case1_Fte"],
        atol=1e-6,
    )
