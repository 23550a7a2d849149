"""Image data sets in their official layouts, and the papers' evaluation protocols.

Loaders (all return a :class:`sklearn.utils.Bunch` with ``images``/``data`` of
shape (n, C, H, W), ``target``, ``target_names``, ``DESCR``; or ``(X, y)`` with
``return_X_y=True``). Pixels are float32 in [0, 1] by default, or the raw uint8
values with ``dtype="uint8"``. Nothing is downloaded unless ``download=True``.

- ``load_cifar10(data_home=None, *, subset="train"|"test"|"all", dtype="float32", download=False,
  return_X_y=False, verbose=False)``: ``cifar-10-batches-py/``.
- ``load_cifar100(data_home=None, *, subset=..., label_mode="fine"|"coarse", dtype=..., download=..., ...)``:
  ``cifar-100-python/``.
- ``load_caltech101(data_home=None, *, image_size=128, resize="crop"|"stretch", color="rgb"|"gray",
  keep_background=False, max_per_class=None, dtype=..., download=..., return_X_y=..., n_jobs=None,
  verbose=...)``:
  ``101_ObjectCategories/<class>/*.jpg`` (also found under ``caltech101/``; hidden entries skipped;
  ``image_size`` at most ``MAX_IMAGE_SIDE`` = 4096).
- ``load_stl10(data_home=None, *, subset="train"|"test"|"unlabeled", fold=None, dtype=...,
  download=..., ...)``:
  ``stl10_binary/``.

``data_home`` is the folder that holds the data set folder (e.g. ``../shared/data``)
or the data set folder itself; by default ``$SKSCAT_DATA`` or ``~/skscat_data``.

Protocols: :func:`small_sample_subset` (n training samples, n / n_classes per
class, one seed per call), :func:`per_class_subset`, :class:`PerClassSplit`
(Caltech-101's 30-per-class random splits, a CV splitter),
:func:`mean_per_class_accuracy` and ``mean_per_class_accuracy_scorer``.

Resizing: :func:`imresize` (MATLAB's bicubic ``imresize``, antialiased when
shrinking: ScatNetLight's preprocessing), :func:`resize_weights`.
:func:`caltech101_files` lists Caltech-101's files and labels without decoding.

Downloads: :func:`download_file` (resumable, checksum-verified),
:func:`extract_folder` (atomic), :func:`download_and_extract`, ``REMOTE``
(official URLs and MD5s).
"""

from ._base import DataFileError, get_data_home
from ._caltech import MAX_IMAGE_SIDE, caltech101_files, load_caltech101, read_image
from ._cifar import load_cifar10, load_cifar100
from ._download import (
    REMOTE,
    RemoteArchive,
    download_and_extract,
    download_file,
    extract_folder,
)
from ._protocols import (
    PerClassSplit,
    mean_per_class_accuracy,
    mean_per_class_accuracy_scorer,
    per_class_subset,
    small_sample_subset,
)
from ._resize import imresize, resize_weights
from ._stl10 import load_stl10

__all__ = [
    "MAX_IMAGE_SIDE",
    "REMOTE",
    "DataFileError",
    "PerClassSplit",
    "RemoteArchive",
    "caltech101_files",
    "download_and_extract",
    "download_file",
    "extract_folder",
    "get_data_home",
    "imresize",
    "load_caltech101",
    "load_cifar10",
    "load_cifar100",
    "load_stl10",
    "mean_per_class_accuracy",
    "mean_per_class_accuracy_scorer",
    "per_class_subset",
    "read_image",
    "resize_weights",
    "small_sample_subset",
]
