"""The result of a finished run, read back through skscat.utils records; a damaged record is an error.

Also the one grouping of run rows by (data set, method or representation) that the tables and the figure use.

A run's record holds work that may have taken hours, and records are written
atomically, so a damaged one was edited or corrupted on disk: the command
stops with an error naming the file (``on_error="raise"``) instead of
silently redoing the run.
"""

import json

from skscat.utils._records import RecordError
from skscat.utils._records import read_record as _read_record

__all__ = ["RecordError", "group_rows", "read_result"]


def read_result(path, required=()):
    """The ``result`` of the run record at ``path``, holding at least the keys ``required``.

    Raises
    ------
    RecordError
        The file is not JSON, holds no ``{"spec": ..., "result": {...}}``, or its result lacks a
        required key; the message names the file and says to delete it to run that run again.
    """

    def load(path):
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("result"), dict) or "spec" not in record:
            raise ValueError("it holds no {'spec': ..., 'result': {...}} run record")
        missing = [key for key in required if key not in record["result"]]
        if missing:
            raise ValueError(f"its result has no {missing}")
        return record

    return _read_record(path, load=load, on_error="raise")["result"]


def group_rows(rows, keys):
    """The rows grouped by their values of ``keys`` (a tuple per group), groups in first-seen order."""
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in keys), []).append(row)
    return groups
