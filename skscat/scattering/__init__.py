"""Wavelet scattering transforms: filter banks, torch modules and scikit-learn transformers.

- :mod:`skscat.scattering.filter_bank`: the Morlet filters (pure NumPy).
- :class:`Scattering2D`, :class:`RotoTranslationScattering2D`: the transforms as
  torch modules (CPU/CUDA, differentiable).
- :class:`ScatteringTransformer`, :class:`RotoTranslationScattering`: the
  scikit-learn transformers around them.
"""

from ._color import rgb_to_gray, rgb_to_yuv
from ._module import Scattering2D
from ._paths import path_names, scattering_paths
from ._roto import RotoTranslationScattering2D, roto_translation_paths
from ._transformers import RotoTranslationScattering, ScatteringTransformer

__all__ = [
    "RotoTranslationScattering",
    "RotoTranslationScattering2D",
    "Scattering2D",
    "ScatteringTransformer",
    "path_names",
    "rgb_to_gray",
    "rgb_to_yuv",
    "roto_translation_paths",
    "scattering_paths",
]
