"""STL-10 from the official ``stl10_binary`` layout.

``<split>_X.bin`` holds uint8 images of 3 x 96 x 96 bytes, each channel stored
column-major; ``<split>_y.bin`` one uint8 label per image in 1..10;
``class_names.txt`` one name per line; ``fold_indices.txt`` ten lines of
0-based indices into the training set (the official 1,000-image folds).
"""

from numbers import Integral

import numpy as np

from ..utils._sklearn import Interval, StrOptions, validate_params
from ._base import LOADER_CONSTRAINTS, DataFileError, as_images, make_bunch, read_bytes
from ._download import locate

__all__ = ["load_stl10"]

_SIDE = 96
_RECORD = 3 * _SIDE * _SIDE


def _read_images(path):
    data = np.frombuffer(read_bytes(path, expected_size=_RECORD), dtype=np.uint8)
    # Column-major per channel: swap the two spatial axes to get (C, H, W).
    return data.reshape(-1, 3, _SIDE, _SIDE).transpose(0, 1, 3, 2)


def _read_labels(path, n_images, n_classes):
    labels = np.frombuffer(read_bytes(path), dtype=np.uint8).astype(np.int64) - 1
    if len(labels) != n_images:
        raise DataFileError(
            f"{str(path)!r} holds {len(labels)} labels for {n_images} images: one of the two "
            "files is truncated. Download the data set again."
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise DataFileError(f"{str(path)!r} holds labels outside 1..{n_classes}: not an STL-10 label file.")
    return labels


def _read_lines(path):
    return [line.strip() for line in read_bytes(path).decode("utf-8").splitlines() if line.strip()]


def _read_fold(folder, fold, n_train):
    lines = _read_lines(folder / "fold_indices.txt")
    if not 0 <= fold < len(lines):
        raise ValueError(f"fold={fold!r} is out of range. Use an int in [0, {len(lines) - 1}] or None.")
    try:
        indices = np.asarray(lines[fold].split(), dtype=np.int64)
    except ValueError as exc:
        raise DataFileError(
            f"line {fold + 1} of {str(folder / 'fold_indices.txt')!r} is not a list of integers."
        ) from exc
    if len(indices) and (indices.min() < 0 or indices.max() >= n_train):
        raise DataFileError(
            f"{str(folder / 'fold_indices.txt')!r} indexes beyond the {n_train} training images."
        )
    return indices


@validate_params(
    {
        **LOADER_CONSTRAINTS,
        "subset": [StrOptions({"train", "test", "unlabeled"})],
        "fold": [Interval(Integral, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def load_stl10(
    data_home=None,
    *,
    subset="train",
    fold=None,
    dtype="float32",
    download=False,
    return_X_y=False,
    verbose=False,
):
    """Load STL-10 from the official ``stl10_binary`` folder.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``stl10_binary`` (the folder itself also works).
    subset : {"train", "test", "unlabeled"}, default="train"
        The 5,000 labelled training images, the 8,000 test images, or the
        100,000 unlabelled images (target -1).
    fold : int, optional
        With ``subset="train"``, keep only the official training fold ``fold``
        (0..9, 1,000 images each).
    dtype : {"float32", "uint8"}, default="float32"
        ``"float32"``: pixels in [0, 1]; ``"uint8"``: raw values 0..255.
    download : bool, default=False
        Fetch the official archive (2.6 GB, MD5-checked) when the folder is missing.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    verbose : bool, default=False
        Progress bar while downloading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images``/``data`` (n, 3, 96, 96), ``target`` (0-based; -1 when
        unlabelled), ``target_names``, ``DESCR``.

    Examples
    --------
    With the data set in ``$SKSCAT_DATA`` (or pass its folder):

    >>> from skscat.datasets import load_stl10
    >>> X, y = load_stl10(subset="test", return_X_y=True)
    >>> X.shape[1:], bool(y.min() >= 0)
    ((3, 96, 96), True)
    >>> bool((load_stl10(subset="unlabeled").target == -1).all())
    True
    """
    if fold is not None and subset != "train":
        raise ValueError(
            f"fold={fold!r} only applies to subset='train' (got subset={subset!r}); use fold=None."
        )
    folder = locate("stl10", data_home, download=download, verbose=verbose)
    names = _read_lines(folder / "class_names.txt")
    images = _read_images(folder / f"{subset}_X.bin")
    if subset == "unlabeled":
        target = np.full(len(images), -1, dtype=np.int64)
    else:
        target = _read_labels(folder / f"{subset}_y.bin", len(images), len(names))
    if fold is not None:
        keep = _read_fold(folder, fold, len(images))
        images, target = images[keep], target[keep]
    descr = (
        f"STL-10 ({subset}{'' if fold is None else f', fold {fold}'}): {len(target)} colour images of "
        f"96x96 pixels, {len(names)} classes, from {folder}."
    )
    return make_bunch(as_images(images, dtype), target, names, descr, return_X_y)
