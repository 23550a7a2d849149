"""scikit-learn estimators around torch modules."""

from ._cnn import TorchCNNClassifier

__all__ = ["TorchCNNClassifier"]
