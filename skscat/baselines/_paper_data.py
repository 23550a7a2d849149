"""The images of the CVPR 2015 protocol, read at their own size, with their splits.

CIFAR-10/100: the official training images then the test images, in file
order. Caltech-101: the 101 classes (``BACKGROUND_Google`` dropped), classes
and files sorted by name, decoded one chunk at a time (greyscale files stay one
channel). Subsets for quick checks keep the first classes and the first images
of each class, so they are deterministic.
"""

import os
from dataclasses import dataclass

import numpy as np

from skscat.datasets import (
    PerClassSplit,
    caltech101_files,
    load_cifar10,
    load_cifar100,
    read_image,
)
from skscat.utils import fingerprint

__all__ = ["ImageSource", "load_source"]


@dataclass
class ImageSource:
    """The images a run scatters (all splits together) and how to read them."""

    dataset: str
    target: np.ndarray
    identity: str  # changes whenever the set or order of images does
    reader: object  # reader(indices) -> list of (C, H, W) uint8 arrays
    n_official_train: int = None  # CIFAR: the first rows are the official training set
    description: str = ""

    @property
    def n_images(self):
        return len(self.target)

    @property
    def n_classes(self):
        return len(np.unique(self.target))

    def read(self, rows):
        """Images ``rows`` (a slice or indices) as a list of (C, H, W) uint8 arrays."""
        return self.reader(rows)

    def splits(self, *, train_per_class, n_splits, seeds):
        """``(seed, split, train, test)`` of every run.

        CIFAR has one official split (the seeds and ``n_splits`` do not apply);
        Caltech-101 draws ``n_splits`` splits of ``train_per_class`` training
        images per class (the rest for test) from each seed.
        """
        if self.n_official_train is not None:
            train = np.arange(self.n_official_train)
            return [(0, 0, train, np.arange(self.n_official_train, self.n_images))]
        runs = []
        for seed in seeds:
            splitter = PerClassSplit(train_per_class, n_splits=n_splits, random_state=seed)
            for k, (train, test) in enumerate(splitter.split(self.target, self.target)):
                runs.append((seed, k, train, test))
        return runs


def _first_per_class(target, n_classes, max_per_class):
    """Indices (in order) of the first ``max_per_class`` samples of each of the first ``n_classes``."""
    keep = np.ones(len(target), dtype=bool) if n_classes is None else target < n_classes
    if max_per_class is not None:
        rank = np.zeros(len(target), dtype=np.int64)
        for label in np.unique(target):
            members = np.flatnonzero(target == label)
            rank[members] = np.arange(len(members))
        keep &= rank < max_per_class
    return np.flatnonzero(keep)


def _cifar(dataset, data_dir, n_classes, max_train_per_class, max_test_per_class):
    loader = load_cifar10 if dataset == "cifar10" else load_cifar100
    parts = []
    for subset, cap in (("train", max_train_per_class), ("test", max_test_per_class)):
        images, target = loader(data_dir, subset=subset, dtype="uint8", return_X_y=True)
        keep = _first_per_class(target, n_classes, cap)
        parts.append((images[keep], target[keep]))
    (X_train, y_train), (X_test, y_test) = parts
    pixels = np.concatenate([X_train, X_test])
    target = np.concatenate([y_train, y_test])
    return ImageSource(
        dataset,
        target,
        fingerprint(None, pixels, target),
        lambda rows: list(pixels[rows]),
        n_official_train=len(y_train),
        description=f"official split: {len(y_train)} train / {len(y_test)} test images",
    )


def _caltech(data_dir, n_classes, max_per_class):
    files = caltech101_files(data_dir, max_per_class=max_per_class)
    keep = _first_per_class(files.target, n_classes, None)
    paths, target = files.filenames[keep], files.target[keep]
    # Names and byte sizes identify the files (a changed file changes its size, in practice).
    relative = [f"{os.path.relpath(p, files.root)}:{os.path.getsize(p)}" for p in paths]

    def reader(rows):
        return [read_image(path, None, color="native") for path in paths[rows]]

    return ImageSource(
        "caltech101",
        target,
        fingerprint(relative),
        reader,
        description=f"{len(target)} images of {len(np.unique(target))} classes (BACKGROUND_Google dropped)",
    )


def load_source(
    dataset,
    data_dir,
    *,
    n_classes=None,
    max_per_class=None,
    max_train_per_class=None,
    max_test_per_class=None,
):
    """The images of ``dataset`` for the CVPR 2015 protocol (subsets for quick checks).

    Parameters
    ----------
    dataset : {"cifar10", "cifar100", "caltech101"}
    data_dir : str or os.PathLike
    n_classes : int, optional
        Keep the first classes only.
    max_per_class : int, optional
        Caltech-101: the first images (sorted by name) of each class.
    max_train_per_class, max_test_per_class : int, optional
        CIFAR: the first training / test images of each class (file order).

    Returns
    -------
    ImageSource
    """
    if dataset == "caltech101":
        return _caltech(data_dir, n_classes, max_per_class)
    return _cifar(dataset, data_dir, n_classes, max_train_per_class, max_test_per_class)
