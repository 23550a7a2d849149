"""Deprecated alias of :mod:`skscat.networks` for :class:`TorchCNNClassifier`.

The classifier now lives beside the networks it trains; import it from
``skscat`` or ``skscat.networks``. This module will be removed in 0.3.
"""

import warnings

__all__ = ["TorchCNNClassifier"]


def __getattr__(name):
    if name == "TorchCNNClassifier":
        warnings.warn(
            "skscat.estimators is deprecated since 0.2 and will be removed in 0.3; "
            "import TorchCNNClassifier from skscat or skscat.networks.",
            FutureWarning,
            stacklevel=2,
        )
        from ..networks import TorchCNNClassifier

        return TorchCNNClassifier
    raise AttributeError(f"module 'skscat.estimators' has no attribute {name!r}")
