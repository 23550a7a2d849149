"""The table of scattering paths: which (order, j1, theta1, j2, theta2) each channel is."""

import numpy as np

from .filter_bank import _check_int

__all__ = ["path_names", "scattering_paths"]

_FIELDS = ("order", "j1", "theta1", "j2", "theta2")


def scattering_paths(J, L, max_order=2):
    """Path of every output channel, in kymatio's channel order.

    Parameters
    ----------
    J, L : int
        Number of scales and of orientations.
    max_order : {1, 2}, default=2

    Returns
    -------
    dict of ndarray of int
        Keys ``order``, ``j1``, ``theta1``, ``j2``, ``theta2``; -1 marks a field
        that does not apply to the channel's order. ``theta`` is the
        orientation index ``t`` in ``0 .. L-1`` (angle ``(L//2 - 1 - t) * pi / L``
        for even L, kymatio's convention).

    Examples
    --------
    >>> from skscat.scattering import scattering_paths
    >>> paths = scattering_paths(J=2, L=8)
    >>> len(paths["order"]), int((paths["order"] == 2).sum())
    (81, 64)
    """
    J, L = _check_int(J, "J", 1, " (the number of scales)"), _check_int(L, "L", 1, " (orientations)")
    if max_order not in (1, 2) or not isinstance(max_order, (int, np.integer)):
        raise ValueError(f"max_order={max_order!r} is invalid: use max_order=1 or max_order=2.")
    rows = [(0, -1, -1, -1, -1)]
    rows += [(1, j1, t1, -1, -1) for j1 in range(J) for t1 in range(L)]
    if max_order > 1:
        rows += [(2, j1, t1, j2, t2) for j1 in range(J) for t1 in range(L)
                 for j2 in range(j1 + 1, J) for t2 in range(L)]
    table = np.array(rows, dtype=np.int64)
    return {field: table[:, i] for i, field in enumerate(_FIELDS)}


def path_names(paths):
    """Short readable name of each path, e.g. ``S0``, ``S1_j0_t3``, ``S2_j0_t3_j1_t5``.

    Parameters
    ----------
    paths : dict of ndarray
        A table from :func:`scattering_paths`.

    Returns
    -------
    list of str
        Roto-translation paths also carry their angular filter, e.g.
        ``S2_j0_t4_j1_t9_k2``.
    """
    missing = [field for field in _FIELDS if field not in paths]
    if missing:
        raise ValueError(f"paths lacks the columns {missing}; pass a table from scattering_paths (or paths_).")
    angular = paths.get("angular_scale", np.full(len(paths["order"]), -1))
    names = []
    for order, j1, t1, j2, t2, k in zip(*(paths[field] for field in _FIELDS), angular):
        name = f"S{order}"
        if order >= 1:
            name += f"_j{j1}_t{t1}"
        if order == 2:
            name += f"_j{j2}_t{t2}" + (f"_k{k}" if k >= 0 else "")
        names.append(name)
    return names
