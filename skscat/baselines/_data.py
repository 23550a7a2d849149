"""Train/test splits of each data set under its paper's protocol."""

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skscat.datasets import (
    PerClassSplit,
    load_caltech101,
    load_cifar10,
    load_cifar100,
    load_stl10,
    small_sample_subset,
)
from skscat.utils._sklearn import StrOptions, validate_params

from ._options import CONSTRAINTS

__all__ = ["DATASETS", "Split", "default_J", "find_datasets", "image_side", "load_split"]

#: Data set name -> folder that marks its presence under a data folder.
DATASETS = {
    "digits": None,
    "cifar10": "cifar-10-batches-py",
    "cifar100": "cifar-100-python",
    "caltech101": "101_ObjectCategories",
    "stl10": "stl10_binary",
}
#: Data sets whose train/test split is fixed (a seed only matters with n_train).
FIXED_SPLIT = {"cifar10", "cifar100", "stl10"}


@dataclass
class Split:
    """One run's data: images (n, C, H, W) float32 in [0, 1] and labels.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n, C, H, W), float32
        Training and test images.
    y_train, y_test : ndarray of shape (n,)
        Their labels.
    protocol : str
        How the split was drawn (printed in the run's record).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    protocol: str

    @property
    def image_shape(self):
        """The ``(C, H, W)`` of the images."""
        return self.X_train.shape[1:]

    @property
    def n_classes(self):
        """The number of distinct training labels."""
        return len(np.unique(self.y_train))


def image_side(dataset, image_size):
    """Side of the images of ``dataset`` in a run: fixed by the data set, or ``image_size`` (Caltech-101)."""
    return {"digits": 8, "cifar10": 32, "cifar100": 32, "stl10": 96}.get(dataset, image_size)


def default_J(dataset, image_size):
    """The scale used when ``J`` is not given: 1 for 8x8 digits, 2 up to 64x64 images, 3 above."""
    if dataset == "digits":
        return 1
    return 2 if image_side(dataset, image_size) <= 64 else 3


@validate_params({"data_dir": CONSTRAINTS["data_dir"][:-1]}, prefer_skip_nested_validation=True)
def find_datasets(data_dir):
    """List the data sets present in ``data_dir``.

    Parameters
    ----------
    data_dir : str or os.PathLike
        Folder holding the data sets in their official layouts.

    Returns
    -------
    list of str
        The names of the data sets whose folder is in ``data_dir`` (or one level below); none when
        ``data_dir`` is not a folder.
    """
    root = Path(data_dir)
    if not root.is_dir():
        return []
    found = []
    for name, folder in DATASETS.items():
        if folder and (any(root.glob(folder)) or any(root.glob(f"*/{folder}"))):
            found.append(name)
    return found


@functools.lru_cache(maxsize=4)
def _load(dataset, data_dir, image_size, verbose):
    """Whole data set as ((X_train, y_train), (X_test, y_test)) or (X, y) for random-split sets."""
    if dataset == "digits":
        digits = load_digits()
        return (digits.images[:, None] / 16.0).astype(np.float32), digits.target
    if dataset == "caltech101":
        return load_caltech101(data_dir, image_size=image_size, return_X_y=True, n_jobs=2, verbose=verbose)
    loader, kwargs = {
        "cifar10": (load_cifar10, {}),
        "cifar100": (load_cifar100, {}),
        "stl10": (load_stl10, {}),
    }[dataset]
    return tuple(loader(data_dir, subset=subset, return_X_y=True, **kwargs) for subset in ("train", "test"))


@validate_params(
    {
        "dataset": [StrOptions(set(DATASETS))],
        "data_dir": CONSTRAINTS["data_dir"],
        **{name: CONSTRAINTS[name] for name in ("seed", "n_train", "image_size", "verbose")},
        "train_per_class": CONSTRAINTS["train_per_class"][:-1],
    },
    prefer_skip_nested_validation=True,
)
def load_split(
    dataset, data_dir=None, *, seed=0, n_train=None, train_per_class=30, image_size=32, verbose=False
):
    """Load the train/test data of one run.

    Parameters
    ----------
    dataset : {"digits", "cifar10", "cifar100", "caltech101", "stl10"}
    data_dir : str or os.PathLike, optional
        Folder holding the data set (not needed for digits).
    seed : int, default=0
        Seed of the random split / subset.
    n_train : int, optional
        Train on a balanced random subset of this size (the hybrid paper's
        small-sample protocol); None keeps the whole training set.
    train_per_class : int, default=30
        Caltech-101: training images per class (the rest are the test set).
    image_size : int, default=32
        Caltech-101: side of the square images (aspect kept, centre crop).
    verbose : bool, default=False
        Progress of the image reading (Caltech-101).

    Returns
    -------
    Split
        The images and labels of both sides.
    """
    if dataset != "digits" and data_dir is None:
        raise ValueError(f"dataset={dataset!r} needs a data folder (--data-dir); only 'digits' is built in.")
    key = str(data_dir) if data_dir is not None else None
    data = _load(dataset, key, image_size if dataset == "caltech101" else None, verbose)
    if dataset == "digits":
        split = _digits_split(*data, seed)
    elif dataset == "caltech101":
        split = _caltech_split(*data, seed, train_per_class)
    else:
        (X_train, y_train), (X_test, y_test) = data
        split = Split(X_train, y_train, X_test, y_test, "official train/test split")
    return split if n_train is None else _subsample(split, n_train, seed)


def _digits_split(X, y, seed):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    return Split(X_train, y_train, X_test, y_test, f"stratified half/half split, seed {seed}")


def _caltech_split(X, y, seed, train_per_class):
    train, test = next(PerClassSplit(train_per_class, n_splits=1, random_state=seed).split(X, y))
    return Split(
        X[train],
        y[train],
        X[test],
        y[test],
        f"{train_per_class} train per class, rest test, split seed {seed}",
    )


def _subsample(split, n_train, seed):
    keep = small_sample_subset(split.y_train, n_train, random_state=seed)
    return Split(
        split.X_train[keep],
        split.y_train[keep],
        split.X_test,
        split.y_test,
        f"{split.protocol}; balanced {n_train}-sample training subset "
        f"({n_train // split.n_classes} per class), seed {seed}",
    )
