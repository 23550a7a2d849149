"""skscat: scattering transforms, GPU Gaussian SVMs and structured CNNs for scikit-learn.

Subpackages are imported on first use, so ``import skscat`` stays cheap and a
problem in one optional part never breaks the others. The top level re-exports
every public estimator and every public torch module; the helpers (data sets,
analysis, baselines, utilities) stay in their subpackages.
"""

import importlib

# The one source of the version: setuptools reads this literal (pyproject's
# ``dynamic = ["version"]``), so the wheel's metadata and ``skscat.__version__`` agree.
__version__ = "0.2.0.dev0"

_PUBLIC = {
    # scikit-learn estimators
    "ScatteringTransformer": "skscat.scattering",
    "RotoTranslationScattering": "skscat.scattering",
    "OrthogonalLeastSquaresSelector": "skscat.feature_selection",
    "TorchSVC": "skscat.svm",
    "MeanNormGaussianSVC": "skscat.svm",
    "TorchCNNClassifier": "skscat.networks",
    # torch modules
    "Scattering2D": "skscat.scattering",
    "RotoTranslationScattering2D": "skscat.scattering",
    "BasicBlock": "skscat.networks",
    "HierarchicalCNN": "skscat.networks",
    "HierarchicalEquivalentCNN": "skscat.networks",
    "HierarchicalLayer": "skscat.networks",
    "MLP": "skscat.networks",
    "PartialReLU": "skscat.networks",
    "SandboxCNN": "skscat.networks",
    "ScatMLP": "skscat.networks",
    "ScatResNet10": "skscat.networks",
    "ScatResNet10J4": "skscat.networks",
    "ScatWRN": "skscat.networks",
    "ScatteringFrontEnd": "skscat.networks",
    "SharedLocalEncoder": "skscat.networks",
    "SignSqrt": "skscat.networks",
    "SmallCNN": "skscat.networks",
    "WideResNet": "skscat.networks",
    # warnings
    "DeviceWarning": "skscat.utils",
}

# The names of _PUBLIC (isort order, as ruff keeps it), then __version__ (a literal list, so static tools can read it;
# tests/test_public_api.py checks the two agree).
__all__ = [
    "MLP",
    "BasicBlock",
    "DeviceWarning",
    "HierarchicalCNN",
    "HierarchicalEquivalentCNN",
    "HierarchicalLayer",
    "MeanNormGaussianSVC",
    "OrthogonalLeastSquaresSelector",
    "PartialReLU",
    "RotoTranslationScattering",
    "RotoTranslationScattering2D",
    "SandboxCNN",
    "ScatMLP",
    "ScatResNet10",
    "ScatResNet10J4",
    "ScatWRN",
    "Scattering2D",
    "ScatteringFrontEnd",
    "ScatteringTransformer",
    "SharedLocalEncoder",
    "SignSqrt",
    "SmallCNN",
    "TorchCNNClassifier",
    "TorchSVC",
    "WideResNet",
    "__version__",
]


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'skscat' has no attribute {name!r}")


def __dir__():
    return __all__
