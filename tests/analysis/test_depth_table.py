"""Per-depth 1-NN and Gaussian SVM accuracies against scikit-learn."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from skscat.analysis import depth_accuracy_table, one_nn_accuracy, svm_accuracy


@pytest.fixture
def depths():
    rng = np.random.default_rng(0)
    y_tr, y_te = np.arange(120) % 3, np.arange(60) % 3
    train = {f"d{j}": rng.normal(size=(120, 5)) + j * np.eye(5)[y_tr] for j in range(3)}
    test = {f"d{j}": rng.normal(size=(60, 5)) + j * np.eye(5)[y_te] for j in range(3)}
    return train, y_tr, test, y_te


def test_one_nn_matches_sklearn(depths):
    train, y_tr, test, y_te = depths
    expected = KNeighborsClassifier(1).fit(train["d1"], y_tr).score(test["d1"], y_te)
    assert one_nn_accuracy(train["d1"], y_tr, test["d1"], y_te, device="cpu") == pytest.approx(expected)


def test_svm_uses_gamma_one_over_two_d(depths):
    train, y_tr, test, y_te = depths
    expected = SVC(C=1.0, gamma=1 / 10).fit(train["d2"], y_tr).score(test["d2"], y_te)
    got = svm_accuracy(train["d2"], y_tr, test["d2"], y_te, backend="sklearn")
    assert got == pytest.approx(expected)


def test_table_is_tidy_and_rises_with_separation(depths):
    train, y_tr, test, y_te = depths
    table = depth_accuracy_table(train, y_tr, test, y_te, backend="sklearn", device="cpu")
    assert list(table) == ["depth", "layer", "n_features", "classifier", "accuracy"]
    assert table["depth"] == [1, 1, 2, 2, 3, 3] and table["classifier"] == ["1nn", "svm"] * 3
    assert table["n_features"] == [5] * 6
    nn_acc = table["accuracy"][::2]
    assert nn_acc[0] < nn_acc[2]  # separation grows with the class offset


def test_torch_svm_backend_agrees_with_sklearn(depths):
    train, y_tr, test, y_te = depths
    a = svm_accuracy(train["d2"], y_tr, test["d2"], y_te, backend="torch", device="cpu")
    b = svm_accuracy(train["d2"], y_tr, test["d2"], y_te, backend="sklearn")
    assert abs(a - b) <= 2 / 60  # same model; at most a near-boundary point or two may differ


def test_as_frame(depths):
    pd = pytest.importorskip("pandas")
    train, y_tr, test, y_te = depths
    frame = depth_accuracy_table(train, y_tr, test, y_te, classifiers=["1nn"], as_frame=True, device="cpu")
    assert isinstance(frame, pd.DataFrame) and frame.shape == (3, 5)


def test_bad_input(depths):
    train, y_tr, test, y_te = depths
    with pytest.raises(ValueError, match="classifiers="):
        depth_accuracy_table(train, y_tr, test, y_te, classifiers=["knn"])
    with pytest.raises(ValueError, match=r"layers \['d2'\] are in train but not in test"):
        depth_accuracy_table(train, y_tr, {"d0": test["d0"], "d1": test["d1"]}, y_te)
    with pytest.raises(ValueError, match="X_test has 60 rows but y_test has 59"):
        one_nn_accuracy(train["d0"], y_tr, test["d0"], y_te[:-1], device="cpu")
    with pytest.raises(ValueError, match="backend='libsvm'"):
        svm_accuracy(train["d0"], y_tr, test["d0"], y_te, backend="libsvm")
