"""Former home of the paper's one-vs-all Gaussian SVM, now :mod:`skscat.svm` (names kept for old imports)."""

from ..svm import MeanNormGaussianSVC, gaussian_kernel

__all__ = ["MeanNormGaussianSVC", "gaussian_kernel"]
