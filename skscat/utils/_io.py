"""Atomic file writes: a reader never sees a half-written result."""

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text"]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; move it into place on success.

    The temporary file lives in the same folder, so the final
    :func:`os.replace` is atomic on POSIX and Windows. If the block raises,
    the temporary file is removed and ``path`` is left untouched. The file is
    created with mode 0o666 minus the umask, like any file ``open`` creates
    (``tempfile.mkstemp`` would make it private, 0o600).

    Parameters
    ----------
    path : str or os.PathLike
        Final destination.

    Yields
    ------
    pathlib.Path
        Where to write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; a reader sees the old file or the whole new one, never a part.
    data : bytes
        Content.
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; a reader sees the old file or the whole new one, never a part.
    text : str
        Content.
    encoding : str, default="utf-8"
        Encoding of ``text``.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
