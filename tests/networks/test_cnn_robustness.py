"""TorchCNNClassifier on bad parameters, bad networks and bad files: a clear error or warning, never silence."""

import builtins

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

import skscat.networks._classifier as classifier_module
from skscat.networks import TorchCNNClassifier
from skscat.networks._checkpoint import CHECKPOINT_NAME
from skscat.utils import RecordWarning


def _images(n=32, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 1, 8, 8).astype(np.float32)
    return X, (X[..., :4].mean(axis=(1, 2, 3)) > X[..., 4:].mean(axis=(1, 2, 3))).astype(int)


def _small(**params):
    defaults = {"module": "small_cnn", "module__width": 4, "max_epochs": 2, "batch_size": 16,
                "horizontal_flip": False, "device": "cpu", "random_state": 0}
    return TorchCNNClassifier(**{**defaults, **params})


def _count_epochs(monkeypatch):
    calls = []
    train_epoch = classifier_module.train_epoch

    def counting(*args, **kwargs):
        calls.append(1)
        return train_epoch(*args, **kwargs)

    monkeypatch.setattr(classifier_module, "train_epoch", counting)
    return calls


# -- keyword arguments: a typo cannot be lost by clone / GridSearchCV ------------------------------


def test_misspelt_keyword_is_a_type_error_with_a_suggestion():
    with pytest.raises(TypeError, match=r"\['max_epoch'\] \(did you mean 'max_epoch' -> 'max_epochs'\?\)"):
        TorchCNNClassifier(max_epoch=5)


def test_prefixed_module_params_survive_get_set_params_and_clone():
    clf = TorchCNNClassifier(module="small_cnn", module__width=3)
    clf.set_params(module__width=5, max_epochs=4)
    copy = clone(clf)
    assert copy.get_params()["module__width"] == 5
    assert copy.get_params()["max_epochs"] == 4
    assert "module__width" in TorchCNNClassifier(**copy.get_params()).get_params()


# -- training that diverges ---------------------------------------------------------------------------


def test_divergence_to_nan_is_an_error_naming_lr(monkeypatch):
    calls = _count_epochs(monkeypatch)
    X, y = _images()
    with pytest.raises(ValueError, match=r"diverged: the training loss of epoch 2 is nan \(lr=1e\+?10\).*smaller lr"):
        _small(lr=1e10, max_epochs=5).fit(X, y)
    assert len(calls) == 2  # stops at the first non-finite epoch instead of training on NaN


# -- networks that cannot be a classifier --------------------------------------------------------------


def test_network_with_the_wrong_number_of_outputs_fails_at_fit():
    X, y = _images()
    wrong = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3))  # 3 logits for 2 classes
    with pytest.raises(ValueError, match=r"outputs of shape \(2, 3\).*2 classes needs shape \(2, 2\)"):
        TorchCNNClassifier(module=wrong, max_epochs=1, device="cpu").fit(X, y)


def test_network_with_one_dimensional_output_fails_at_fit():
    X, y = _images()

    class Scores(torch.nn.Module):  # no __init__ of its own: built without in_shape / n_classes
        def forward(self, x):
            return x.flatten(1).sum(1)

    with pytest.raises(ValueError, match=r"outputs of shape \(2,\)"):
        TorchCNNClassifier(module=Scores, max_epochs=1, device="cpu").fit(X, y)


def test_factory_returning_a_non_module_is_a_type_error():
    X, y = _images()
    with pytest.raises(TypeError, match="returned a str, not a torch.nn.Module"):
        TorchCNNClassifier(module=lambda **kwargs: "not a network", device="cpu").fit(X, y)


# -- parameter values ----------------------------------------------------------------------------------


@pytest.mark.parametrize("milestones", [(float("nan"),), (0.3, float("inf")), ("soon",)])
def test_non_finite_milestones_are_an_error(milestones):
    X, y = _images()
    with pytest.raises(ValueError, match=r"lr_milestones=.* must be finite fractions of max_epochs"):
        _small(lr_milestones=milestones).fit(X, y)


def test_zero_batch_size_is_an_error_naming_it():
    X, y = _images()
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter .* must be an int in the range"):
        _small(batch_size=0).fit(X, y)


# -- checkpoint files ----------------------------------------------------------------------------------


def test_corrupt_checkpoint_warns_starts_over_and_is_replaced(tmp_path):
    X, y = _images()
    path = tmp_path / CHECKPOINT_NAME
    path.write_bytes(b"\x80\x04 not a torch file")
    with pytest.warns(RecordWarning, match=rf"{CHECKPOINT_NAME}.*recomputing it and overwriting"):
        fitted = _small(checkpoint_dir=tmp_path).fit(X, y)
    reference = _small().fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), reference.predict_proba(X))
    state = torch.load(path, weights_only=False)  # replaced by a readable checkpoint of this fit
    assert state["epoch"] == 2


def test_checkpoint_dir_that_is_a_file_fails_before_training(tmp_path, monkeypatch):
    calls = _count_epochs(monkeypatch)
    X, y = _images()
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder")
    with pytest.raises(ValueError, match=r"checkpoint_dir='.*results.txt' is a file, not a folder"):
        _small(checkpoint_dir=a_file).fit(X, y)
    with pytest.raises(ValueError, match="cannot be created"):
        _small(checkpoint_dir=a_file / "sub").fit(X, y)
    assert calls == []


# -- probabilities and progress --------------------------------------------------------------------------


def test_probabilities_of_huge_logits_are_finite():
    X, y = _images()
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    clf = TorchCNNClassifier(module=net, max_epochs=1, lr=1e-6, device="cpu", random_state=0).fit(X, y)
    with torch.no_grad():
        for p in clf.module_.parameters():
            p.mul_(1e6)  # logits of order 1e6: a naive exp overflows
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))


def test_verbose_writes_through_tqdm_never_print(monkeypatch, capsys):
    def no_print(*args, **kwargs):
        raise AssertionError("verbose output must go through tqdm, not print")

    X, y = _images()
    monkeypatch.setattr(builtins, "print", no_print)
    _small(verbose=1).fit(X, y).predict(X)
    assert "epoch   2/2" in capsys.readouterr().out


def test_in_shape_is_a_deprecated_alias_of_image_shape():
    X, y = _images()
    clf = _small().fit(X, y)
    with pytest.warns(FutureWarning, match="use image_shape_"):
        assert clf.in_shape_ == clf.image_shape_ == (1, 8, 8)
    vectors = _small(module="mlp").fit(X.reshape(len(X), -1), y)
    assert vectors.image_shape_ is None
    with pytest.warns(FutureWarning):
        assert vectors.in_shape_ == (64,)
    assert not hasattr(TorchCNNClassifier(), "in_shape_")


def test_state_pickled_with_in_shape_loads_as_image_shape():
    X, y = _images()
    clf = _small().fit(X, y)
    state = clf.__getstate__()
    state["in_shape_"] = state.pop("image_shape_")  # the attribute's name before 0.2
    old = TorchCNNClassifier.__new__(TorchCNNClassifier)
    old.__setstate__(state)
    assert old.image_shape_ == (1, 8, 8)
    np.testing.assert_array_equal(old.predict(X), clf.predict(X))


def test_checkpoints_of_different_random_state_objects_are_not_shared():
    from skscat.networks._checkpoint import fit_fingerprint

    X, y = _images()
    params = _small().get_params()
    first = fit_fingerprint({**params, "random_state": np.random.RandomState(0)}, X, y)
    second = fit_fingerprint({**params, "random_state": np.random.RandomState(1)}, X, y)
    assert first != second
    assert fit_fingerprint(params, X, y) == fit_fingerprint(dict(params), X, y.copy())
