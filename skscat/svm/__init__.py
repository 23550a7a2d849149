"""Exact Gaussian-kernel SVMs on PyTorch with scikit-learn's SVC model and API.

:class:`TorchSVC` is SVC's one-vs-one model; :class:`MeanNormGaussianSVC` is the
one-vs-all Gaussian SVM of Oyallon & Mallat (CVPR 2015).
"""

from ._classes import TorchSVC
from ._ova import MeanNormGaussianSVC, gaussian_kernel

__all__ = ["MeanNormGaussianSVC", "TorchSVC", "gaussian_kernel"]
