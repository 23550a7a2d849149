"""The report folder: files, CSV contents, resume, plots."""

import csv

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from skscat.analysis import (
    _report,
    analysis_report,
    local_support_vectors,
)


@pytest.fixture
def depths():
    rng = np.random.default_rng(0)
    y, yt = np.arange(90) % 3, np.arange(45) % 3
    train = {f"layer{j}": rng.normal(size=(90, 4)) + j * np.eye(4)[y] for j in range(3)}
    test = {f"layer{j}": rng.normal(size=(45, 4)) + j * np.eye(4)[yt] for j in range(3)}
    return train, y, test, yt


def test_report_files_and_tables(tmp_path, depths):
    train, y, test, yt = depths
    out = analysis_report(train, y, test, yt, tmp_path, k_max=7, network_accuracy=0.8, backend="sklearn",
                          device="cpu", prefix="x_")
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"x_{n}" for n in ["accuracy_by_depth.csv", "accuracy_by_depth.png", "lsv.png",
                                              "lsv_counts.csv", "pca_spectra.png", "distance_histograms.png",
                                              "contraction.csv"])
    with open(tmp_path / "x_lsv_counts.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * 7
    expected = local_support_vectors(train["layer2"], y, 7, device="cpu").counts
    assert [int(r["count"]) for r in rows if r["layer"] == "layer2"] == expected.tolist()
    assert out["table"]["layer"] == ["layer0", "layer0", "layer1", "layer1", "layer2", "layer2"]
    assert out["contraction"]["lsv_1"][0] > out["contraction"]["lsv_1"][2]
    assert (tmp_path / "x_accuracy_by_depth.png").read_bytes()[:4] == b"\x89PNG"


def test_report_resumes_from_saved_depths(tmp_path, depths, monkeypatch):
    train, y, test, yt = depths
    cache = tmp_path / "cache"
    first = analysis_report(train, y, test, yt, tmp_path, k_max=5, classifiers=["1nn"], device="cpu",
                            cache_dir=cache)
    assert sorted(p.name for p in cache.iterdir()) == ["001.npz", "002.npz", "003.npz"]

    def fail(*args, **kwargs):
        raise AssertionError("a saved depth was measured again")

    monkeypatch.setattr(_report, "_measure", fail)
    again = analysis_report(train, y, test, yt, tmp_path, k_max=5, classifiers=["1nn"], device="cpu",
                            cache_dir=cache)
    assert again["table"] == first["table"] and again["contraction"] == first["contraction"]
    train = dict(train, layer1=train["layer1"] + 1.0)  # changed features are measured again
    with pytest.raises(AssertionError, match="measured again"):
        analysis_report(train, y, test, yt, tmp_path, k_max=5, classifiers=["1nn"], device="cpu", cache_dir=cache)
