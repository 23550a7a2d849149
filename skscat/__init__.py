"""skscat: scattering transforms, GPU Gaussian SVMs and structured CNNs for scikit-learn.

Subpackages are imported on first use, so ``import skscat`` stays cheap and a
problem in one optional part never breaks the others.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "ScatteringTransformer": "skscat.scattering",
    "Scattering2D": "skscat.scattering",
    "RotoTranslationScattering": "skscat.scattering",
    "TorchSVC": "skscat.svm",
    "TorchCNNClassifier": "skscat.networks",
    "DeviceWarning": "skscat.utils",
}

# The names of _PUBLIC, sorted, then __version__ (a literal list, so static tools can read it).
__all__ = [
    "DeviceWarning",
    "RotoTranslationScattering",
    "Scattering2D",
    "ScatteringTransformer",
    "TorchCNNClassifier",
    "TorchSVC",
    "__version__",
]


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'skscat' has no attribute {name!r}")


def __dir__():
    return __all__
