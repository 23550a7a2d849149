"""Resumable records: a fingerprint of what a result depends on, written and read back atomically.

The baselines runner, the analysis report, the CNN checkpoints and the docs
scripts all store finished work so that a rerun skips it. They share this
mechanism: :func:`fingerprint` names what the work depends on,
:func:`write_record` stores it atomically (a reader never sees half a file;
the file follows the umask), and :func:`read_record` gives it back only when
it is readable and belongs to the same work. A record that cannot be read
(truncated, corrupt, from an incompatible version) is a cache miss with a
:class:`RecordWarning`, never an error that blocks the rerun: recomputing is
always correct, and the new record replaces the bad one.
"""

import hashlib
import importlib.util
import io
import json
import warnings
from pathlib import Path

import numpy as np

from ._io import atomic_write_bytes

__all__ = [
    "RecordError",
    "RecordWarning",
    "fingerprint",
    "load_npz",
    "npz_bytes",
    "read_record",
    "source_fingerprint",
    "write_record",
]


class RecordWarning(UserWarning):
    """A stored record could not be read; the work is done again and the record rewritten."""


class RecordError(ValueError):
    """A stored record could not be read, and its reader asked for an error (``on_error="raise"``)."""


def fingerprint(description, *arrays):
    """Hex SHA-1 of a JSON-able ``description`` (keys sorted) and of ``arrays`` (shape, dtype, bytes).

    A name for stored work, not a security measure. Without arrays it is the
    digest of ``json.dumps(description, sort_keys=True, default=str)``, the
    key the baselines runner has always used.

    Parameters
    ----------
    description : JSON-able
        What the work depends on; values JSON cannot hold are written with ``str``.
    *arrays : array-like
        Data the work depends on.

    Returns
    -------
    str
        40 hexadecimal digits.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.utils import fingerprint
    >>> fingerprint({"J": 2, "L": 8}) == fingerprint({"L": 8, "J": 2})
    True
    >>> fingerprint({"J": 2}, np.zeros(3)) == fingerprint({"J": 2}, np.zeros(4))
    False
    """
    digest = hashlib.sha1(json.dumps(description, sort_keys=True, default=str).encode())
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(repr((array.shape, array.dtype.str)).encode())
        digest.update(array.data)
    return digest.hexdigest()


def _source_files(module):
    """The ``.py`` files of ``module``: the file of a module, every file under a package's folder."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):  # a missing parent package; __main__ without a spec
        spec = None
    if spec is None or spec.origin is None:
        raise ValueError(f"module {module!r} is not importable, so its source cannot be fingerprinted.")
    origin = Path(spec.origin)
    if spec.submodule_search_locations is None:
        return [(module, origin)]
    return [(f"{module}:{path.relative_to(origin.parent).as_posix()}", path) for path in sorted(origin.parent.rglob("*.py"))]


def source_fingerprint(*modules):
    """Hex SHA-1 of the source files of ``modules`` (a package counts with all its files).

    Cached results keyed by it are recomputed whenever the code that made them
    changes, even inside one development version, where the version string
    stays the same. Any edit counts (a comment too): recomputing is safe, a
    stale result is not.

    Parameters
    ----------
    *modules : str
        Importable module or package names, e.g. ``"skscat.scattering"``.

    Returns
    -------
    str
        40 hexadecimal digits.

    Examples
    --------
    >>> from skscat.utils._records import source_fingerprint
    >>> source_fingerprint("skscat.scattering") == source_fingerprint("skscat.scattering")
    True
    >>> source_fingerprint("skscat.scattering") == source_fingerprint("skscat.svm")
    False
    """
    digest = hashlib.sha1()
    for module in modules:
        for name, path in _source_files(module):
            digest.update(name.encode() + b"\0")
            digest.update(hashlib.sha1(path.read_bytes()).digest())
    return digest.hexdigest()


def write_record(path, record, *, dump=None):
    """Store ``record`` at ``path`` atomically (folders created on demand).

    Parameters
    ----------
    path : str or os.PathLike
        Destination.
    record : object
        A JSON-able dict by default; whatever ``dump`` accepts otherwise.
    dump : callable, default=None
        ``dump(record) -> bytes``; ``None`` writes indented JSON.
    """
    data = (json.dumps(record, indent=1) + "\n").encode() if dump is None else dump(record)
    atomic_write_bytes(path, data)


def read_record(path, *, match=None, load=None, on_error="warn"):
    """The record stored at ``path`` when it exists, is readable and matches; else ``None``.

    Parameters
    ----------
    path : str or os.PathLike
        Where :func:`write_record` stored it.
    match : dict, default=None
        Entries the record must hold with these values (e.g.
        ``{"fingerprint": key}``); with JSON records, compared as JSON
        stores them (tuples become lists).
    load : callable, default=None
        ``load(path) -> mapping``; ``None`` reads JSON.
    on_error : {"warn", "raise"}, default="warn"
        A record that cannot be read: ``"warn"``, a cache miss with a
        :class:`RecordWarning` (the work is redone and the file replaced);
        ``"raise"``, a ``RecordError`` (a ``ValueError``) naming the file and the fix, for
        records that hold work too costly to redo unasked.

    Returns
    -------
    mapping or None
        ``None`` when the file is missing, belongs to other work, or cannot
        be read with ``on_error="warn"`` (then with a :class:`RecordWarning`
        naming the file).

    Raises
    ------
    RecordError
        With ``on_error="raise"``, when the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skscat.utils import fingerprint, read_record, write_record
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.json"
    >>> key = fingerprint({"lr": 0.1})
    >>> write_record(path, {"fingerprint": key, "accuracy": 0.9})
    >>> read_record(path, match={"fingerprint": key})["accuracy"]
    0.9
    >>> read_record(path, match={"fingerprint": fingerprint({"lr": 0.2})}) is None
    True
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8")) if load is None else load(path)
    except Exception as exc:  # whatever the reader raised (pickle, zip, JSON, torch errors), the file is unreadable
        reason = f"The stored record {str(path)!r} cannot be read ({type(exc).__name__}: {exc})"
        if on_error == "raise":
            raise RecordError(f"{reason}; delete it to redo that work.") from exc
        warnings.warn(f"{reason}; recomputing it and overwriting the file.", RecordWarning, stacklevel=2)
        return None
    if match and load is None:
        match = json.loads(json.dumps(match, default=str))
    if match and not all(_get(record, key) == value for key, value in match.items()):
        return None
    return record


def _get(record, key):
    try:
        return record[key]
    except (KeyError, TypeError, IndexError):
        return None


def npz_bytes(arrays):
    """``np.savez`` of a dict of arrays, as bytes (a ``dump`` for :func:`write_record`)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def load_npz(path):
    """Every array of an ``.npz`` file, read eagerly without pickles (a ``load`` for :func:`read_record`)."""
    with np.load(path, allow_pickle=False) as saved:
        return {key: saved[key] for key in saved.files}
