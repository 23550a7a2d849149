"""scikit-learn estimators around torch modules."""

from . import _baselines  # noqa: F401  (registers the hybrid baselines of skscat-baselines)
from ._cnn import TorchCNNClassifier

__all__ = ["TorchCNNClassifier"]
