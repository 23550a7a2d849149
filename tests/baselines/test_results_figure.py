"""The baselines figure: ``results.png`` beside ``results.csv``, bars with the published value marked."""

import sys
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure  # a test dependency; for users the "plot" extra

from skscat.baselines import run_baselines
from skscat.baselines._figure import plot_results, write_results_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

ROWS = [
    {"dataset": "digits", "method": "scat-svm", "accuracy": 99.0, "published": ""},
    {"dataset": "digits", "method": "scat-svm", "accuracy": 97.0, "published": ""},
    {"dataset": "cifar10", "method": "scat-svm", "accuracy": "70.1", "published": "82.3"},
    {"dataset": "caltech101", "method": "rotoscat-svm", "accuracy": 79.99, "published": 79.9},
]


def test_digits_run_writes_the_png_beside_the_tables(tmp_path):
    run_baselines(methods=["pixels-svm"], output_dir=tmp_path, cache_dir=None, log=lambda *a: None,
                  verbose=False)
    png = tmp_path / "results.png"
    assert (tmp_path / "results.csv").is_file()
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically


def test_bars_are_the_seed_means_and_marks_the_published_values():
    ax = Figure().subplots()
    plot_results(ROWS, ax=ax)
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, [98.0, 70.1, 79.99])
    (marks,) = ax.collections[-1:]  # the published marks, drawn last
    np.testing.assert_allclose(marks.get_offsets(), [[1, 82.3], [2, 79.9]])  # digits has none
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == ["digits\nscat-svm", "cifar10\nscat-svm", "caltech101\nrotoscat-svm"]


def test_without_matplotlib_the_figure_is_skipped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if not installed
    with pytest.warns(RuntimeWarning, match="matplotlib is not installed"):
        assert write_results_figure(ROWS, tmp_path / "results.png") is None
    assert not (tmp_path / "results.png").exists()


def test_rewriting_replaces_the_figure(tmp_path):
    path = tmp_path / "results.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_results_figure(ROWS[:1], path)
        first = path.read_bytes()
        write_results_figure(ROWS, path)
    assert path.read_bytes() != first and path.read_bytes()[:8] == PNG_MAGIC
