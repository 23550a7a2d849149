"""Parity table of docs/svm.md: TorchSVC against sklearn.svm.SVC on the test problems and CIFAR scattering.

Usage: ``python docs/scripts/svm_parity.py [DATA_HOME]`` (default ``../shared/data``); prints Markdown rows.
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.svm import SVC

from skscat.svm import TorchSVC
from skscat.svm._diagnostics import pair_dual_objectives

ROOT = Path(__file__).resolve().parents[2]


def parity_row(name, X, y, n_train, **params):
    """One Markdown row: identical predictions, one-vs-one differences, sign flips, objective."""
    X_train, y_train, X_test = X[:n_train], y[:n_train], X[n_train:]
    svc = SVC(**params).fit(X_train, y_train)
    ours = TorchSVC(device="cpu", solver="torch", **params).fit(X_train, y_train)
    same = (svc.predict(X_test) == ours.predict(X_test)).mean()
    svc.set_params(decision_function_shape="ovo")
    ours.set_params(decision_function_shape="ovo")
    ref, new = svc.decision_function(X_test), ours.decision_function(X_test)
    flipped = (ref > 0) != (new > 0)
    near = float(np.abs(ref[flipped]).max()) if flipped.any() else 0.0
    obj_ref, obj_new = pair_dual_objectives(svc, X_train), pair_dual_objectives(ours, X_train)
    print(
        f"| {name} | {X_train.shape[0]}x{X_train.shape[1]}, {len(svc.classes_)} classes | {100 * same:.2f} % "
        f"| {np.abs(ref - new).max():.1e} (scale {np.abs(ref).max():.1f}) "
        f"| {int(flipped.sum())} (max |SVC value| {near:.1e}) "
        f"| {np.max(np.abs(obj_new - obj_ref) / np.abs(obj_ref)):.1e} |",
        flush=True,
    )


def cifar_features(data_home, n):
    from skscat.datasets import load_cifar10
    from skscat.scattering import ScatteringTransformer

    images, y = load_cifar10(data_home, subset="train", return_X_y=True)
    features = ScatteringTransformer(J=2, pooling="mean", device="cpu").fit_transform(images[:n])
    return np.log1p(np.abs(features) * 100.0), y[:n]


def main():
    data_home = sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared" / "data")
    common = {"n_features": 60, "n_informative": 20, "random_state": 0}
    X, y = make_classification(n_samples=700, n_classes=2, **common)
    parity_row("binary", X, y, 500, C=10)
    X, y = make_classification(n_samples=700, n_classes=4, **common)
    parity_row("4 classes", X, y, 500, C=10)
    X, y = make_classification(
        n_samples=800, n_features=30, n_informative=10, n_classes=3, weights=[0.8, 0.15, 0.05], random_state=2
    )
    parity_row("imbalanced, balanced", X, y, 600, C=5, class_weight="balanced")
    X, y = load_digits(return_X_y=True)
    parity_row("digits", X / 16.0, y, 1200, C=10)
    X, y = cifar_features(data_home, 2500)
    parity_row("CIFAR scattering J=2 mean-pooled, log", X, y, 2000, C=10)


if __name__ == "__main__":
    main()
