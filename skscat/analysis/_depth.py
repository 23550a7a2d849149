"""Per-depth classifiers: how linearly and locally separable each layer's representation is."""

import numpy as np
from sklearn.svm import SVC

from ..svm import TorchSVC
from ._neighbors import nearest_neighbors
from ._validation import check_features, check_labels

__all__ = ["depth_accuracy_table", "one_nn_accuracy", "svm_accuracy"]

_CLASSIFIERS = ("1nn", "svm")
_SVM_BACKENDS = ("auto", "torch", "sklearn")


def one_nn_accuracy(X_train, y_train, X_test, y_test, *, device="auto"):
    """Test accuracy of the exact Euclidean 1-nearest-neighbour classifier.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Training features, the points searched.
    y_train : array-like of shape (n_train,)
        Training labels.
    X_test : array-like of shape (n_test, n_features)
        Test features, the queries.
    y_test : array-like of shape (n_test,)
        Test labels.
    device : str, default="auto"
        Device of the search (equal distances go to the lowest index).

    Returns
    -------
    float
        Fraction of test points whose nearest training point has their label.

    Examples
    --------
    >>> from skscat.analysis import one_nn_accuracy
    >>> one_nn_accuracy([[0.0], [1.0]], [0, 1], [[0.2], [0.9]], [0, 0], device="cpu")
    0.5
    """
    X_train, X_test = check_features(X_train, "X_train"), check_features(X_test, "X_test")
    y_train = check_labels(y_train, X_train.shape[0], "y_train", "X_train")
    y_test = check_labels(y_test, X_test.shape[0], "y_test", "X_test")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test has {X_test.shape[1]} features but X_train has {X_train.shape[1]}; pass the "
                         "same representation for both.")
    _, ind = nearest_neighbors(X_train, 1, queries=X_test, device=device)
    return float(np.mean(y_train[ind[:, 0]] == y_test))


def svm_accuracy(X_train, y_train, X_test, y_test, *, C=1.0, gamma=None, backend="auto", device="auto"):
    """Test accuracy of a Gaussian-kernel SVM, ``gamma = 1 / (2 d)`` by default.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : array-like
        Features (``d`` columns) and labels.
    C : float, default=1.0
        Regularisation of the SVM.
    gamma : float, default=None
        Kernel width; ``None`` means ``1 / (2 d)`` (the talk's choice for
        standardised features).
    backend : {"auto", "torch", "sklearn"}, default="auto"
        :class:`skscat.svm.TorchSVC` ("auto" and "torch"), or
        :class:`sklearn.svm.SVC`.
    device : str, default="auto"
        Device of ``TorchSVC``.

    Returns
    -------
    float
        Test accuracy of the SVM fitted on the training set.
    """
    X_train, X_test = check_features(X_train, "X_train"), check_features(X_test, "X_test")
    gamma = 1.0 / (2 * X_train.shape[1]) if gamma is None else float(gamma)
    model = _svm(backend, C, gamma, device)
    return float(model.fit(X_train, y_train).score(X_test, y_test))


def _svm(backend, C, gamma, device):
    if backend not in _SVM_BACKENDS:
        raise ValueError(f"backend={backend!r} is not an SVM backend; use one of {_SVM_BACKENDS}.")
    if backend == "sklearn":
        return SVC(C=C, kernel="rbf", gamma=gamma)
    return TorchSVC(C=C, kernel="rbf", gamma=gamma, device=device)


def depth_accuracy_table(
    train, y_train, test, y_test, *, classifiers=_CLASSIFIERS, C=1.0, backend="auto", device="auto", as_frame=False
):
    """1-NN and Gaussian SVM test accuracy of every depth, as a tidy table.

    Parameters
    ----------
    train : dict of str to ndarray
        ``{layer: (n_train, d)}`` features in depth order (for example from
        :func:`standardize_representations`).
    y_train : array-like of shape (n_train,)
        Training labels.
    test : dict of str to ndarray
        The same layers for the test set.
    y_test : array-like of shape (n_test,)
        Test labels.
    classifiers : sequence of {"1nn", "svm"}, default=("1nn", "svm")
        Which accuracies to measure.
    C : float, default=1.0
        SVM regularisation; the kernel width is ``1 / (2 d)`` at each depth.
    backend : {"auto", "torch", "sklearn"}, default="auto"
        SVM implementation (see :func:`svm_accuracy`).
    device : str, default="auto"
        Device of the searches and of ``TorchSVC``.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (needs pandas) instead of a dict.

    Returns
    -------
    dict of str to list, or pandas.DataFrame
        One row per (depth, classifier): columns ``depth`` (1, 2, ...),
        ``layer``, ``n_features``, ``classifier`` and ``accuracy``.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import depth_accuracy_table
    >>> rng = np.random.default_rng(0)
    >>> y = np.arange(40) % 2
    >>> feats = {"a": rng.normal(size=(40, 3)), "b": rng.normal(size=(40, 3)) + 3 * y[:, None]}
    >>> table = depth_accuracy_table(feats, y, feats, y, classifiers=["1nn"], device="cpu")
    >>> table["layer"], table["accuracy"][1]
    (['a', 'b'], 1.0)
    """
    unknown = [c for c in classifiers if c not in _CLASSIFIERS]
    if unknown or not classifiers:
        raise ValueError(f"classifiers={list(classifiers)!r}: use a non-empty subset of {_CLASSIFIERS}.")
    if not train:
        raise ValueError("train has no layers; pass {layer: (n_train, d) features} for at least one depth.")
    missing = [name for name in train if name not in test]
    if missing:
        raise ValueError(f"layers {missing} are in train but not in test; pass the same layers for both.")
    rows = {"depth": [], "layer": [], "n_features": [], "classifier": [], "accuracy": []}
    for depth, name in enumerate(train, start=1):
        for clf in classifiers:
            acc = _accuracy(clf, train[name], y_train, test[name], y_test, C, backend, device)
            for key, value in zip(rows, (depth, name, int(np.shape(train[name])[1]), clf, acc)):
                rows[key].append(value)
    return _maybe_frame(rows, as_frame)


def _accuracy(clf, X_train, y_train, X_test, y_test, C, backend, device):
    if clf == "1nn":
        return one_nn_accuracy(X_train, y_train, X_test, y_test, device=device)
    return svm_accuracy(X_train, y_train, X_test, y_test, C=C, backend=backend, device=device)


def _maybe_frame(rows, as_frame):
    if not as_frame:
        return rows
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("as_frame=True needs pandas; install it or use as_frame=False (a dict of lists).") from exc
    return pd.DataFrame(rows)
