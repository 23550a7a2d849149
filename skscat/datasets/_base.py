"""Helpers shared by the loaders: data home, folder lookup, pixel scaling, Bunch."""

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..utils._sklearn import StrOptions, validate_params

__all__ = [
    "DATA_HOME",
    "LOADER_CONSTRAINTS",
    "DataFileError",
    "as_images",
    "check_choice",
    "find_folder",
    "get_data_home",
    "make_bunch",
]

DTYPES = ("float32", "uint8")
#: Constraint of every ``data_home`` argument (a positional argument that is not a folder fails clearly).
DATA_HOME = [str, os.PathLike, None]
#: Constraints of the arguments every loader shares.
LOADER_CONSTRAINTS = {
    "data_home": DATA_HOME,
    "dtype": [StrOptions(set(DTYPES))],
    "download": ["boolean"],
    "return_X_y": ["boolean"],
    "verbose": ["verbose"],
}


class DataFileError(ValueError):
    """A data file exists but cannot be read (truncated, corrupt, wrong format).

    The message always names the offending file.
    """


@validate_params({"data_home": DATA_HOME}, prefer_skip_nested_validation=True)
def get_data_home(data_home=None):
    """Return the folder where skscat looks for (and downloads) data sets.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder to use. When ``None``, the ``SKSCAT_DATA`` environment variable
        is used, and ``~/skscat_data`` when that is unset too.

    Returns
    -------
    pathlib.Path
        The folder (not created here; downloads create it).

    Examples
    --------
    >>> from skscat.datasets import get_data_home
    >>> get_data_home("~/data").name
    'data'
    """
    if data_home is None:
        data_home = os.environ.get("SKSCAT_DATA", Path.home() / "skscat_data")
    return Path(data_home).expanduser()


def find_folder(data_home, folder, aliases=()):
    """Return ``data_home/folder`` or ``data_home/<alias>/folder``, or ``None``.

    ``data_home`` may also be the data set folder itself.
    """
    data_home = Path(data_home)
    if data_home.name == folder and data_home.is_dir():
        return data_home
    for candidate in [data_home / folder] + [data_home / alias / folder for alias in aliases]:
        if candidate.is_dir():
            return candidate
    return None


def missing_folder_error(data_home, folder, dataset):
    """A FileNotFoundError that says where the folder was looked for and how to get it."""
    return FileNotFoundError(
        f"{dataset}: no {folder!r} folder in {str(data_home)!r}. Point data_home at the folder that contains "
        f"{folder!r} (or at {folder!r} itself), or pass download=True to fetch it from the official site."
    )


def check_choice(name, value, choices):
    """Raise a ValueError naming the parameter when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not supported. Use one of {list(choices)}.")


def as_images(pixels, dtype):
    """Convert uint8 images (n, C, H, W) to the requested ``dtype``.

    ``"uint8"`` returns the raw 0..255 values; ``"float32"`` divides by 255 so
    the values lie in [0, 1].
    """
    check_choice("dtype", dtype, DTYPES)
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if dtype == "uint8":
        return pixels
    return pixels.astype(np.float32) / np.float32(255.0)


def make_bunch(images, target, target_names, descr, return_X_y, **extra):
    """Package a loader's result as ``(X, y)`` or a :class:`sklearn.utils.Bunch`."""
    target = np.asarray(target, dtype=np.int64)
    if return_X_y:
        return images, target
    return Bunch(
        data=images, images=images, target=target, target_names=np.asarray(target_names), DESCR=descr, **extra
    )


def read_bytes(path, expected_size=None):
    """Read a whole file; a missing or wrongly sized file raises an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"missing data file {str(path)!r}; the data set folder is incomplete.")
    data = path.read_bytes()
    if expected_size is not None and len(data) % expected_size:
        raise DataFileError(
            f"{str(path)!r} has {len(data)} bytes, not a multiple of the record size {expected_size}: "
            "the file is truncated or not in the official format. Delete it and download the data set again."
        )
    return data
