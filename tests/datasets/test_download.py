"""Downloads against a local HTTP server on 127.0.0.1 serving archives the tests build."""

import hashlib
import http.server
import io
import tarfile
import threading
import zipfile

import numpy as np
import pytest

from skscat.datasets import (
    REMOTE,
    DataFileError,
    RemoteArchive,
    download_and_extract,
    download_file,
    extract_folder,
    load_caltech101,
    load_cifar10,
)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; honours Range unless ``server.ranges`` is False;
    cuts the first ``server.cut`` responses after half the body."""

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Range")))
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        header = self.headers.get("Range")
        if header and self.server.ranges:
            start = int(header.split("=")[1].split("-")[0])
            if start >= len(body):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if self.server.cut > 0:
            self.server.cut -= 1
            self.wfile.write(body[start : start + (len(body) - start) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.requests, httpd.ranges, httpd.cut = {}, [], True, 0
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _tar_gz(folder_name, files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"{folder_name}/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _remote(server, name, body, folder, **kwargs):
    server.files[f"/{name}"] = body
    return RemoteArchive("Test set", f"{server.url}/{name}", hashlib.md5(body).hexdigest(), folder, **kwargs)


def _payload(size=300_000):
    return np.random.default_rng(0).integers(0, 256, size=size, dtype=np.uint8).tobytes()


def test_download_and_extract(server, tmp_path):
    body = _tar_gz("thing", {"a.bin": _payload(), "sub/b.txt": b"hello"})
    folder = download_and_extract(_remote(server, "thing.tar.gz", body, "thing"), tmp_path)
    assert folder == tmp_path / "thing" and (folder / "sub" / "b.txt").read_bytes() == b"hello"
    assert [p.name for p in tmp_path.iterdir()] == ["thing"]  # archive and temporaries gone
    assert download_and_extract(_remote(server, "other.tar.gz", b"x", "thing"), tmp_path) == folder
    assert len(server.requests) == 1  # an existing folder is not fetched again


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    body = _tar_gz("thing", {"a.bin": _payload()})
    remote = _remote(server, "thing.tar.gz", body, "thing")
    wrong = RemoteArchive(remote.title, remote.url, "0" * 32, remote.folder)
    with pytest.raises(ValueError, match="checksum mismatch.*expected md5 0{32}"):
        download_and_extract(wrong, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes(server, tmp_path):
    body = _payload(1_000_000)
    server.files["/blob.bin"] = body
    server.cut = 1
    with pytest.raises(OSError, match="call again to resume"):
        download_file(f"{server.url}/blob.bin", tmp_path / "blob.bin", checksum=hashlib.md5(body).hexdigest())
    part = tmp_path / "blob.bin.part"
    assert part.stat().st_size == len(body) // 2 and not (tmp_path / "blob.bin").exists()
    download_file(
        f"{server.url}/blob.bin", tmp_path / "blob.bin", checksum=hashlib.md5(body).hexdigest(), verbose=True
    )
    assert (tmp_path / "blob.bin").read_bytes() == body and not part.exists()
    assert server.requests[-1] == ("/blob.bin", f"bytes={len(body) // 2}-")


def test_interrupted_download_restarts_without_range_support(server, tmp_path):
    body = _payload(1_000_000)
    server.files["/blob.bin"], server.cut, server.ranges = body, 1, False
    checksum = hashlib.md5(body).hexdigest()
    with pytest.raises(OSError):
        download_file(f"{server.url}/blob.bin", tmp_path / "blob.bin", checksum=checksum)
    download_file(f"{server.url}/blob.bin", tmp_path / "blob.bin", checksum=checksum)
    assert (tmp_path / "blob.bin").read_bytes() == body
    assert [p.name for p in tmp_path.iterdir()] == ["blob.bin"]


def test_complete_part_file_is_verified(server, tmp_path):
    body = _payload(1000)
    server.files["/blob.bin"] = body
    (tmp_path / "blob.bin.part").write_bytes(body)  # killed after the last byte, before the rename
    download_file(f"{server.url}/blob.bin", tmp_path / "blob.bin", checksum=hashlib.md5(body).hexdigest())
    assert (tmp_path / "blob.bin").read_bytes() == body


def test_corrupt_archive_extracts_nothing(tmp_path):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(_tar_gz("thing", {"a.bin": _payload()})[:5000])
    with pytest.raises(DataFileError, match="broken.tar.gz"):
        extract_folder(archive, tmp_path / "out" / "thing")
    assert list((tmp_path / "out").iterdir()) == []
    good = tmp_path / "good.tar.gz"
    good.write_bytes(_tar_gz("other", {"a.bin": b"1"}))
    with pytest.raises(DataFileError, match="no 'thing' folder"):
        extract_folder(good, tmp_path / "out" / "thing")


def test_load_cifar10_download(server, tmp_path, writers, monkeypatch):
    source = tmp_path / "source"
    data, labels = writers.cifar10(source / "cifar-10-batches-py")
    files = {p.name: p.read_bytes() for p in (source / "cifar-10-batches-py").iterdir()}
    remote = _remote(
        server, "cifar-10-python.tar.gz", _tar_gz("cifar-10-batches-py", files), "cifar-10-batches-py"
    )
    monkeypatch.setitem(REMOTE, "cifar10", remote)
    home = tmp_path / "home"
    bunch = load_cifar10(home, download=True, dtype="uint8")
    np.testing.assert_array_equal(bunch.images.reshape(len(data), -1), data)
    np.testing.assert_array_equal(bunch.target, labels)
    assert sorted(p.name for p in home.iterdir()) == ["cifar-10-batches-py"]


def test_load_caltech101_download_nested(server, tmp_path, writers, monkeypatch):
    writers.caltech(tmp_path / "src" / "101_ObjectCategories", background=False)
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        tar.add(tmp_path / "src" / "101_ObjectCategories", arcname="101_ObjectCategories")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:  # the official zip nests the images' tar.gz
        z.writestr("caltech-101/101_ObjectCategories.tar.gz", inner.getvalue())
        z.writestr("caltech-101/Annotations.tar", b"")
    remote = _remote(
        server,
        "caltech-101.zip",
        outer.getvalue(),
        "101_ObjectCategories",
        subdir="caltech101",
        inner="101_ObjectCategories.tar.gz",
    )
    monkeypatch.setitem(REMOTE, "caltech101", remote)
    bunch = load_caltech101(tmp_path / "home", image_size=8, download=True)
    assert bunch.images.shape == (6, 3, 8, 8)
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["caltech101"]
