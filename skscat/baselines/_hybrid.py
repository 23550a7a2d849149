"""The hybrid networks as named baselines of ``skscat-baselines``.

Registered when :mod:`skscat.baselines` is imported, like the built-in
recipes. CPU-friendly recipes: widening factor 2, 60 epochs
with cosine decay, the papers' augmentation (a GPU is advised on the full data sets); the published figures are the
papers' full-width, 200-epoch ones.
"""

from ..networks import TorchCNNClassifier
from ._registry import Baseline, register_baseline

__all__ = ["build_hybrid"]

_PAPER = "Oyallon, Belilovsky & Zagoruyko, ICCV 2017 (docs/hybrid.md)"


def build_hybrid(module, config, **module_params):
    """A :class:`TorchCNNClassifier` for ``module`` set up from a ``BaselineConfig``.

    Crops pad by 1/8 of the image width (4 pixels on CIFAR); flips are off
    for digits, whose classes are not mirror-symmetric.
    """
    return TorchCNNClassifier(
        module=module, max_epochs=60, lr_schedule="cosine", crop_padding=config.image_shape[-1] // 8,
        horizontal_flip=config.dataset != "digits", device=config.device,
        random_state=config.random_state, verbose=config.verbose, **module_params,
    )


def _scat_wrn(config):
    return build_hybrid("scat_wrn", config, module__width=2, module__J=config.J, module__L=config.L)


def _wrn(config):
    return build_hybrid("wrn", config, module__width=2)


def _register():
    recipes = [
        ("scat-wrn", _scat_wrn, ("scattering (J from the data set) + BN + WRN-12-2 trunk, SGD 60 epochs, "
                                 "cosine lr, crops + flips (TorchCNNClassifier)"), {"cifar10": 93.0}),
        ("wrn", _wrn, "end-to-end WRN-16-2, SGD 60 epochs, cosine lr, crops + flips (TorchCNNClassifier)",
         {"cifar10": 96.0}),
    ]
    for name, build, description, published in recipes:
        register_baseline(Baseline(name, build, description, published=published,
                                   reference=_PAPER + "; published: full width (k=8), 200 epochs"), replace=True)


_register()
