"""Reading back the JSON record of a finished run; a damaged one is an error naming the file and the fix."""

import json

__all__ = ["RecordError", "read_record"]


class RecordError(ValueError):
    """A run record exists but cannot be used (not JSON, or not a record); the message names the file."""


def read_record(path, required=()):
    """The ``result`` row of the record at ``path``, holding at least the keys ``required``.

    Records are written atomically, so a damaged one was edited or corrupted
    on disk; deleting it makes the next invocation run that run again.

    Raises
    ------
    RecordError
        The file is not JSON, holds no ``{"spec": ..., "result": {...}}``, or
        its result lacks a required key.
    """
    fix = "delete it to run that run again, or point --output at another folder."
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"the run record {str(path)!r} is not valid JSON ({exc}); {fix}") from None
    if not isinstance(record, dict) or not isinstance(record.get("result"), dict) or "spec" not in record:
        raise RecordError(
            f"the run record {str(path)!r} holds no {{'spec': ..., 'result': {{...}}}} record; {fix}"
        )
    missing = [key for key in required if key not in record["result"]]
    if missing:
        raise RecordError(f"the run record {str(path)!r} has no {missing} in its result; {fix}")
    return record["result"]
