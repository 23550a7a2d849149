"""The picture of a baselines run: measured accuracy beside the published number."""

import math
import warnings
from pathlib import Path

import numpy as np

from skscat.utils import atomic_path

from ._records import group_rows

__all__ = ["plot_results", "write_results_figure"]


def _summary(rows):
    """``{(dataset, method): (mean accuracy, std over seeds, published or nan)}`` in first-seen order."""
    return {
        key: (
            float(np.mean([float(r["accuracy"]) for r in members])),
            float(np.std([float(r["accuracy"]) for r in members])),
            _number(members[0].get("published")),
        )
        for key, members in group_rows(rows, ("dataset", "method")).items()
    }


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):  # None or "" (not published)
        return math.nan


def plot_results(rows, *, ax=None):
    """Draw each (data set, method)'s accuracy as a bar, the published value as a black mark.

    Parameters
    ----------
    rows : list of dict
        Run records as written to ``results.csv``: keys ``dataset``,
        ``method``, ``accuracy`` (in %) and ``published`` (in %, or None / ""
        when the paper has no number for it). Several seeds of one
        (data set, method) are averaged; their standard deviation is the
        error bar.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    summary = _summary(rows)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=_figsize(len(summary)))
    x = np.arange(len(summary))
    means, stds, published = (np.array(column) for column in zip(*summary.values()))
    # Error bars only where several seeds were run (a zero-length cap would look like a published mark).
    ax.bar(x, means, yerr=np.where(stds > 0, stds, np.nan), color="C0", alpha=0.8, capsize=3,
           label="skscat (mean over seeds)")
    for i, value in enumerate(means):
        ax.annotate(f"{value:.1f}", (x[i], value), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    has_paper = ~np.isnan(published)
    if has_paper.any():
        ax.scatter(x[has_paper], published[has_paper], marker="_", s=900, linewidths=2.5, color="black",
                   zorder=3, label="published")
    ax.set_xticks(x, [f"{dataset}\n{method}" for dataset, method in summary], fontsize=8)
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 105)
    ax.legend(loc="lower right", fontsize=8)
    if not has_paper.all():
        ax.set_xlabel("no black mark: no published number", fontsize=7, color="0.4")
    ax.set_title("skscat-baselines: test accuracy", fontsize=10)
    return ax


def _figsize(n_bars):
    return (max(4.5, 1.1 * n_bars + 2.0), 3.6)


def write_results_figure(rows, path):
    """Write :func:`plot_results` of ``rows`` to ``path`` (a PNG), atomically.

    Parameters
    ----------
    rows : list of dict
        Run records, as for :func:`plot_results`.
    path : str or os.PathLike
        Destination, e.g. ``<output>/results.png``.

    Returns
    -------
    pathlib.Path or None
        ``path``, or None when matplotlib is not installed (a warning says so;
        the tables are written either way).
    """
    try:  # not pyplot: no backend or global figure state is touched
        from matplotlib.figure import Figure
    except ImportError:
        warnings.warn("results.png is not written: matplotlib is not installed (pip install matplotlib).",
                      RuntimeWarning, stacklevel=2)
        return None
    figure = Figure(figsize=_figsize(len(_summary(rows))), layout="tight")
    plot_results(rows, ax=figure.subplots())
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=120)
    return Path(path)
