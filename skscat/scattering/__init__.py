"""Wavelet scattering transforms: filter banks, torch modules and scikit-learn transformers."""

from ._module import Scattering2D
from ._paths import path_names, scattering_paths

__all__ = ["Scattering2D", "path_names", "scattering_paths"]
