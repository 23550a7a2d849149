"""Wavelet scattering transforms: filter banks, torch modules and scikit-learn transformers.

- :mod:`skscat.scattering.filter_bank`: the Morlet filters (pure NumPy).
- :class:`Scattering2D`: the transform as a torch module (CPU/CUDA, differentiable).
- :class:`ScatteringTransformer`: the scikit-learn transformer around it.
"""

from ._module import Scattering2D
from ._paths import path_names, scattering_paths
from ._transformers import ScatteringTransformer

__all__ = ["Scattering2D", "ScatteringTransformer", "path_names", "scattering_paths"]
