"""What every baseline option accepts, written once.

The public functions check their arguments against ``CONSTRAINTS`` with
scikit-learn's ``validate_params``; the command turns the same constraints into
argparse types (:func:`option_type`), so a bad value on the command line is a
usage error (exit status 2) that names the option, and the same value passed
to the function is an ``InvalidParameterError`` (a ``ValueError`` and a
``TypeError``) that names the parameter.
"""

import argparse
import os
from numbers import Integral
from pathlib import Path

from skscat.datasets import MAX_IMAGE_SIDE
from skscat.utils._sklearn import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

__all__ = ["CONSTRAINTS", "MAX_J", "MAX_L", "check_folder", "check_seeds", "folder_type", "option_type"]

#: 2**MAX_J is the largest image side the loaders produce (MAX_IMAGE_SIDE).
MAX_J = MAX_IMAGE_SIDE.bit_length() - 1
#: Each orientation adds J filters of the image's size; beyond 64 the filter bank only costs memory.
MAX_L = 64
_POSITIVE = Interval(Integral, 1, None, closed="left")
_PATH = [str, os.PathLike]

CONSTRAINTS = {
    "J": [Interval(Integral, 1, MAX_J, closed="both"), None],
    "L": [Interval(Integral, 1, MAX_L, closed="both")],
    "n_train": [_POSITIVE, None],
    "train_per_class": [_POSITIVE, None],
    "image_size": [Interval(Integral, 1, MAX_IMAGE_SIDE, closed="both"), None],
    "seed": [Interval(Integral, 0, 2**32 - 1, closed="both")],
    "batch_size": [_POSITIVE],
    "n_splits": [_POSITIVE],
    "n_atoms_per_class": [_POSITIVE, None],
    "n_rounds": [_POSITIVE, None],
    "chunk_size": [_POSITIVE],
    "n_classes": [Interval(Integral, 2, None, closed="left"), None],
    "max_per_class": [_POSITIVE, None],
    "max_train_per_class": [_POSITIVE, None],
    "max_test_per_class": [_POSITIVE, None],
    "data_dir": [*_PATH, None],
    "output_dir": _PATH,
    "cache_dir": [*_PATH, None],
    "device": [str],
    "verbose": ["verbose"],
    # Sequences (a list, a tuple, a range, an array); a bare string is refused, not read letter by letter.
    "datasets": ["array-like"],
    "methods": ["array-like"],
    "seeds": ["array-like"],
}


def option_type(name):
    """An argparse ``type``: the text as an int, checked against ``CONSTRAINTS[name]``.

    Raises
    ------
    argparse.ArgumentTypeError
        argparse prints it after the option's name and exits with status 2.
    """

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        try:
            validate_parameter_constraints({name: CONSTRAINTS[name]}, {name: value}, caller_name="skscat-baselines")
        except InvalidParameterError:
            allowed = " or ".join(str(c) for c in CONSTRAINTS[name] if c is not None)
            raise argparse.ArgumentTypeError(f"must be {allowed}; got {text!r}") from None
        return value

    parse.__name__ = "int"
    return parse


def check_seeds(seeds, caller_name):
    """``seeds`` as a list of distinct ints in [0, 2**32 - 1] (a repeated seed would repeat a run)."""
    seeds = list(seeds)
    for seed in seeds:
        validate_parameter_constraints({"seed": CONSTRAINTS["seed"]}, {"seed": seed}, caller_name=caller_name)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds={seeds!r} must be one or more distinct seeds.")
    return seeds


def check_folder(path, name=None):
    """Raise a ValueError naming ``name`` (and ``path``) when ``path`` cannot become a folder of ours.

    The path must be a folder or not exist yet, and its first existing
    ancestor must be a writable folder (nothing is created here).
    """
    path = Path(path)
    what = repr(str(path)) if name is None else f"{name}={str(path)!r}"
    if path.exists() and not path.is_dir():
        raise ValueError(f"{what} is a file, not a folder; give a folder (it is created if missing).")
    ancestor = next((p for p in (path, *path.parents) if p.exists()), Path("."))  # "." or "/" at the latest
    if not ancestor.is_dir():
        raise ValueError(f"{what} lies under the file {str(ancestor)!r}; give a folder path.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(f"{what}: cannot write in {str(ancestor)!r}; give a writable folder.")
    return path


def folder_type():
    """An argparse ``type`` for an output folder (see :func:`check_folder`)."""

    def parse(text):
        if not text:
            raise argparse.ArgumentTypeError("an empty path is not a folder")
        try:
            return str(check_folder(text))
        except (ValueError, OSError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = "folder"
    return parse
