"""Packaging: ``python -m build`` makes an sdist and a wheel (built from the sdist) that ``twine check``
accepts, and the wheel installs in a fresh virtual environment where ``python -m skscat.baselines``
and the ``skscat-baselines`` script run.

Slow (a fresh venv installs torch: about 1-3 minutes with a warm pip cache), so it is marked ``slow``;
the README's test command (``.ci/run``) runs slow tests too.
"""

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import torch

import skscat

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(*args, cwd, env=None):
    result = subprocess.run(args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", str(out), str(ROOT), cwd=ROOT)
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]


def test_versions_agree_and_twine_accepts_both(dist):
    wheel, sdist = dist
    assert wheel.name.startswith(f"skscat-{skscat.__version__}-py3-none-any")
    assert sdist.name == f"skscat-{skscat.__version__}.tar.gz"
    _run(sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist), cwd=ROOT)


def test_wheel_holds_every_subpackage_and_no_tests(dist):
    wheel, _ = dist
    names = zipfile.ZipFile(wheel).namelist()
    for package in ROOT.joinpath("skscat").rglob("__init__.py"):
        assert package.relative_to(ROOT).as_posix() in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "examples/"))]
    # skscat reads no data file at runtime: every module is Python (nothing to declare as package data).
    assert not [n for n in names if n.startswith("skscat/") and not n.endswith(".py")]


def test_sdist_carries_tests_docs_and_changelog(dist):
    _, sdist = dist
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    for path in ["pyproject.toml", "README.md", "CHANGELOG.md", "skscat/__init__.py", "tests/conftest.py",
                 "docs/conf.py", "examples/README.txt"]:
        assert f"{top}/{path}" in names, path
    assert not [n for n in names if "/docs/_build/" in n or "__pycache__" in n]


def test_wheel_installs_and_runs_in_a_fresh_venv(dist, tmp_path):
    wheel, _ = dist
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python, script = venv / "bin" / "python", venv / "bin" / "skscat-baselines"
    torch_version = torch.__version__.split("+")[0]  # the torch these tests run with (CPU build in CI)
    _run(str(python), "-m", "pip", "install", "-q", f"torch=={torch_version}", cwd=tmp_path)
    _run(str(python), "-m", "pip", "install", "-q", str(wheel), cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"OMP_NUM_THREADS": "1"}

    # Run from tmp_path: the checkout is not on sys.path, so this is the installed wheel.
    where = _run(str(python), "-c", "import importlib.metadata as m, skscat; "
                 "print(skscat.__file__); print(skscat.__version__, m.version('skscat'))", cwd=tmp_path, env=env)
    location, versions = where.stdout.split("\n")[:2]
    assert location.startswith(str(venv))
    assert versions.split() == [skscat.__version__, skscat.__version__]

    help_text = _run(str(python), "-m", "skscat.baselines", "--help", cwd=tmp_path, env=env).stdout
    assert help_text.startswith("usage: skscat-baselines")

    # A tiny digits run through the console script: tables written; no matplotlib here, so no figure.
    run = _run(str(script), "--method", "pixels-svm", "--n-train", "100", "--output", "out", "--no-cache",
               "--quiet", cwd=tmp_path, env=env)
    assert (tmp_path / "out" / "results.csv").read_text().startswith("dataset,method,accuracy")
    assert not (tmp_path / "out" / "results.png").exists() and "matplotlib is not installed" in run.stderr
