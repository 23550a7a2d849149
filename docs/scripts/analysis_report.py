"""Train a small sandbox CNN on the CIFAR-10 subset and write the per-depth analysis report.

Usage (from the project root)::

    python docs/scripts/analysis_report.py --K 16 --epochs 3

Stages, each saved atomically in ``--work-dir`` so that an interrupted run
resumes where it stopped: the trained classifier (``model.pkl``, training
itself checkpoints every epoch), the probed features (``features.npz``), and
the report's per-depth numbers (``report_cache/``). Figures and CSV
tables go to ``docs/figures/analysis_*``.
"""

import argparse
import json
import pickle
import time
from pathlib import Path

import numpy as np
import torch

from skscat.analysis import (
    analysis_report,
    layer_representations,
    standardize_representations,
)
from skscat.datasets import load_cifar10
from skscat.networks import TorchCNNClassifier
from skscat.utils import atomic_write_bytes, atomic_write_text
from skscat.utils._records import load_npz, npz_bytes, read_record, write_record

ROOT = Path(__file__).resolve().parents[2]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--work-dir", default=str(ROOT / ".skscat-cache" / "analysis_report"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "figures"))
    parser.add_argument("--K", type=int, default=16, help="width of the sandbox CNN")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--n-analysis", type=int, default=5000, help="training images used by the analysis")
    parser.add_argument("--k-max", type=int, default=31)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--more-epochs", type=int, default=0,
                        help="continue training the saved model for this many epochs (warm start)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1 is fastest on a CPU shared with other jobs)")
    return parser.parse_args()


def load_data(data_home):
    X_train, y_train = load_cifar10(data_home, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(data_home, subset="test", return_X_y=True)
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    std = X_train.std(axis=(0, 2, 3), keepdims=True)
    return (X_train - mean) / std, y_train, (X_test - mean) / std, y_test


def train(args, X_train, y_train, work):
    path = work / "model.pkl"
    if path.exists():
        clf = pickle.loads(path.read_bytes())
        return continue_training(clf, args, X_train, y_train, work) if args.more_epochs else clf
    clf = TorchCNNClassifier(
        module="sandbox_cnn", module__K=args.K, max_epochs=args.epochs, batch_size=128, lr=args.lr,
        lr_schedule="cosine", weight_decay=5e-4, device="cpu", checkpoint_dir=str(work / "checkpoints"),
        random_state=args.seed, verbose=1,
    )
    clf.fit(X_train, y_train)
    atomic_write_bytes(path, pickle.dumps(clf))
    return clf


def continue_training(clf, args, X_train, y_train, work):
    """Warm start: ``--more-epochs`` further epochs (cosine from ``--lr``), saved over model.pkl."""
    done = getattr(clf, "n_epochs_total_", clf.n_epochs_)
    target = work / f"model_{done + args.more_epochs}.pkl"
    if target.exists():
        return pickle.loads(target.read_bytes())
    clf.set_params(warm_start=True, max_epochs=args.more_epochs, lr=args.lr,
                   checkpoint_dir=str(work / f"checkpoints_{done}_plus_{args.more_epochs}"))
    clf.fit(X_train, y_train)
    clf.n_epochs_total_ = done + args.more_epochs
    atomic_write_bytes(target, pickle.dumps(clf))
    return clf


def probe(clf, X_train, X_test, work):
    path = work / f"features_{getattr(clf, 'n_epochs_total_', clf.n_epochs_)}.npz"
    layers = list(clf.module_.probe_names)
    saved = read_record(path, load=load_npz)
    if saved is not None:
        return ({n: saved[f"train/{n}"] for n in layers}, {n: saved[f"test/{n}"] for n in layers})
    train = layer_representations(clf, X_train, layers, batch_size=500, device="cpu", verbose=True)
    test = layer_representations(clf, X_test, layers, batch_size=500, device="cpu", verbose=True)
    write_record(path, {**{f"train/{n}": a for n, a in train.items()}, **{f"test/{n}": a for n, a in test.items()}},
                 dump=npz_bytes)
    return train, test


def analysis_subset(y, n, seed):
    """``n`` training images, the same number per class."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per_class = n // classes.size
    return np.sort(np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per_class] for c in classes]))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    X_train, y_train, X_test, y_test = load_data(args.data_home)
    clf = train(args, X_train, y_train, work)
    trained = time.perf_counter()
    accuracy = float(clf.score(X_test, y_test))
    print(f"network test accuracy {accuracy:.4f} (training {trained - start:.0f} s)")
    subset = analysis_subset(y_train, args.n_analysis, args.seed)
    raw_train, raw_test = probe(clf, X_train[subset], X_test, work)
    train_feats, test_feats = standardize_representations(raw_train, raw_test)
    report = analysis_report(
        train_feats, y_train[subset], test_feats, y_test, args.out, k_max=args.k_max,
        network_accuracy=accuracy, device="cpu", prefix="analysis_", verbose=True,
        cache_dir=work / "report_cache",
    )
    epochs = getattr(clf, "n_epochs_total_", clf.n_epochs_)
    summary = {"network_accuracy": accuracy, "K": args.K, "epochs": epochs, "n_analysis": int(subset.size),
               "seconds_this_run": time.perf_counter() - start, "table": report["table"],
               "lsv_1": report["contraction"]["lsv_1"]}
    atomic_write_text(Path(args.out) / "analysis_summary.json", json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
