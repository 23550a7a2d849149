"""Opt-in downloads: resumable, checksum-verified, atomically extracted.

Nothing here runs unless a loader is called with ``download=True`` (or these
functions are called directly).

* :func:`download_file` streams into ``<name>.part``; an interrupted download
  leaves only that file, and the next call resumes it with an HTTP ``Range``
  request (or restarts from zero when the server ignores ranges). The file
  gets its final name only once its checksum matches; on a mismatch the
  partial file is deleted and a ValueError names the URL and both digests.
* :func:`extract_folder` unpacks into a temporary folder beside the
  destination and moves the wanted folder into place with one
  :func:`os.replace`, so an interruption never leaves a half-extracted data set.
"""

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from numbers import Real
from pathlib import Path

from tqdm.auto import tqdm

from ..utils._sklearn import Interval, StrOptions, validate_params
from ._base import (
    DATA_HOME,
    DataFileError,
    find_folder,
    get_data_home,
    missing_folder_error,
)

__all__ = [
    "REMOTE",
    "RemoteArchive",
    "download_and_extract",
    "download_file",
    "extract_folder",
    "file_digest",
    "locate",
]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteArchive:
    """Where a data set is published and what its archive holds.

    Parameters
    ----------
    title : str
        Human-readable name used in messages.
    url : str
        Download address of the archive.
    checksum : str
        Hex digest of the archive.
    folder : str
        Name of the data folder inside the archive (found at any depth).
    subdir : str, default=""
        Sub-folder of ``data_home`` that receives ``folder``.
    inner : str, optional
        Name of an archive nested inside the downloaded one that holds ``folder``.
    algorithm : str, default="md5"
        :mod:`hashlib` algorithm of ``checksum``.

    Examples
    --------
    >>> from skscat.datasets import REMOTE
    >>> caltech = REMOTE["caltech101"]
    >>> caltech.filename, caltech.folder, caltech.aliases
    ('caltech-101.zip', '101_ObjectCategories', ('caltech101',))
    """

    title: str
    url: str
    checksum: str
    folder: str
    subdir: str = ""
    inner: str = None
    algorithm: str = "md5"

    @property
    def aliases(self):
        """Sub-folders of ``data_home`` where ``folder`` may already be."""
        return (self.subdir,) if self.subdir else ()

    @property
    def filename(self):
        """Local file name of the archive."""
        return self.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


REMOTE = {
    "cifar10": RemoteArchive(
        "CIFAR-10",
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        "c58f30108f718f92721af3b95e74349a",
        "cifar-10-batches-py",
    ),
    "cifar100": RemoteArchive(
        "CIFAR-100",
        "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        "eb9058c3a382ffc7106e4002c42a8d85",
        "cifar-100-python",
    ),
    "stl10": RemoteArchive(
        "STL-10",
        "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
        "91f7769df0f17e558f3565bffb0c7dfb",
        "stl10_binary",
    ),
    "caltech101": RemoteArchive(
        "Caltech-101",
        "https://data.caltech.edu/records/mzrjq-6wc02/files/caltech-101.zip",
        "3138e1922a9193bfa496528edbbc45d0",
        "101_ObjectCategories",
        subdir="caltech101",
        inner="101_ObjectCategories.tar.gz",
    ),
}


def file_digest(path, algorithm="md5"):
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open(url, offset, timeout):
    """Open ``url`` from byte ``offset``; return (response, resumed)."""
    headers = {"User-Agent": "skscat"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    resumed = bool(offset) and response.status == 206 and _range_start(response) == offset
    return response, resumed


def _range_start(response):
    content_range = response.headers.get("Content-Range", "")
    try:
        return int(content_range.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1


def _stream(response, part, resumed, offset, verbose):
    """Copy the response body into ``part`` (appending when resumed)."""
    length = int(response.headers.get("Content-Length") or 0)
    start = offset if resumed else 0
    total = start + length if length else None
    with (
        open(part, "ab" if resumed else "wb") as f,
        tqdm(
            total=total, initial=start, unit="B", unit_scale=True, desc=part.name[:-5], disable=not verbose
        ) as bar,
    ):
        try:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                f.write(chunk)
                bar.update(len(chunk))
        except http.client.HTTPException as exc:  # IncompleteRead: the server closed early
            raise OSError(
                f"download of {part.name[:-5]!r} was cut ({exc!r}); call again to resume it."
            ) from exc
    written = part.stat().st_size
    if total is not None and written != total:
        raise OSError(
            f"download of {part.name[:-5]!r} stopped at {written} of {total} bytes; call again to resume it."
        )


@validate_params(
    {
        "url": [str],
        "path": [str, os.PathLike],
        "checksum": [str],
        "algorithm": [StrOptions(set(hashlib.algorithms_available))],
        "verbose": ["verbose"],
        "timeout": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def download_file(url, path, *, checksum, algorithm="md5", verbose=False, timeout=60):
    """Download ``url`` to ``path``, resuming a previous partial download.

    Parameters
    ----------
    url : str
        Address of the file.
    path : str or os.PathLike
        Final location; the file appears there only once its checksum matches.
    checksum : str
        Expected hex digest.
    algorithm : str, default="md5"
        :mod:`hashlib` algorithm of ``checksum``.
    verbose : bool, default=False
        Show a tqdm progress bar in bytes.
    timeout : float, default=60
        Socket timeout in seconds.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        The downloaded bytes do not match ``checksum`` (the partial file is deleted).
    OSError
        The connection failed or was cut; ``<path>.part`` is kept and the next
        call resumes from it.
    """
    path = Path(path)
    if path.is_file() and file_digest(path, algorithm) == checksum:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    try:
        response, resumed = _open(url, offset, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code != 416:  # 416: nothing left to send, the part may already be complete
            raise
    else:
        with response:
            _stream(response, part, resumed, offset, verbose)
    _verify(url, part, checksum, algorithm)
    os.replace(part, path)
    return path


def _verify(url, part, checksum, algorithm):
    got = file_digest(part, algorithm)
    if got != checksum.lower():
        part.unlink(missing_ok=True)
        raise ValueError(
            f"checksum mismatch for {url}: expected {algorithm} {checksum}, got {got}. The download was "
            "deleted; the server sent different bytes (a changed file, a proxy or a captive portal). "
            "Try again later."
        )


def _unpack(archive, dest):
    """Extract a tar (any compression) or zip archive into ``dest``."""
    archive = Path(archive)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                z.extractall(dest)
        else:
            with tarfile.open(archive) as t:
                t.extractall(dest, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataFileError(
            f"cannot extract {str(archive)!r} ({type(exc).__name__}: {exc}): the archive is "
            "truncated or corrupt. Delete it and download again."
        ) from exc


def _find(root, name, want_dir):
    """First path named ``name`` under ``root`` (shallowest first)."""
    matches = sorted(
        (p for p in Path(root).rglob(name) if p.is_dir() == want_dir), key=lambda p: len(p.parts)
    )
    return matches[0] if matches else None


@validate_params(
    {"archive": [str, os.PathLike], "dest": [str, os.PathLike], "inner": [str, None]},
    prefer_skip_nested_validation=True,
)
def extract_folder(archive, dest, *, inner=None):
    """Extract the folder ``dest.name`` from ``archive`` to ``dest``, atomically.

    Parameters
    ----------
    archive : str or os.PathLike
        A tar (gz, bz2, xz) or zip archive.
    dest : str or os.PathLike
        Final folder; its name is looked up (at any depth) inside the archive.
    inner : str, optional
        Name of a nested archive holding the folder (Caltech-101's zip holds
        ``101_ObjectCategories.tar.gz``).

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".extracting", dir=dest.parent))
    try:
        _unpack(archive, tmp / "outer")
        root = tmp / "outer"
        if inner is not None:
            nested = _find(root, inner, want_dir=False)
            if nested is None:
                raise DataFileError(f"{str(archive)!r} holds no {inner!r}: not the expected archive.")
            _unpack(nested, tmp / "inner")
            root = tmp / "inner"
        found = _find(root, dest.name, want_dir=True)
        if found is None:
            raise DataFileError(f"{str(archive)!r} holds no {dest.name!r} folder: not the expected archive.")
        os.replace(found, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


@validate_params(
    {"remote": [RemoteArchive], "data_home": DATA_HOME[:-1], "verbose": ["verbose"], "keep_archive": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def download_and_extract(remote, data_home, *, verbose=False, keep_archive=False):
    """Download ``remote`` into ``data_home`` and extract its folder.

    Parameters
    ----------
    remote : RemoteArchive
        What to fetch (see ``REMOTE`` for the official data sets).
    data_home : str or os.PathLike
        Receives ``<subdir>/<folder>``.
    verbose : bool, default=False
        Progress bar.
    keep_archive : bool, default=False
        Keep the downloaded archive after a successful extraction.

    Returns
    -------
    pathlib.Path
        The extracted data folder.
    """
    data_home = Path(data_home)
    dest = data_home / remote.subdir / remote.folder
    if dest.is_dir():
        return dest
    archive = data_home / remote.filename
    download_file(remote.url, archive, checksum=remote.checksum, algorithm=remote.algorithm, verbose=verbose)
    extract_folder(archive, dest, inner=remote.inner)
    if not keep_archive:
        archive.unlink(missing_ok=True)
    return dest


def locate(key, data_home=None, *, download=False, verbose=False):
    """Find the folder of data set ``key`` (a ``REMOTE`` key), downloading it if asked.

    Raises
    ------
    FileNotFoundError
        The folder is not there and ``download`` is False; the message says
        where it was looked for and how to get it.
    """
    remote = REMOTE[key]
    home = get_data_home(data_home)
    folder = find_folder(home, remote.folder, aliases=remote.aliases)
    if folder is None and download:
        folder = download_and_extract(remote, home, verbose=verbose)
    if folder is None:
        raise missing_folder_error(home, remote.folder, remote.title)
    return folder
