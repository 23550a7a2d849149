"""``source_fingerprint``: the digest of a module's or package's source changes with any of its files."""

import sys

import pytest

from skscat.utils._records import source_fingerprint


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / "fingerprinted_pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "core.py").write_text("VALUE = 1\n")
    (root / "sub" / "__init__.py").write_text("")
    (root / "sub" / "deep.py").write_text("DEEP = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m.startswith("fingerprinted_pkg")]:
        del sys.modules[name]


def test_any_file_of_a_package_changes_its_fingerprint(package):
    before = source_fingerprint("fingerprinted_pkg")
    assert source_fingerprint("fingerprinted_pkg") == before
    (package / "sub" / "deep.py").write_text("DEEP = 2\n")  # a file two levels down
    after = source_fingerprint("fingerprinted_pkg")
    assert after != before
    (package / "extra.py").write_text("")  # a new file
    assert source_fingerprint("fingerprinted_pkg") not in (before, after)


def test_a_module_counts_alone(package):
    module = source_fingerprint("fingerprinted_pkg.core")
    (package / "sub" / "deep.py").write_text("DEEP = 3\n")
    assert source_fingerprint("fingerprinted_pkg.core") == module
    (package / "core.py").write_text("VALUE = 2\n")
    assert source_fingerprint("fingerprinted_pkg.core") != module


def test_order_and_names_matter(package):
    assert source_fingerprint("fingerprinted_pkg.core", "fingerprinted_pkg.sub") != source_fingerprint(
        "fingerprinted_pkg.sub", "fingerprinted_pkg.core"
    )


@pytest.mark.parametrize("name", ["no_such_module_here", "no_such_package.mod"])
def test_a_module_without_source_is_a_clear_error(name):
    with pytest.raises(ValueError, match="cannot be fingerprinted"):
        source_fingerprint(name)
