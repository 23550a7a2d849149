"""Torch modules (hybrid scattering networks, residual baselines, small defaults) and the classifier that trains them.

:class:`TorchCNNClassifier` is the scikit-learn face of this subpackage. Every network is registered by name (:func:`list_networks`), so an estimator
can say ``TorchCNNClassifier(module="scat_wrn", module__width=4)``. A
registered class takes the keyword arguments ``in_shape`` (one sample's
shape) and ``n_classes``; the estimator infers both from the data.
"""

from ._hierarchical import HierarchicalCNN, HierarchicalEquivalentCNN, HierarchicalLayer
from ._hybrid import (
    ScatMLP,
    ScatResNet10,
    ScatResNet10J4,
    ScatteringFrontEnd,
    ScatWRN,
    SharedLocalEncoder,
)
from ._registry import get_network, list_networks, register_network
from ._resnet import BasicBlock, WideResNet
from ._sandbox import PartialReLU, SandboxCNN, SignSqrt, n_rectified_channels
from ._small import MLP, SmallCNN

for _name, _cls in {
    "mlp": MLP,
    "small_cnn": SmallCNN,
    "wrn": WideResNet,
    "scat_wrn": ScatWRN,
    "scat_resnet10": ScatResNet10,
    "scat_resnet10_j4": ScatResNet10J4,
    "scat_mlp": ScatMLP,
    "scat_sle": SharedLocalEncoder,
    "sandbox_cnn": SandboxCNN,
    "hierarchical_cnn": HierarchicalCNN,
    "hierarchical_equivalent_cnn": HierarchicalEquivalentCNN,
}.items():
    register_network(_name, _cls)

# Imported after the registrations: the classifier resolves names through the registry.
from ._classifier import TorchCNNClassifier

__all__ = [
    "MLP",
    "BasicBlock",
    "HierarchicalCNN",
    "HierarchicalEquivalentCNN",
    "HierarchicalLayer",
    "PartialReLU",
    "SandboxCNN",
    "ScatMLP",
    "ScatResNet10",
    "ScatResNet10J4",
    "ScatWRN",
    "ScatteringFrontEnd",
    "SharedLocalEncoder",
    "SignSqrt",
    "SmallCNN",
    "TorchCNNClassifier",
    "WideResNet",
    "get_network",
    "list_networks",
    "n_rectified_channels",
    "register_network",
]
