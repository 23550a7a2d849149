"""Per-epoch training checkpoints: written atomically, resumed after a kill."""

import hashlib
import io
from pathlib import Path

import numpy as np
import torch

from ..utils import atomic_write_bytes

__all__ = ["CHECKPOINT_NAME", "fingerprint", "load_checkpoint", "save_checkpoint"]

CHECKPOINT_NAME = "checkpoint.pt"

# Parameters that change neither the data nor the arithmetic of a fit.
_NEUTRAL_PARAMS = ("checkpoint_dir", "device", "verbose", "warm_start")


def fingerprint(params, X, y):
    """Hash of the fit's parameters and data: a checkpoint resumes only its own fit.

    Parameters
    ----------
    params : dict
        ``estimator.get_params(deep=False)``.
    X : ndarray
        Training images.
    y : ndarray
        Encoded training labels.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.blake2b(digest_size=16)
    kept = {key: value for key, value in params.items() if key not in _NEUTRAL_PARAMS}
    digest.update(repr(sorted(kept.items(), key=lambda item: item[0])).encode())
    digest.update(repr((X.shape, str(X.dtype))).encode())
    digest.update(np.ascontiguousarray(X).tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    return digest.hexdigest()


def save_checkpoint(directory, state):
    """Write ``state`` (a dict of tensors and plain values) atomically.

    Parameters
    ----------
    directory : str or os.PathLike
        Folder of the checkpoint; created when missing.
    state : dict
        What :func:`torch.save` can store.
    """
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write_bytes(Path(directory) / CHECKPOINT_NAME, buffer.getvalue())


def load_checkpoint(directory, expected_fingerprint):
    """Return the saved state when it belongs to this fit, else ``None``.

    Parameters
    ----------
    directory : str or os.PathLike or None
        Checkpoint folder (``None``: no checkpointing).
    expected_fingerprint : str
        :func:`fingerprint` of the fit being started.

    Returns
    -------
    dict or None
        Tensors are loaded on the CPU.
    """
    if directory is None:
        return None
    path = Path(directory) / CHECKPOINT_NAME
    if not path.exists():
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("fingerprint") != expected_fingerprint:
        return None
    return state
