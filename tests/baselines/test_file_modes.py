"""Results, run records, feature chunks and checkpoints follow the umask, like a file open() creates (issue 16)."""

import os
import stat

import pytest

from skscat.baselines import run_baselines
from skscat.networks._checkpoint import CHECKPOINT_NAME, save_checkpoint
from skscat.utils import atomic_path, atomic_write_bytes, atomic_write_text


@pytest.fixture(params=[0o022, 0o027, 0o077, 0o002])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _plain_open_mode(tmp_path):
    with open(tmp_path / "plain", "w"):
        pass
    return _mode(tmp_path / "plain")


def test_atomic_writes_follow_the_umask(tmp_path, umask):
    expected = 0o666 & ~umask
    assert _plain_open_mode(tmp_path) == expected
    atomic_write_text(tmp_path / "a.txt", "text")
    atomic_write_bytes(tmp_path / "sub" / "b.bin", b"bytes")
    with atomic_path(tmp_path / "c.npy") as tmp, open(tmp, "wb") as f:
        f.write(b"chunk")
    (tmp_path / "d.txt").write_text("old")
    os.chmod(tmp_path / "d.txt", 0o600)
    atomic_write_text(tmp_path / "d.txt", "replaced")  # a new file: the umask's mode, as after rm + open
    for name in ("a.txt", "sub/b.bin", "c.npy", "d.txt"):
        assert _mode(tmp_path / name) == expected, name
    assert not list(tmp_path.rglob("*.tmp"))


def test_checkpoints_follow_the_umask(tmp_path, umask):
    save_checkpoint(tmp_path / "ckpt", {"epoch": 3})
    assert _mode(tmp_path / "ckpt" / CHECKPOINT_NAME) == 0o666 & ~umask


def test_results_and_run_records_follow_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        run_baselines(methods=["pixels-svm"], output_dir=tmp_path, cache_dir=None, verbose=False, log=print)
    finally:
        os.umask(previous)
    written = [tmp_path / "results.csv", tmp_path / "results.md", *(tmp_path / "runs").glob("*.json")]
    assert len(written) == 3 and all(_mode(path) == 0o640 for path in written)
