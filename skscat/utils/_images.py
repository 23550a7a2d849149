"""Image-shaped input for estimators and networks: flat rows, (n, H, W) or (n, C, H, W) arrays.

The one place that decides what shape an image has: the scattering
transformers, :class:`~skscat.networks.TorchCNNClassifier` and every network
constructor (``in_shape``) call these functions.
"""

import math

import numpy as np

__all__ = ["as_images", "check_image_shape", "infer_image_shape", "split_images"]


def split_images(X):
    """Flatten image-shaped input to rows; return the rows and the image shape (or ``None``).

    Parameters
    ----------
    X : array-like of shape (n, D), (n, H, W) or (n, C, H, W)
        Raw input, before ``validate_data`` (which needs 2-D rows).

    Returns
    -------
    rows : array-like of shape (n, D) or (n, C*H*W)
        ``X`` itself when it is not image-shaped (sparse matrices, lists of
        rows stay as they are for ``validate_data`` to judge).
    image_shape : tuple of int or None
        ``(C, H, W)`` of 3-D / 4-D input (a 3-D array has one channel).

    Raises
    ------
    ValueError
        If ``X`` has more than 4 dimensions.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.utils import split_images
    >>> rows, image_shape = split_images(np.zeros((5, 3, 8, 8)))
    >>> rows.shape, image_shape
    ((5, 192), (3, 8, 8))
    """
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        X = np.asarray(X)
        ndim = X.ndim
    if ndim > 4:
        raise ValueError(f"X has {ndim} dimensions; expected (n, C*H*W), (n, H, W) or (n, C, H, W).")
    if ndim < 3:
        return X, None
    X = np.asarray(X)
    image_shape = (1, *X.shape[1:]) if ndim == 3 else tuple(X.shape[1:])
    return X.reshape(X.shape[0], math.prod(image_shape)), image_shape


def check_image_shape(in_shape, owner):
    """``in_shape`` as a ``(C, H, W)`` tuple of positive ints; a clear error otherwise.

    Parameters
    ----------
    in_shape : tuple of int
        Shape of one sample, as a network constructor receives it.
    owner : str
        Name of the network, for the error.

    Returns
    -------
    tuple of int
        ``(C, H, W)``.

    Raises
    ------
    ValueError
        If ``in_shape`` is not three positive sizes (feature vectors, for instance).

    Examples
    --------
    >>> from skscat.utils import check_image_shape
    >>> check_image_shape([3, 32, 32], "MyNet")
    (3, 32, 32)
    """
    shape = tuple(in_shape) if isinstance(in_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in shape):
        raise ValueError(
            f"{owner} needs images, in_shape=(C, H, W) with positive sizes; got in_shape={in_shape!r}. "
            "Pass (n, C, H, W) or (n, H, W) arrays, shape=(C, H, W) for flat rows, or module='mlp' for vectors."
        )
    return tuple(int(s) for s in shape)


def infer_image_shape(X, shape=None):
    """Image shape ``(C, H, W)`` of the samples in ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, D), (n, H, W) or (n, C, H, W)
        Validated input.
    shape : tuple of int, optional
        ``(H, W)`` or ``(C, H, W)``. Required for flat input unless ``D`` is a
        square (one channel) or three times a square (three channels).

    Returns
    -------
    tuple of int
        ``(C, H, W)``.

    Raises
    ------
    ValueError
        If ``shape`` disagrees with ``X``, or flat input has no evident shape.
    """
    if X.ndim in (3, 4):
        found = (1, *X.shape[1:]) if X.ndim == 3 else tuple(X.shape[1:])
        if shape is not None and _as_chw(shape) != found:
            raise ValueError(f"shape={shape!r} does not match the input's image shape (C, H, W) = {found}; "
                             "pass shape=None for image-shaped arrays.")
        return found
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D (n, C*H*W), 3-D (n, H, W) or 4-D (n, C, H, W) array, got {X.ndim}-D.")
    return _flat_image_shape(X.shape[1], shape)


def _as_chw(shape):
    try:
        ints = tuple(int(s) for s in shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"shape={shape!r} must be a tuple (H, W) or (C, H, W) of positive ints.") from exc
    if ints != tuple(shape):  # 8.5 is not a size (int() would truncate it)
        raise ValueError(f"shape={shape!r} must be a tuple (H, W) or (C, H, W) of positive ints.")
    shape = ints
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(f"shape={shape!r} must be a tuple (H, W) or (C, H, W) of positive ints.")
    return (1, *shape) if len(shape) == 2 else shape


def _flat_image_shape(n_features, shape):
    if shape is not None:
        chw = _as_chw(shape)
        if math.prod(chw) != n_features:
            raise ValueError(f"shape={shape!r} holds {math.prod(chw)} values per image but X has {n_features} "
                             "features per row; pass the image shape (C, H, W) of the flattened rows.")
        return chw
    for channels in (1, 3):
        side = math.isqrt(n_features // channels)
        if n_features % channels == 0 and side * side * channels == n_features:
            return (channels, side, side)
    raise ValueError(f"Cannot infer the image shape of flat rows with {n_features} features (neither a square "
                     "nor 3 x a square). Pass shape=(H, W) or shape=(C, H, W).")


def as_images(X, image_shape):
    """Reshape validated input to ``(n, C, H, W)`` without copying.

    Parameters
    ----------
    X : ndarray
        Rows as flat vectors or images.
    image_shape : tuple of int
        ``(C, H, W)``, as returned by :func:`infer_image_shape`.

    Returns
    -------
    ndarray of shape (n, C, H, W)
        A view of ``X``.
    """
    return X.reshape(X.shape[0], *image_shape)
