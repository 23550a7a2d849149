"""Fits run by ``torchrun --nproc_per_node=2`` in tests/scale/test_torchrun.py (a script, not a test module).

``python ddp_fits.py first OUT``: (a) the same data on every rank, an MLP; (b) different data on each rank, a
small CNN with batch norm; (c) a checkpointed MLP fit whose every rank raises in its third epoch.
``python ddp_fits.py resume OUT``: (c) again, resumed from rank 0's checkpoint. Each rank saves its results
to ``OUT/<fit>-rank<r>.npz``; rank-tagged marker files record who wrote checkpoints.
"""

import os
import sys
from pathlib import Path

import numpy as np
import torch

from skscat.networks import TorchCNNClassifier, _classifier, _training

RANK = int(os.environ.get("RANK", "0"))


def problem(seed, n=60, n_features=6):
    """A three-class problem, the same for equal seeds."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


def images(seed, n=32):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 1, 6, 6).astype(np.float32)
    return X, (X[:, 0, :, :3].mean(axis=(1, 2)) > X[:, 0, :, 3:].mean(axis=(1, 2))).astype(int)


def mlp(**params):
    return TorchCNNClassifier(module="mlp", max_epochs=4, batch_size=16, lr=0.05, device="cpu", random_state=0,
                              **params)


def save(out, name, clf, X):
    state = {f"state/{k}": v.detach().cpu().numpy() for k, v in clf.module_.state_dict().items()}
    np.savez(Path(out) / f"{name}-rank{RANK}.npz", proba=clf.predict_proba(X), loss=clf.history_["train_loss"],
             n_epochs=clf.n_epochs_, **state)


def record_writers(out):
    original = _classifier.save_checkpoint

    def save_checkpoint(directory, state):
        (Path(out) / f"checkpoint-written-by-rank{RANK}").touch()
        return original(directory, state)

    _classifier.save_checkpoint = save_checkpoint


def count_epochs(out, fail_at=None):
    original = _training.train_epoch
    calls = []

    def train_epoch(*args, **kwargs):
        calls.append(1)
        (Path(out) / f"epochs-rank{RANK}").write_text(str(len(calls)))
        if len(calls) == fail_at:
            raise RuntimeError("killed in the third epoch")
        return original(*args, **kwargs)

    _classifier.train_epoch = train_epoch


def main(mode, out):
    torch.set_num_threads(1)
    X, y = problem(0)
    record_writers(out)
    if mode == "first":
        save(out, "same-data", mlp().fit(X, y), X)
        X_rank, y_rank = images(seed=1 + RANK)  # different data on each rank
        cnn = TorchCNNClassifier(module="small_cnn", module__width=4, max_epochs=3, batch_size=8, lr=0.05,
                                 crop_padding=1, device="cpu", random_state=0)
        save(out, "different-data", cnn.fit(X_rank, y_rank), images(seed=0)[0])
        count_epochs(out, fail_at=3)
    else:
        count_epochs(out)
    save(out, "checkpointed", mlp(checkpoint_dir=str(Path(out) / "checkpoints")).fit(X, y), X)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
