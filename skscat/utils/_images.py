"""Image-shaped input for estimators: flat rows, (n, H, W) or (n, C, H, W) arrays."""

import math

__all__ = ["as_images", "infer_image_shape"]


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
        shape = tuple(int(s) for s in shape)
    except TypeError as exc:
        raise ValueError(f"shape={shape!r} must be a tuple (H, W) or (C, H, W) of positive ints.") from exc
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
