"""Scikit-learn transformers around the scattering torch modules."""

from numbers import Integral

from ..utils._sklearn import Interval, Options
from ._base import BaseScatteringTransformer
from ._module import Scattering2D, check_scattering_params
from ._paths import scattering_paths

__all__ = ["ScatteringTransformer"]


class ScatteringTransformer(BaseScatteringTransformer):
    """2D Morlet scattering transform as a scikit-learn transformer (CPU or GPU).

    Computes the order 0, 1 (and 2) scattering coefficients of each image with
    :class:`~skscat.scattering.Scattering2D`, batch by batch, on CPU or CUDA.
    The coefficients equal kymatio 0.3's (same filters, padding and channel
    order). Filters are built in :meth:`fit`, so ``set_params`` and grid
    searches over ``J`` or ``L`` always use the right ones.

    Parameters
    ----------
    J : int, default=2
        Number of dyadic scales; coefficients are averaged over ``2**J``
        pixels and subsampled by ``2**J``. Needs ``2**J <= min(H, W)``.
    L : int, default=8
        Number of wavelet orientations.
    max_order : {1, 2}, default=2
        Highest scattering order.
    shape : tuple of int, default=None
        Image shape ``(H, W)`` or ``(C, H, W)`` of flat input rows. ``None``
        infers it: from the array for (n, H, W) / (n, C, H, W) input, and for
        flat rows of length D from D being a square (one channel) or three
        times a square (three channels).
    pooling : {None, "mean"}, default=None
        ``None`` keeps the (H', W') grid of coefficients; ``"mean"`` averages
        each channel over it.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:<index>"``, or ``"auto"`` (CUDA when
        available). Resolved in :meth:`fit`.
    batch_size : int, default=128
        Images transformed at once; bounds memory, never changes the result.
    verbose : bool or int, default=False
        Show a progress bar over batches.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images.
    n_paths_ : int
        Scattering channels per image channel:
        ``K = 1 + L*J + L**2 * J*(J-1)/2`` for ``max_order=2``.
    paths_ : dict of ndarray
        The path of each of the K channels: ``order``, ``j1``, ``theta1``,
        ``j2``, ``theta2`` (-1 where not applicable);
        ``pandas.DataFrame(paths_)`` shows it as a table.
    output_shape_ : tuple of int
        ``(H', W')`` of each coefficient map, or ``()`` with ``pooling="mean"``.
    n_features_in_ : int
        Values per image, ``C * H * W``.
    feature_names_in_ : ndarray of str
        Input column names, when fitted on a DataFrame.

    See Also
    --------
    skscat.scattering.Scattering2D : The torch module, for use inside networks.
    skscat.scattering.RotoTranslationScattering : The roto-translation variant.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> from skscat.scattering import ScatteringTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> scattering = ScatteringTransformer(J=1, L=4, device="cpu").fit(X)
    >>> scattering.image_shape_, scattering.transform(X[:2]).shape
    ((1, 8, 8), (2, 80))
    >>> model = make_pipeline(ScatteringTransformer(J=1, L=4, device="cpu"), StandardScaler(), SVC())
    >>> round(model.fit(X[:1000], y[:1000]).score(X[1000:], y[1000:]), 2) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseScatteringTransformer._parameter_constraints,
        "J": [Interval(Integral, 1, None, closed="left")],
        "L": [Interval(Integral, 1, None, closed="left")],
        "max_order": [Options(Integral, {1, 2})],
    }

    def __init__(self, *, J=2, L=8, max_order=2, shape=None, pooling=None, device="auto", batch_size=128,
                 verbose=False):
        self.J = J
        self.L = L
        self.max_order = max_order
        self.shape = shape
        self.pooling = pooling
        self.device = device
        self.batch_size = batch_size
        self.verbose = verbose

    def _check_image_size(self, image_size):
        check_scattering_params(self.J, image_size, self.L, self.max_order)

    def _build_module(self, image_size):
        return Scattering2D(J=self.J, shape=image_size, L=self.L, max_order=self.max_order)

    def _path_table(self):
        return scattering_paths(self.J, self.L, self.max_order)
