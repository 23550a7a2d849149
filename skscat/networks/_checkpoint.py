"""Per-epoch training checkpoints: resumable records (:mod:`skscat.utils._records`) of torch state."""

import io
from pathlib import Path

import numpy as np
import torch

from ..utils import fingerprint, read_record, write_record

__all__ = ["CHECKPOINT_NAME", "check_checkpoint_dir", "fit_fingerprint", "load_checkpoint", "save_checkpoint"]

CHECKPOINT_NAME = "checkpoint.pt"

# Left out of the fingerprint: they never change what is computed. ``device`` is left out on purpose too,
# although CPU and CUDA round differently: a run started on a GPU may be resumed on the CPU (its result is
# then that of the mixed run, equal to either up to rounding). ``batch_size`` is kept: it changes SGD.
_NEUTRAL_PARAMS = ("checkpoint_dir", "device", "verbose", "warm_start")


def fit_fingerprint(params, X, y):
    """Fingerprint of the fit's parameters and data: a checkpoint resumes only its own fit.

    Parameters
    ----------
    params : dict
        ``estimator.get_params(deep=False)``. A ``module`` instance counts
        by its architecture and its initial weights, a ``RandomState``
        ``random_state`` by its state.
    X : ndarray
        Training samples.
    y : ndarray
        Encoded training labels.

    Returns
    -------
    str
        Hex digest (:func:`skscat.utils.fingerprint`).
    """
    kept = {key: value for key, value in params.items() if key not in _NEUTRAL_PARAMS}
    arrays = []
    random_state = kept.get("random_state")
    if isinstance(random_state, np.random.RandomState):
        # str() is the same for every RandomState: count its state instead (the stream the fit draws from).
        name, keys, *position = random_state.get_state()
        kept["random_state"] = [name, *position]
        arrays.append(keys)
    module = kept.get("module")
    if isinstance(module, torch.nn.Module):
        arrays += [t.detach().cpu().numpy() for t in module.state_dict().values()]
    return fingerprint(kept, X, y, *arrays)


def check_checkpoint_dir(directory):
    """Create ``directory`` now, so that a bad ``checkpoint_dir`` fails before the first epoch.

    Raises
    ------
    ValueError
        If it is a file (or lies under one), or cannot be created.
    """
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError, PermissionError) as exc:
        kind = "is a file, not a folder" if path.is_file() else f"cannot be created ({exc})"
        raise ValueError(
            f"checkpoint_dir={str(directory)!r} {kind}; pass a folder path (it is created when missing) "
            "or checkpoint_dir=None to train without checkpoints."
        ) from exc


def save_checkpoint(directory, state):
    """Write ``state`` (a dict of tensors and plain values) atomically to ``directory/checkpoint.pt``.

    Parameters
    ----------
    directory : str or os.PathLike
        Folder of the checkpoint; created when missing.
    state : dict
        What :func:`torch.save` can store, with a ``"fingerprint"`` entry.
    """
    write_record(Path(directory) / CHECKPOINT_NAME, state, dump=_torch_bytes)


def load_checkpoint(directory, expected_fingerprint):
    """Return the saved state when it belongs to this fit, else ``None``.

    A checkpoint that cannot be read (truncated, corrupt, written by an
    incompatible torch) is ignored with a :class:`~skscat.utils.RecordWarning`
    naming the file: the fit starts over and overwrites it.

    Parameters
    ----------
    directory : str or os.PathLike or None
        Checkpoint folder (``None``: no checkpointing).
    expected_fingerprint : str
        :func:`fit_fingerprint` of the fit being started.

    Returns
    -------
    dict or None
        Tensors are loaded on the CPU.
    """
    if directory is None:
        return None
    return read_record(Path(directory) / CHECKPOINT_NAME, match={"fingerprint": expected_fingerprint},
                       load=_torch_load)


def _torch_bytes(state):
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _torch_load(path):
    # weights_only=False: the state holds the history (plain Python) and a generator state; the file is
    # this estimator's own output, never a download.
    return torch.load(path, map_location="cpu", weights_only=False)
