"""Input checks shared by the analysis functions (clear messages, no copies when possible)."""

import numpy as np
from sklearn.utils import check_array

__all__ = ["check_features", "check_k_max", "check_labels", "check_positive_int"]


def check_features(X, name="X"):
    """Return ``X`` as a finite 2-D float32/float64 array (float64 for other dtypes)."""
    X = check_array(X, dtype=(np.float64, np.float32), ensure_all_finite=True, input_name=name)
    return X


def check_labels(y, n_samples, name="y", x_name="X"):
    """Return ``y`` as a 1-D array of ``n_samples`` labels."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row of {x_name}); got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"{x_name} has {n_samples} rows but {name} has {y.shape[0]} labels; "
            f"pass one label per row of {x_name}."
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinity; pass finite class labels.")
    return y


def check_k_max(k_max, n_samples):
    """``k_max`` must leave at least one point beyond the ``k_max`` neighbours."""
    check_positive_int(k_max, "k_max")
    if k_max >= n_samples:
        raise ValueError(
            f"k_max={k_max} must be smaller than the number of samples ({n_samples}): each point "
            f"has only {n_samples - 1} other points as neighbours. Use k_max <= {n_samples - 1}."
        )
    return int(k_max)


def check_positive_int(value, name):
    """``value`` as an int >= 1; ``ValueError`` naming the parameter otherwise."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer.")
    return int(value)
