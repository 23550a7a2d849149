"""skscat.utils devices: one resolver, one CPU fallback, one warning class."""

import pytest
import torch

import skscat
from skscat.utils import (
    DEVICE_CONSTRAINT,
    DeviceWarning,
    resolve_device,
    runtime_device,
)


def test_auto_is_cuda_when_available_else_cpu():
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_not_a_device_names_the_value_and_the_fix():
    with pytest.raises(ValueError, match=r"device='gpu0' is not a device\. Use device='cpu'"):
        resolve_device("gpu0")


def test_runtime_device_falls_back_to_the_cpu_with_one_warning_class():
    missing = f"cuda:{torch.cuda.device_count()}"  # one past the last GPU (cuda:0 on a CPU-only machine)
    with pytest.warns(DeviceWarning, match=rf"Model predicts on the CPU instead: device='{missing}'"):
        assert runtime_device(missing, "Model") == torch.device("cpu")
    # Both classes skscat used before, so existing filters keep working.
    assert issubclass(DeviceWarning, UserWarning) and issubclass(DeviceWarning, RuntimeWarning)
    assert skscat.DeviceWarning is DeviceWarning


def test_every_estimator_validates_device_with_the_shared_constraint():
    from skscat.feature_selection import OrthogonalLeastSquaresSelector
    from skscat.networks import TorchCNNClassifier
    from skscat.scattering import RotoTranslationScattering, ScatteringTransformer
    from skscat.svm import MeanNormGaussianSVC, TorchSVC

    for estimator in (OrthogonalLeastSquaresSelector, TorchCNNClassifier, RotoTranslationScattering, ScatteringTransformer,
                      MeanNormGaussianSVC, TorchSVC):
        assert estimator._parameter_constraints["device"] is DEVICE_CONSTRAINT, estimator.__name__
        assert estimator().get_params()["device"] == "auto", estimator.__name__
