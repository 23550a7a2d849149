"""Helpers shared by the sandbox / hierarchical CNN scripts: data, resumable runs, tables.

Not part of the package: the scripts in docs/scripts import it as a sibling module.
"""

import json
import time
from pathlib import Path

import torch

from skscat.datasets import load_cifar10, per_class_subset
from skscat.networks import TorchCNNClassifier
from skscat.utils import read_record, write_record

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT.parent / "shared" / "data"
FIGURES = ROOT / "docs" / "figures"


def load_standardised_cifar(data_dir, n_per_class, seed=0, downsample=1):
    """A balanced CIFAR-10 training subset and the full test batch, per-channel standardised.

    ``downsample`` > 1 averages ``downsample x downsample`` pixel blocks
    (32x32 -> 16x16 for 2), to afford more epochs on a small CPU. The mean and
    standard deviation of each colour channel come from the training subset
    only (the paper's per-channel standardisation).
    """
    X, y = load_cifar10(data_dir, subset="train", return_X_y=True)
    keep = per_class_subset(y, n_per_class, random_state=seed)
    X, y = _block_mean(X[keep], downsample), y[keep]
    X_test, y_test = load_cifar10(data_dir, subset="test", return_X_y=True)
    X_test = _block_mean(X_test, downsample)
    mean = X.mean(axis=(0, 2, 3), keepdims=True)
    std = X.std(axis=(0, 2, 3), keepdims=True)
    return (X - mean) / std, y, (X_test - mean) / std, y_test


def _block_mean(X, factor):
    n, c, h, w = X.shape
    return X.reshape(n, c, h // factor, factor, w // factor, factor).mean(axis=(3, 5))


def n_parameters(module):
    return int(sum(p.numel() for p in module.parameters()))


def train_and_score(params, data):
    """Fit a TorchCNNClassifier with ``params``; test accuracy, last-epoch train accuracy, seconds."""
    X, y, X_test, y_test = data
    clf = TorchCNNClassifier(**params)
    start = time.perf_counter()
    clf.fit(X, y)
    fit_seconds = time.perf_counter() - start
    return {
        "test_accuracy": float(clf.score(X_test, y_test)),
        "train_accuracy_last_epoch": float(clf.history_["train_accuracy"][-1]),
        "train_loss_per_epoch": [float(v) for v in clf.history_["train_loss"]],
        "fit_seconds": fit_seconds,
        "n_parameters": n_parameters(clf.module_),
        "module": clf.module_,
    }


def run_or_resume(path, settings, compute):
    """Return the stored result at ``path`` if it was made with ``settings``; else compute and store it.

    Each result is written atomically (temporary file + rename), so a killed
    sweep leaves only complete results behind and resumes after them.
    """
    settings = json.loads(json.dumps(settings))  # tuples become lists, as they are stored
    stored = read_record(path, match={"settings": settings})
    if stored is not None:
        return stored, True
    record = {"settings": settings, **compute()}
    write_record(path, record)
    return record, False


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def csv_text(header, rows):
    return "\n".join(",".join(str(cell) for cell in row) for row in [header, *rows]) + "\n"


def limit_threads(n_threads):
    """Intra-op threads; 1 is fastest on a small CPU shared with other jobs (no spinning)."""
    torch.set_num_threads(n_threads)
