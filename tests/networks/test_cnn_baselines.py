"""The hybrid networks are registered as skscat-baselines recipes."""

import pytest

from skscat import baselines
from skscat.networks import TorchCNNClassifier


@pytest.mark.parametrize(("name", "module"), [("scat-wrn", "scat_wrn"), ("wrn", "wrn")])
def test_hybrid_baselines_are_registered(name, module):
    assert name in baselines.list_baselines()
    config = baselines.BaselineConfig(dataset="cifar10", image_shape=(3, 32, 32), n_classes=10, J=2,
                                      device="cpu", random_state=3)
    clf = baselines.get_baseline(name).build(config)
    assert isinstance(clf, TorchCNNClassifier)
    params = clf.get_params()
    assert (params["module"], params["device"], params["random_state"]) == (module, "cpu", 3)
    if module == "scat_wrn":
        assert (params["module__J"], params["module__L"]) == (2, 8)
