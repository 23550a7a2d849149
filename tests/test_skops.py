"""Secure persistence: every public estimator round-trips through ``skops.io`` with the types
:func:`skscat.utils.trusted_types` lists, and nothing else is trusted silently.

"Fitted on CUDA, loaded on CPU": skops (like pickle) stores what ``__getstate__`` returns. The tests
below check that this state holds no torch object at all (no tensor, module, device or torch.save
blob), only NumPy arrays and plain Python values, both right after ``fit`` and after prediction has
built the private torch caches. A file written after a CUDA fit therefore has the same content as one
written after a CPU fit (the arrays are copied to the host in ``fit``), and loading never touches a
device; ``test_cuda_fit_loads_and_predicts_on_cpu`` runs the real thing where a GPU is present.
"""

import numpy as np
import pytest
import skops.io as sio
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skops.io.exceptions import UntrustedTypesFoundException

import skscat
from skscat.baselines import CachedTransformer
from skscat.utils import trusted_types


def _estimators(device="cpu"):
    return {
        "ScatteringTransformer": skscat.ScatteringTransformer(J=1, L=4, device=device),
        "RotoTranslationScattering": skscat.RotoTranslationScattering(J=1, L=4, colorspace="gray", device=device),
        "OrthogonalLeastSquaresSelector": skscat.OrthogonalLeastSquaresSelector(n_atoms_per_class=2, device=device),
        "TorchSVC": skscat.TorchSVC(C=10, device=device),
        "MeanNormGaussianSVC": skscat.MeanNormGaussianSVC(device=device),
        "TorchCNNClassifier": skscat.TorchCNNClassifier(
            shape=(8, 8), max_epochs=1, batch_size=32, device=device, random_state=0
        ),
        "TorchCNNClassifier-mlp-class": skscat.TorchCNNClassifier(
            module=skscat.MLP, module__width=16, max_epochs=1, device=device, random_state=0
        ),
        "CachedTransformer": CachedTransformer(skscat.ScatteringTransformer(J=1, L=4, device=device), memory=None),
        "pipeline": make_pipeline(
            skscat.ScatteringTransformer(J=1, L=4, device=device), StandardScaler(), skscat.TorchSVC(device=device)
        ),
    }


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:120] / 16).astype(np.float32), y[:120]


def _outputs(est, X):
    """Every prediction-like output of ``est`` on ``X``."""
    methods = ["predict", "predict_proba", "decision_function", "transform"]
    return {m: getattr(est, m)(X) for m in methods if hasattr(est, m)}


def _torch_objects(value, path="state"):
    """Paths of the torch objects (or raw byte blobs) inside a state, recursively."""
    if isinstance(value, (torch.Tensor, torch.nn.Module, torch.device, bytes)):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _torch_objects(v, f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _torch_objects(v, f"{path}[{i}]")]
    if isinstance(value, BaseEstimator):
        return _torch_objects(value.__getstate__(), f"{path}<{type(value).__name__}>")
    return []


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name", sorted(_estimators()))
def test_skops_round_trip_with_the_listed_trusted_types(name, digits):
    X, y = digits
    est = _estimators()[name].fit(X, y)
    expected = _outputs(est, X)  # also builds the private torch caches
    data = sio.dumps(est)
    # The helper names exactly what skops asks for: nothing missing, nothing extra.
    assert sorted(sio.get_untrusted_types(data=data)) == trusted_types(est)
    loaded = sio.loads(data, trusted=trusted_types(est))
    assert type(loaded) is type(est)
    got = _outputs(loaded, X)
    assert got.keys() == expected.keys()
    for method, value in expected.items():
        np.testing.assert_array_equal(got[method], value, err_msg=f"{name}.{method} after skops round trip")


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name", sorted(_estimators()))
def test_fitted_state_holds_no_torch_objects(name, digits):
    X, y = digits
    est = _estimators()[name].fit(X, y)
    assert _torch_objects(est.__getstate__()) == []
    _outputs(est, X)  # predictions build private torch caches; they must not travel
    assert _torch_objects(est.__getstate__()) == []


class _Untrusted(TransformerMixin, BaseEstimator):
    """A transformer skops has never heard of: it stands for code someone sent you."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


def test_untrusted_type_is_refused_with_its_name(digits):
    X, y = digits
    model = make_pipeline(_Untrusted(), skscat.TorchSVC(device="cpu")).fit(X, y)
    data = sio.dumps(model)
    name = f"{__name__}._Untrusted"
    assert name not in trusted_types(model)  # the helper never vouches for foreign code
    with pytest.raises(UntrustedTypesFoundException, match=name):
        sio.loads(data, trusted=trusted_types(model))
    with pytest.raises(UntrustedTypesFoundException, match="TorchSVC"):
        sio.loads(data)  # nothing trusted: skscat's own types are refused too


def test_trusted_types_sees_devices_and_module_classes():
    est = skscat.TorchCNNClassifier(module=skscat.SmallCNN, device=torch.device("cpu"))
    assert trusted_types(est) == [
        "skscat.networks._classifier.TorchCNNClassifier",
        "skscat.networks._small.SmallCNN",
        "torch.device",
    ]
    assert trusted_types(StandardScaler()) == []


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["TorchSVC", "MeanNormGaussianSVC", "TorchCNNClassifier", "ScatteringTransformer"])
def test_cuda_fit_loads_and_predicts_on_cpu(name, digits):
    X, y = digits
    est = _estimators("cuda")[name].fit(X, y)
    expected = _outputs(est, X)
    assert _torch_objects(est.__getstate__()) == []
    loaded = sio.loads(sio.dumps(est), trusted=trusted_types(est)).set_params(device="cpu")
    for method, value in _outputs(loaded, X).items():
        np.testing.assert_allclose(value, expected[method], rtol=1e-4, atol=1e-5, err_msg=method)


def test_trusted_types_docstring_example_runs():
    import doctest

    from skscat.utils import _persistence

    result = doctest.testmod(_persistence, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
