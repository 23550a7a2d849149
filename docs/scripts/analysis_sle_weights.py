"""Fourier analysis of a Shared Local Encoder's first 1x1 layer, trained on the CIFAR-10 subset.

Usage (from the project root)::

    python docs/scripts/analysis_sle_weights.py --epochs 10

Scattering (J=2, L=8: 3 x 81 channels at 8x8) is computed once with
ScatteringTransformer and cached; a small SLE (``module__precomputed=True``)
is trained on it through TorchCNNClassifier; then W1 is analysed: its
Fourier sparsity along theta1 and (theta1, theta2), and the test accuracy
after zeroing the smallest 80 % of its Fourier coefficients, next to zeroing
the smallest 80 % of its raw entries. Also writes the per-depth report of
the SLE (scattering, the three 1x1 layers, the hidden fully connected
layer). Writes docs/figures/analysis_sle_*.
"""

import argparse
import copy
import json
import pickle
from pathlib import Path

import numpy as np
import torch

from skscat.analysis import (
    analysis_report,
    fourier_threshold_accuracy,
    layer_representations,
    standardize_representations,
    weight_fourier,
)
from skscat.datasets import load_cifar10
from skscat.networks import TorchCNNClassifier
from skscat.scattering import ScatteringTransformer, scattering_paths
from skscat.utils import atomic_path, atomic_write_bytes, atomic_write_text
from skscat.utils._records import load_npz, npz_bytes, read_record, write_record

ROOT = Path(__file__).resolve().parents[2]
J, L = 2, 8


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--work-dir", default=str(ROOT / ".skscat-cache" / "analysis_sle"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "figures"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--fraction", type=float, default=0.8)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def scattering(data_home, work):
    path = work / "scattering.npz"
    saved = read_record(path, load=load_npz)
    if saved is not None:
        return saved["S_train"], saved["y_train"], saved["S_test"], saved["y_test"]
    X_train, y_train = load_cifar10(data_home, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(data_home, subset="test", return_X_y=True)
    scat = ScatteringTransformer(J=J, L=L, device="cpu", batch_size=250, verbose=True).fit(X_train)
    shape = (-1, 3 * scat.n_paths_, *scat.output_shape_)
    S_train = scat.transform(X_train).reshape(shape).astype(np.float32)
    S_test = scat.transform(X_test).reshape(shape).astype(np.float32)
    write_record(path, {"S_train": S_train, "y_train": y_train, "S_test": S_test, "y_test": y_test}, dump=npz_bytes)
    return S_train, y_train, S_test, y_test


def train(S_train, y_train, epochs, work):
    path = work / f"sle_{epochs}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    clf = TorchCNNClassifier(
        module="scat_sle", module__J=J, module__L=L, module__precomputed=True,
        module__encoder_widths=(64, 32, 16), module__fc_widths=(128,), max_epochs=epochs, lr=0.05,
        lr_schedule="cosine", crop_padding=0, horizontal_flip=False, device="cpu",
        checkpoint_dir=str(work / f"checkpoints_{epochs}"), random_state=0, verbose=1,
    )
    clf.fit(S_train, y_train)
    atomic_write_bytes(path, pickle.dumps(clf))
    return clf


def direct_threshold_accuracy(clf, X, y, fraction):
    """Control: zero the smallest ``fraction`` of W1's raw entries (angle channels only)."""
    paths = scattering_paths(J, L)
    W = clf.module_.encoder[0].weight.detach().clone()
    angle = np.concatenate([idx.ravel() for idx in weight_fourier(W, paths).channels])
    block = W[:, angle].abs().flatten()
    cut = torch.sort(block).values[round(fraction * block.numel()) - 1]
    clone = copy.deepcopy(clf)
    with torch.no_grad():
        sub = clone.module_.encoder[0].weight[:, angle]
        clone.module_.encoder[0].weight[:, angle] = torch.where(sub.abs() > cut, sub, torch.zeros_like(sub))
    return float(clone.score(X, y))


def plot(clf, results, path):
    import matplotlib.pyplot as plt

    wf = weight_fourier(clf.module_.encoder[0].weight, scattering_paths(J, L))
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for coef, label in zip(wf.coefficients, ("order 1", "order 2")):
        energy = (np.abs(coef) ** 2).mean(axis=(0, 1))
        ax.plot(np.arange(L), energy / energy.sum(), "o-", label=label)
    ax.set(xlabel="frequency along theta1", ylabel="share of W1's energy",
           title=f"SLE W1 along theta1; zeroing 80 % of its Fourier coefficients changes the test accuracy by "
                 f"{-100 * results['theta1']['drop']:+.1f} pt", yscale="log")
    ax.title.set_fontsize(9)
    ax.grid(alpha=0.3)
    ax.legend()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


def depth_report(clf, S_train, y_train, S_test, y_test, args, work):
    """The per-depth report of the SLE: scattering, the three 1x1 layers, the hidden FC layer."""
    layers = ["front_end", "encoder.2", "encoder.5", "encoder.8", "classifier.3"]
    rng = np.random.default_rng(0)
    subset = np.sort(np.concatenate([rng.permutation(np.flatnonzero(y_train == c))[:500] for c in range(10)]))
    train = layer_representations(clf, S_train[subset], layers, batch_size=500, device="cpu")
    test = layer_representations(clf, S_test, layers, batch_size=500, device="cpu")
    train, test = standardize_representations(train, test)
    return analysis_report(train, y_train[subset], test, y_test, args.out, network_accuracy=clf.score(S_test, y_test),
                           device="cpu", prefix="analysis_sle_", cache_dir=work / "report_cache", verbose=True)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    S_train, y_train, S_test, y_test = scattering(args.data_home, work)
    clf = train(S_train, y_train, args.epochs, work)
    paths = scattering_paths(J, L)
    results = {axes: fourier_threshold_accuracy(clf, S_test, y_test, fraction=args.fraction, axes=axes, paths=paths)
               for axes in ("theta1", "theta1_theta2")}
    results["direct"] = {"thresholded_accuracy": direct_threshold_accuracy(clf, S_test, y_test, args.fraction)}
    results["epochs"] = args.epochs
    out = Path(args.out)
    atomic_write_text(out / "analysis_sle_summary.json", json.dumps(results, indent=1))
    plot(clf, results, out / "analysis_sle_fourier.png")
    print(json.dumps(results, indent=1))
    depth_report(clf, S_train, y_train, S_test, y_test, args, work)


if __name__ == "__main__":
    main()
