"""CIFAR-10 and CIFAR-100 from the official "python version" pickles."""

import pickle
from pathlib import Path

import numpy as np

from ..utils._sklearn import StrOptions, validate_params
from ._base import LOADER_CONSTRAINTS, DataFileError, as_images, make_bunch
from ._download import locate

__all__ = ["load_cifar10", "load_cifar100"]

_CIFAR10_FILES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
_CIFAR100_FILES = {"train": ["train"], "test": ["test"]}
_SUBSETS = ("train", "test", "all")

_DESCR = (
    "{name} ({subset}): {n} colour images of 32x32 pixels, {k} classes, from the official python-version "
    "pickles in {folder}. images: (n, 3, 32, 32) {dtype}; target: class indices into target_names."
)


def _unpickle(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"missing data file {str(path)!r}; the CIFAR folder is incomplete.")
    try:
        with open(path, "rb") as f:
            content = pickle.load(f, encoding="latin1")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as exc:
        raise DataFileError(
            f"{str(path)!r} is not a readable CIFAR pickle ({type(exc).__name__}: {exc}); it is truncated or "
            "corrupt. Delete the folder and download the data set again."
        ) from exc
    if not isinstance(content, dict):
        raise DataFileError(f"{str(path)!r} holds a {type(content).__name__}, not a CIFAR dictionary.")
    return {_text(key): value for key, value in content.items()}


def _text(value):
    """Decode bytes written by Python 3 pickles (``b"data"``); leave str alone."""
    return value.decode("latin1") if isinstance(value, bytes) else value


def _read_batch(path, label_key):
    batch = _unpickle(path)
    if "data" not in batch or label_key not in batch:
        raise DataFileError(f"{str(path)!r} has no 'data'/{label_key!r} entries: not a CIFAR batch file.")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch[label_key], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise DataFileError(
            f"{str(path)!r} holds data of shape {data.shape} and {len(labels)} labels; expected (n, 3072) "
            "and n labels (official CIFAR layout)."
        )
    filenames = batch.get("filenames", [""] * len(data))
    filenames = np.asarray([_text(name) for name in filenames], dtype=object)
    return data.reshape(-1, 3, 32, 32), labels, filenames


def _load(folder, files, subset, label_key):
    names = files["train"] + files["test"] if subset == "all" else files[subset]
    parts = [_read_batch(folder / name, label_key) for name in names]
    return [np.concatenate(column) for column in zip(*parts)]


@validate_params(
    {**LOADER_CONSTRAINTS, "subset": [StrOptions(set(_SUBSETS))]}, prefer_skip_nested_validation=True
)
def load_cifar10(
    data_home=None, *, subset="train", dtype="float32", download=False, return_X_y=False, verbose=False
):
    """Load CIFAR-10 from the official ``cifar-10-batches-py`` folder.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``cifar-10-batches-py`` (the folder itself also works).
        Defaults to :func:`get_data_home`.
    subset : {"train", "test", "all"}, default="train"
        ``data_batch_1`` .. ``data_batch_5``, ``test_batch``, or both (train first).
    dtype : {"float32", "uint8"}, default="float32"
        ``"float32"``: pixels scaled to [0, 1]; ``"uint8"``: raw values 0..255.
    download : bool, default=False
        Fetch the official archive (163 MB, MD5-checked) into ``data_home`` when
        the folder is missing. Nothing is downloaded unless this is True.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    verbose : bool, default=False
        Progress bar while downloading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (and its alias ``data``): array (n, 3, 32, 32); ``target``:
        int64 array (n,); ``target_names``: the 10 class names;
        ``filenames``: the official file names; ``DESCR``.

    Examples
    --------
    With the data set in ``$SKSCAT_DATA`` (or pass its folder):

    >>> from skscat.datasets import load_cifar10
    >>> cifar = load_cifar10(subset="test")
    >>> print(cifar.images.shape[1:], cifar.images.dtype, cifar.target_names[0])
    (3, 32, 32) float32 airplane
    >>> X, y = load_cifar10(dtype="uint8", return_X_y=True)
    >>> X.dtype, y.dtype
    (dtype('uint8'), dtype('int64'))
    """
    folder = locate("cifar10", data_home, download=download, verbose=verbose)
    meta = _unpickle(folder / "batches.meta")
    names = [_text(name) for name in meta["label_names"]]
    images, target, filenames = _load(folder, _CIFAR10_FILES, subset, "labels")
    _check_labels(target, len(names), folder)
    descr = _DESCR.format(
        name="CIFAR-10", subset=subset, n=len(target), k=len(names), folder=folder, dtype=dtype
    )
    return make_bunch(as_images(images, dtype), target, names, descr, return_X_y, filenames=filenames)


@validate_params(
    {
        **LOADER_CONSTRAINTS,
        "subset": [StrOptions(set(_SUBSETS))],
        "label_mode": [StrOptions({"fine", "coarse"})],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar100(
    data_home=None,
    *,
    subset="train",
    label_mode="fine",
    dtype="float32",
    download=False,
    return_X_y=False,
    verbose=False,
):
    """Load CIFAR-100 from the official ``cifar-100-python`` folder.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``cifar-100-python`` (the folder itself also works).
    subset : {"train", "test", "all"}, default="train"
        The ``train`` file, the ``test`` file, or both (train first).
    label_mode : {"fine", "coarse"}, default="fine"
        The 100 fine classes or the 20 superclasses.
    dtype : {"float32", "uint8"}, default="float32"
        ``"float32"``: pixels scaled to [0, 1]; ``"uint8"``: raw values 0..255.
    download : bool, default=False
        Fetch the official archive (161 MB, MD5-checked) when the folder is missing.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    verbose : bool, default=False
        Progress bar while downloading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images``/``data`` (n, 3, 32, 32), ``target``, ``target_names``, ``filenames``, ``DESCR``.

    Examples
    --------
    With the data set in ``$SKSCAT_DATA`` (or pass its folder):

    >>> from skscat.datasets import load_cifar100
    >>> X, y = load_cifar100(label_mode="coarse", return_X_y=True)
    >>> X.shape[1:], bool(y.max() < 20)
    ((3, 32, 32), True)
    >>> len(load_cifar100(subset="test").target_names)
    100
    """
    folder = locate("cifar100", data_home, download=download, verbose=verbose)
    meta = _unpickle(folder / "meta")
    names = [_text(name) for name in meta[f"{label_mode}_label_names"]]
    images, target, filenames = _load(folder, _CIFAR100_FILES, subset, f"{label_mode}_labels")
    _check_labels(target, len(names), folder)
    descr = _DESCR.format(
        name=f"CIFAR-100 ({label_mode})",
        subset=subset,
        n=len(target),
        k=len(names),
        folder=folder,
        dtype=dtype,
    )
    return make_bunch(as_images(images, dtype), target, names, descr, return_X_y, filenames=filenames)


def _check_labels(target, n_classes, folder):
    if len(target) and (target.min() < 0 or target.max() >= n_classes):
        raise DataFileError(
            f"labels in {str(folder)!r} range over [{target.min()}, {target.max()}] but the meta file names "
            f"{n_classes} classes: the folder mixes files from different data sets."
        )
