"""TorchCNNClassifier: parameters, determinism, checkpoints, pickling, bad input."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skscat.networks._classifier as cnn_module
from skscat.networks import TorchCNNClassifier
from skscat.networks._training import learning_rate, minibatches
from skscat.utils import DeviceWarning

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def _images(n=48, shape=(1, 8, 8), seed=0):
    """Images whose class is which half (left/right) is brighter: learnable by a tiny CNN."""
    rng = np.random.RandomState(seed)
    X = rng.rand(n, *shape).astype(np.float32)
    y = np.where(X[..., :4].mean(axis=(1, 2, 3)) > X[..., 4:].mean(axis=(1, 2, 3)), "left", "right")
    return X, y


def _small(**params):
    defaults = {"module": "small_cnn", "module__width": 4, "max_epochs": 2, "batch_size": 16,
                "horizontal_flip": False, "device": "cpu", "random_state": 0}
    defaults.update(params)
    return TorchCNNClassifier(**defaults)


def _weights(clf):
    return {k: v.detach().cpu().clone() for k, v in clf.module_.state_dict().items()}


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)


# -- parameters -----------------------------------------------------------------------------


def test_module_params_are_real_params():
    clf = TorchCNNClassifier(module="small_cnn", module__width=3)
    assert clf.get_params()["module__width"] == 3
    clf.set_params(module__width=5, module__extra=1, max_epochs=4)
    params = clone(clf).get_params()
    assert (params["module__width"], params["module__extra"], params["max_epochs"]) == (5, 1, 4)


def test_module_params_reach_the_network():
    X, y = _images()
    clf = _small(module__width=3).fit(X, y)
    assert clf.module_.features[0].out_channels == 3


def test_unexpected_keyword_is_a_type_error_at_construction():
    with pytest.raises(TypeError, match="module__<name>=value"):
        TorchCNNClassifier(widht=3)


def test_unknown_module_name_lists_the_registry():
    X, y = _images()
    with pytest.raises(ValueError, match="not a registered network.*scat_wrn"):
        _small(module="resnet9000").fit(X, y)


def test_module_param_the_network_does_not_take():
    X, y = _images()
    with pytest.raises(ValueError, match="module__\\* parameters.*depthh"):
        _small(module__depthh=3).fit(X, y)


def test_module_class_and_instance():
    X, y = _images()
    from skscat.networks import SmallCNN

    by_class = _small(module=SmallCNN).fit(X, y)
    instance = SmallCNN(in_shape=(1, 8, 8), n_classes=2, width=4)
    before = _weights_of(instance)
    by_instance = TorchCNNClassifier(module=instance, max_epochs=1, device="cpu", random_state=0).fit(X, y)
    _assert_same_weights(before, _weights_of(instance))  # the given instance is copied, not trained
    assert by_class.predict(X).shape == by_instance.predict(X).shape == (len(X),)


def _weights_of(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_grid_search_over_width_in_parallel():
    X, y = _images(n=40)
    search = GridSearchCV(_small(max_epochs=1), {"module__width": [2, 3]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["module__width"] in (2, 3)
    assert search.best_estimator_.module_.features[0].out_channels == search.best_params_["module__width"]


def test_grid_search_over_scattering_J():
    X, y = _images(n=24, shape=(3, 8, 8))
    clf = _small(module="scat_wrn", module__width=1, module__L=2, max_epochs=1)
    search = GridSearchCV(clf, {"module__J": [1, 2]}, cv=2).fit(X, y)
    n_paths = {1: 1 + 2, 2: 1 + 4 + 4}[search.best_params_["module__J"]]
    assert search.best_estimator_.module_.front_end.n_channels == 3 * n_paths


def test_pipeline_with_flat_input_and_shape():
    X, y = _images()
    flat = X.reshape(len(X), -1)
    pipe = make_pipeline(FunctionTransformer(), _small(shape=(1, 8, 8))).fit(flat, y)
    assert pipe[-1].image_shape_ == (1, 8, 8)
    np.testing.assert_array_equal(pipe.predict(flat), _small().fit(X, y).predict(X))


def test_three_dimensional_input_is_single_channel():
    X, y = _images()
    clf = _small().fit(X[:, 0], y)
    assert clf.image_shape_ == (1, 8, 8)
    assert clf.n_features_in_ == 64  # C * H * W, as for every skscat estimator on images


# -- training ----------------------------------------------------------------------------------


def test_learns_a_simple_problem_and_records_history():
    X, y = _images(n=96)
    clf = _small(module="mlp", module__width=16, crop_padding=0, max_epochs=15, lr=0.05,
                 lr_schedule="cosine").fit(X, y)
    assert clf.score(X, y) > 0.8
    assert set(clf.classes_) == {"left", "right"}
    assert clf.history_["train_loss"].shape == (15,)
    assert clf.history_["train_loss"][-1] < clf.history_["train_loss"][0]
    assert clf.n_epochs_ == clf.best_epoch_ == 15


def test_same_seed_same_weights_and_global_rng_untouched():
    X, y = _images()
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a = _small(horizontal_flip=True).fit(X, y)
    assert torch.equal(before, torch.random.get_rng_state())
    b = _small(horizontal_flip=True).fit(X, y)
    c = _small(horizontal_flip=True, random_state=1).fit(X, y)
    _assert_same_weights(_weights(a), _weights(b))
    assert not torch.equal(_weights(a)["classifier.weight"], _weights(c)["classifier.weight"])


def test_predictions_do_not_depend_on_batch_size():
    X, y = _images()
    clf = _small().fit(X, y)
    proba = clf.predict_proba(X)
    clf.set_params(batch_size=5)
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_early_stopping_keeps_the_best_epoch(monkeypatch):
    # An MLP on flat rows learns this data within a few epochs, so validation accuracy rises, peaks and falls:
    # with random_state=0 on the CPU it peaks at epoch 8 and stops 3 epochs later (a fixed, reproducible run).
    snapshots = []
    validate_epoch = TorchCNNClassifier._validate_epoch

    def spy(self, run, device):
        snapshots.append({k: v.detach().clone() for k, v in run["module"].state_dict().items()})
        return validate_epoch(self, run, device)

    monkeypatch.setattr(TorchCNNClassifier, "_validate_epoch", spy)
    X, y = _images(n=80)
    clf = _small(module="mlp", module__width=8, lr=0.1, max_epochs=60, early_stopping=True,
                 validation_fraction=0.25, n_iter_no_change=3).fit(X.reshape(len(X), -1), y)
    valid = clf.history_["valid_accuracy"]
    assert (clf.n_epochs_, clf.best_epoch_) == (11, 8)
    assert clf.n_epochs_ == len(valid) == len(snapshots) == clf.best_epoch_ + 3
    assert valid[clf.best_epoch_ - 1] == valid.max() > valid[0]
    _assert_same_weights(_weights(clf), snapshots[clf.best_epoch_ - 1])


def test_warm_start_continues_training():
    X, y = _images()
    clf = _small(warm_start=True).fit(X, y)
    first = _weights(clf)
    module = clf.module_
    clf.fit(X, y)
    assert clf.module_ is module
    assert len(clf.history_["epoch"]) == 2
    assert not torch.equal(first["classifier.weight"], _weights(clf)["classifier.weight"])
    with pytest.raises(ValueError, match="warm_start=True but y has classes"):
        clf.fit(X, np.where(y == "left", "up", "down"))


def test_verbose_prints_epoch_lines(capsys):
    X, y = _images()
    _small(verbose=1).fit(X, y)
    out = capsys.readouterr()
    assert "epoch   2/2" in out.out + out.err
    assert "train loss" in out.out + out.err


@pytest.mark.parametrize(
    ("schedule", "epoch", "expected"),
    [("step", 0, 0.1), ("step", 3, 0.02), ("step", 9, 0.1 * 0.2**3), ("cosine", 5, 0.05), ("constant", 7, 0.1)],
)
def test_learning_rate_schedules(schedule, epoch, expected):
    lr = learning_rate(epoch, lr=0.1, schedule=schedule, milestones=(0.3, 0.6, 0.8), gamma=0.2, max_epochs=10)
    assert lr == pytest.approx(expected)


def test_a_trailing_batch_of_one_joins_the_previous():
    sizes = [len(b) for b in minibatches(torch.arange(33), 16)]
    assert sizes == [16, 17]


# -- checkpoints ------------------------------------------------------------------------------------


def test_killed_fit_resumes_to_the_same_weights(tmp_path, monkeypatch):
    X, y = _images()
    params = {"max_epochs": 4, "horizontal_flip": True, "early_stopping": True, "validation_fraction": 0.25}
    reference = _small(**params).fit(X, y)

    real_epoch, calls = cnn_module.train_epoch, []

    def dies_in_epoch_three(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        return real_epoch(*args, **kwargs)

    monkeypatch.setattr(cnn_module, "train_epoch", dies_in_epoch_three)
    with pytest.raises(KeyboardInterrupt):
        _small(checkpoint_dir=tmp_path, **params).fit(X, y)
    assert (tmp_path / "checkpoint.pt").exists()
    monkeypatch.setattr(cnn_module, "train_epoch", real_epoch)
    resumed = _small(checkpoint_dir=tmp_path, **params).fit(X, y)

    _assert_same_weights(_weights(reference), _weights(resumed))
    for key in reference.history_:
        np.testing.assert_array_equal(reference.history_[key], resumed.history_[key])


def test_checkpoint_of_another_fit_is_ignored(tmp_path):
    X, y = _images()
    _small(checkpoint_dir=tmp_path).fit(X, y)
    other = _small(checkpoint_dir=tmp_path, lr=0.05).fit(X, y)
    _assert_same_weights(_weights(other), _weights(_small(lr=0.05).fit(X, y)))


# -- pickling and devices ----------------------------------------------------------------------------


def test_pickle_round_trip():
    X, y = _images()
    clf = _small().fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert hasattr(clf, "module_")  # pickling must not strip the live estimator
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.module_ is not clf.module_


def test_unavailable_device_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    X, y = _images()
    with pytest.raises(ValueError, match="CUDA is not available.*device='cpu'"):
        _small(device="cuda").fit(X, y)


def test_unpickled_cuda_model_predicts_on_cpu_with_a_warning():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    X, y = _images()
    clf = _small().fit(X, y)
    clf.set_params(device="cuda")  # as if fitted on a GPU machine
    restored = pickle.loads(pickle.dumps(clf))
    with pytest.warns(DeviceWarning, match="TorchCNNClassifier predicts on the CPU"):
        np.testing.assert_array_equal(restored.predict(X), clf.set_params(device="cpu").predict(X))


@pytest.mark.gpu
def test_cuda_fit_unpickles_on_cpu_and_back():
    X, y = _images()
    on_gpu = _small(device="cuda").fit(X, y)
    assert next(on_gpu.module_.parameters()).is_cuda
    restored = pickle.loads(pickle.dumps(on_gpu))
    assert not next(restored.module_.parameters()).is_cuda
    cpu_proba = restored.set_params(device="cpu").predict_proba(X)
    # CUDA convolutions may run in TF32 (about 1e-3 relative precision).
    np.testing.assert_allclose(cpu_proba, on_gpu.predict_proba(X), rtol=2e-3, atol=2e-3)
    back = pickle.loads(pickle.dumps(restored)).set_params(device="cuda")
    np.testing.assert_allclose(back.predict_proba(X), cpu_proba, rtol=2e-3, atol=2e-3)


@pytest.mark.gpu
def test_same_augmentation_draws_on_cpu_and_cuda():
    X, y = _images()
    on_cpu = _small(horizontal_flip=True, max_epochs=1, lr=1e-3).fit(X, y)
    on_gpu = _small(horizontal_flip=True, max_epochs=1, lr=1e-3, device="cuda").fit(X, y)
    for key, value in _weights(on_cpu).items():
        torch.testing.assert_close(value, _weights(on_gpu)[key].cpu(), rtol=2e-3, atol=2e-3)  # TF32 convolutions


# -- bad input --------------------------------------------------------------------------------------


def test_wrong_image_shape_at_predict():
    X, y = _images()
    clf = _small().fit(X, y)
    with pytest.raises(ValueError, match=r"samples of shape \(1, 6, 6\).*fitted on samples of shape \(1, 8, 8\)"):
        clf.predict(np.zeros((2, 1, 6, 6), np.float32))


def test_wrong_image_shape_for_the_network():
    X, y = _images(shape=(3, 8, 8))
    with pytest.raises(ValueError, match="too small for J=4"):
        _small(module="scat_wrn", module__J=4).fit(X, y)


def test_flat_input_that_does_not_match_shape():
    X, y = _images()
    with pytest.raises(ValueError, match=r"shape=\(3, 8, 8\) holds 192 values per image but X has 64 features"):
        _small(shape=(3, 8, 8)).fit(X.reshape(len(X), -1), y)


def test_crop_padding_too_large_for_the_images():
    X, y = _images()
    with pytest.raises(ValueError, match=r"crop_padding=8 is too large.*crop_padding <= 7"):
        _small(crop_padding=8).fit(X, y)


def test_unseen_labels_in_score():
    X, y = _images()
    clf = _small().fit(X, y)
    with pytest.raises(ValueError, match=r"labels \['up'\] that were not seen in fit"):
        clf.score(X, np.where(y == "left", "up", y))


def test_nan_in_X():
    X, y = _images()
    X[3, 0, 2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _small().fit(X, y)


def test_vectors_need_a_network_for_vectors():
    X, y = _images()
    with pytest.raises(ValueError, match="SmallCNN needs images.*module='mlp'"):
        _small().fit(X.reshape(len(X), -1), y)


def test_old_estimators_module_warns_and_gives_the_same_class():
    import skscat.estimators

    with pytest.warns(FutureWarning, match="skscat.networks"):
        old = skscat.estimators.TorchCNNClassifier
    assert old is TorchCNNClassifier
