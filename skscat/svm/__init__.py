"""Exact Gaussian-kernel SVMs on PyTorch with scikit-learn's SVC model and API."""

from ._classes import TorchSVC

__all__ = ["TorchSVC"]
