"""``TorchCNNClassifier``: a scikit-learn classifier around a torch module."""

import copy
import difflib
import math
import os
import time
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..utils import (
    DEVICE_CONSTRAINT,
    infer_image_shape,
    resolve_device,
    runtime_device,
    split_images,
)
from ..utils._sklearn import Interval, StrOptions, _fit_context
from ._checkpoint import (
    check_checkpoint_dir,
    fit_fingerprint,
    load_checkpoint,
    save_checkpoint,
)
from ._distributed import data_parallel
from ._registry import get_network
from ._training import (
    build_module,
    check_module,
    check_outputs,
    evaluate,
    learning_rate,
    loss_and_accuracy,
    minibatches,
    train_epoch,
)

__all__ = ["TorchCNNClassifier"]

_PREFIX = "module__"
_HISTORY_KEYS = ("epoch", "lr", "train_loss", "train_accuracy", "valid_loss", "valid_accuracy")


class TorchCNNClassifier(ClassifierMixin, BaseEstimator):
    """Classifier that trains a torch module with SGD, the scikit-learn way.

    The network is chosen like in skorch: ``module`` is a registered name
    (see :func:`skscat.networks.list_networks`), a :class:`torch.nn.Module`
    subclass, or an instance, and ``module__<name>=value`` arguments are
    passed to its constructor. They are ordinary parameters, so
    ``GridSearchCV`` can search e.g. ``{"module__width": [2, 4]}`` or
    ``{"module__J": [1, 2]}``. The sample shape and the number of classes are
    inferred from the data and passed as ``in_shape`` and ``n_classes``.

    Training follows the hybrid-network papers: cross-entropy, SGD with
    momentum 0.9, learning rate 0.1, weight decay 5e-4, batches of 128, the
    rate multiplied by 0.2 at 30, 60 and 80 % of the epochs, random crops
    with reflect padding 4 and horizontal flips (images only, on the training
    device).

    Under ``torchrun`` (or any launcher that sets ``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR``), every process calls ``fit`` with the same data and
    trains one DistributedDataParallel replica on its shard of each global
    batch of ``batch_size`` (gloo on the CPU, NCCL and SyncBatchNorm on
    CUDA); rank 0 alone writes checkpoints, and every rank ends with the
    same model (see ``docs/scaling.md``).

    We wrote this estimator instead of subclassing skorch's
    ``NeuralNetClassifier``: with a trivial module, skorch fails 42 of the 55
    checks of ``sklearn.utils.estimator_checks`` (skorch 1.4.0, scikit-learn
    1.9.1), takes ``module`` positionally and arbitrary ``**kwargs``, sets
    ``history_`` and ``initialized_`` in ``__init__``, does not infer input
    shapes, and draws its randomness from torch's global RNG. Fixing these
    would override most of it.

    Parameters
    ----------
    module : str, type or torch.nn.Module, default="auto"
        The network. ``"auto"``: ``"small_cnn"`` for images, ``"mlp"`` for
        2-D ``X`` without ``shape``. A name from
        :func:`~skscat.networks.list_networks`, a class (called with the
        ``module__*`` arguments, plus ``in_shape`` and ``n_classes`` when its
        signature accepts them), or an instance (copied, trained as given).
    shape : tuple of int, default=None
        Shape of one image, ``(C, H, W)`` or ``(H, W)``, when ``X`` is flat
        ``(n_samples, C * H * W)``. ``None``: ``X`` of shape (n, C, H, W) or
        (n, H, W) are images; 2-D ``X`` are feature vectors.
    max_epochs : int, default=200
        Number of passes over the training data.
    batch_size : int, default=128
        SGD minibatch size: a training hyperparameter (like
        ``MLPClassifier``'s), so it changes the fitted network. Also the
        number of rows per forward pass in ``predict``, where it only bounds
        memory (predictions agree across batch sizes up to float rounding).
    lr : float, default=0.1
        Initial learning rate.
    momentum : float, default=0.9
        SGD momentum.
    weight_decay : float, default=5e-4
        L2 penalty of SGD.
    lr_schedule : {"step", "cosine", "constant"}, default="step"
        ``"step"``: multiply by ``lr_gamma`` at each of ``lr_milestones``;
        ``"cosine"``: anneal to 0 over ``max_epochs``.
    lr_milestones : tuple of float, default=(0.3, 0.6, 0.8)
        Fractions of ``max_epochs`` where a step schedule decays (finite
        numbers; a fraction above 1 is never reached).
    lr_gamma : float, default=0.2
        Decay factor of the step schedule.
    crop_padding : int, default=4
        Random-crop augmentation: reflect-pad by this many pixels and crop
        back at a random offset (0: off; must be smaller than the image's
        height and width).
    horizontal_flip : bool, default=True
        Random horizontal flips of training images.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop after
        ``n_iter_no_change`` epochs without a better validation accuracy, and
        keep the best epoch's weights.
    validation_fraction : float, default=0.1
        Held-out fraction when ``early_stopping``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    warm_start : bool, default=False
        Continue training the fitted ``module_`` (``max_epochs`` more epochs,
        new optimizer and schedule) instead of building a new one.
    device : str or torch.device, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:<i>"`` or ``"auto"`` (CUDA when
        available, else the CPU); resolved in ``fit``, which fails on a
        device this machine lacks. Prediction after unpickling on a machine
        without that device runs on the CPU with a
        :class:`~skscat.utils.DeviceWarning`. CPU and CUDA round
        differently, so the fitted weights differ slightly between them.
    checkpoint_dir : str or os.PathLike, default=None
        Save model, optimizer, epoch, RNG state and history to
        ``checkpoint_dir/checkpoint.pt`` (atomically) after each epoch. A
        fit with the same parameters and data resumes from it, so a killed
        fit continues where it stopped (with the same result on the CPU).
        The folder is created at the start of ``fit``; a checkpoint that
        cannot be read is ignored with a :class:`~skscat.utils.RecordWarning`
        and overwritten. Not used when ``warm_start`` continues an already
        fitted network.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, augmentation and the
        validation split (through a local ``torch.Generator``; the global
        torch RNG is left alone). With an int, fits on the CPU are
        reproducible.
    verbose : bool or int, default=0
        Truthy: tqdm progress bars over batches and one ``tqdm.write`` line
        per epoch (loss, accuracy, learning rate, validation scores).
    **module_params : dict
        ``module__<name>=value`` arguments of the network's constructor.
        Any other keyword raises :class:`TypeError` here, as a misspelt
        argument of a function does (so ``clone`` cannot drop it).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Values per sample: ``C * H * W`` for images (whatever their
        layout), ``n_features`` for vectors.
    image_shape_ : tuple of int or None
        ``(C, H, W)`` of the training images; ``None`` for feature vectors.
        The network receives ``in_shape=image_shape_`` (or
        ``(n_features_in_,)`` for vectors). ``in_shape_`` is its deprecated
        former name.
    module_ : torch.nn.Module
        The trained network (on the training device; on the CPU after
        unpickling).
    history_ : dict of ndarray
        Per epoch: ``epoch``, ``lr``, ``train_loss``, ``train_accuracy`` and,
        with early stopping, ``valid_loss``, ``valid_accuracy`` (NaN otherwise).
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs`` after early stopping).
    best_epoch_ : int
        Epoch whose weights were kept (the last one without early stopping).

    See Also
    --------
    skscat.networks.ScatWRN : Scattering + wide ResNet for CIFAR.
    sklearn.neural_network.MLPClassifier : Scikit-learn's own perceptron.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.networks import TorchCNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(40, 1, 8, 8).astype(np.float32)
    >>> y = (X[:, 0, :, :4].mean(axis=(1, 2)) > X[:, 0, :, 4:].mean(axis=(1, 2))).astype(int)
    >>> clf = TorchCNNClassifier(module="small_cnn", module__width=4, max_epochs=3,
    ...                          horizontal_flip=False, device="cpu", random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> clf.history_["train_loss"].shape
    (3,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "module": [str, callable],
        "shape": [tuple, list, None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"step", "cosine", "constant"})],
        "lr_milestones": ["array-like"],
        "lr_gamma": [Interval(Real, 0, 1, closed="right")],
        "crop_padding": [Interval(Integral, 0, None, closed="left")],
        "horizontal_flip": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "device": DEVICE_CONSTRAINT,
        "checkpoint_dir": [str, os.PathLike, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        module="auto",
        shape=None,
        max_epochs=200,
        batch_size=128,
        lr=0.1,
        momentum=0.9,
        weight_decay=5e-4,
        lr_schedule="step",
        lr_milestones=(0.3, 0.6, 0.8),
        lr_gamma=0.2,
        crop_padding=4,
        horizontal_flip=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        warm_start=False,
        device="auto",
        checkpoint_dir=None,
        random_state=None,
        verbose=0,
        **module_params,
    ):
        self.module = module
        self.shape = shape
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.lr_milestones = lr_milestones
        self.lr_gamma = lr_gamma
        self.crop_padding = crop_padding
        self.horizontal_flip = horizontal_flip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.random_state = random_state
        self.verbose = verbose
        # A misspelt keyword is a TypeError now, as in skorch: clone() would silently drop it later.
        _check_no_unexpected_kwargs([name for name in module_params if not _is_module_param(name)])
        for name, value in module_params.items():
            setattr(self, name, value)

    # -- parameters -------------------------------------------------------------------------

    def get_params(self, deep=True):
        """Get parameters, including the ``module__*`` ones.

        Parameters
        ----------
        deep : bool, default=True
            Unused (no sub-estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._module_params())
        return params

    def set_params(self, **params):
        """Set parameters; ``module__<name>`` keys are accepted for any ``name``.

        Parameters
        ----------
        **params : dict
            Estimator parameters and ``module__*`` arguments.

        Returns
        -------
        self : TorchCNNClassifier
            The estimator, updated.
        """
        module_params = {key: params.pop(key) for key in list(params) if _is_module_param(key)}
        for name, value in module_params.items():
            setattr(self, name, value)
        return super().set_params(**params)

    def _module_params(self):
        return {key: value for key, value in vars(self).items() if key.startswith(_PREFIX)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_class = True
        return tags

    # -- fit ----------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, C, H, W), (n_samples, H, W) or (n_samples, n_features)
            Training images (flat ones need ``shape``) or feature vectors.
        y : array-like of shape (n_samples,)
            Class labels of any type.

        Returns
        -------
        self : TorchCNNClassifier
            Fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "module_")
        milestones = _check_milestones(self.lr_milestones)
        if self.checkpoint_dir is not None and not warm:
            check_checkpoint_dir(self.checkpoint_dir)
        X, y_encoded = self._validate_fit_data(X, y, warm)
        device = resolve_device(self.device)
        parallel = data_parallel(device)  # None unless torchrun started several processes
        device = device if parallel is None else parallel.device
        run = self._start_run(X, y_encoded, device, warm, parallel)
        run["milestones"] = milestones
        self._train(run, device)
        self._finish(run)
        return self

    def _validate_fit_data(self, X, y, warm):
        rows, image_shape = split_images(X)
        rows, y = validate_data(self, rows, y, reset=not warm, dtype=[np.float32, np.float64])
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start=True but y has classes {classes.tolist()}, not the fitted classes_ "
                f"{self.classes_.tolist()}. Use warm_start=False to train a new network."
            )
        if len(classes) < 2:
            raise ValueError(
                f"y has 1 class ({classes[0]!r}); a classifier needs at least 2 classes to learn from."
            )
        images = self._as_samples(rows, image_shape, fit=not warm)
        self.classes_ = classes
        return images, y_encoded

    def _as_samples(self, rows, image_shape, fit):
        """Validated rows as ``(n, *sample_shape)`` float32; set or check ``image_shape_``."""
        if image_shape is not None or self.shape is not None:
            # Images (flat rows with shape=, or image-shaped arrays): the one shape rule of skscat.utils.
            image_shape = infer_image_shape(rows.reshape(-1, *image_shape) if image_shape else rows, self.shape)
        if fit:
            self.image_shape_ = image_shape
        elif image_shape != self.image_shape_:
            self._shape_mismatch(image_shape or rows.shape[1:])
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), *self._sample_shape())

    def _shape_mismatch(self, found):
        raise ValueError(
            f"X has samples of shape {tuple(found)}, but this {type(self).__name__} was fitted on samples of "
            f"shape {self._sample_shape()}; resize the images (or fix shape={self.shape!r})."
        )

    def _sample_shape(self):
        return self.image_shape_ if self.image_shape_ is not None else (self.n_features_in_,)

    @property
    def in_shape_(self):
        """Deprecated name of ``image_shape_`` (or ``(n_features_in_,)`` for vectors)."""
        check_is_fitted(self)
        warnings.warn("in_shape_ is deprecated since 0.2 and will be removed in 0.3: use image_shape_ (None for "
                      "feature vectors, whose shape is (n_features_in_,)).", FutureWarning, stacklevel=2)
        return self._sample_shape()

    def _module_factory(self):
        module = self.module
        if isinstance(module, str):
            if module == "auto":
                module = "mlp" if self.image_shape_ is None else "small_cnn"
            return get_network(module)
        if isinstance(module, torch.nn.Module):
            if self._module_params():
                raise ValueError(
                    f"module is an instance of {type(module).__name__}, so module__* parameters "
                    f"{sorted(self._module_params())} cannot be applied; pass the class instead."
                )
            return lambda **kwargs: copy.deepcopy(module)
        return module

    def _new_module(self, seed):
        factory = self._module_factory()
        kwargs = {key[len(_PREFIX):]: value for key, value in self._module_params().items()}
        try:
            module = build_module(factory, kwargs, self._sample_shape(), len(self.classes_), seed)
        except TypeError as exc:
            raise ValueError(
                f"Could not build module={self.module!r} with {_PREFIX}* parameters {kwargs}: {exc}. "
                f"Check the names of the {_PREFIX}* parameters against the module's constructor."
            ) from exc
        return check_module(module, factory)

    def _start_run(self, X, y, device, warm, parallel=None):
        """Everything a training run needs: data split, module, optimizer, generator, history."""
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if parallel is not None:
            seed = parallel.broadcast(seed)  # one initialisation and one shuffle on every rank
        generator = torch.Generator().manual_seed(seed)
        module_seed = int(torch.randint(np.iinfo(np.int32).max, (1,), generator=generator))
        module = self.module_ if warm else self._new_module(module_seed)
        module = module.to(device)
        check_outputs(module, X[:2], len(self.classes_), device, name=f"module={self.module!r}")
        run = {"generator": generator, "module": module, "epoch": 0, "history": [], "best": None}
        run.update(self._split(X, y, generator), parallel=parallel, model=module)
        if parallel is not None:
            module, run["model"] = parallel.wrap(module)
            run["module"] = module
            parallel.check_batches([len(b) for b in minibatches(torch.arange(len(run["train"][0])), self.batch_size)])
        run["optimizer"] = torch.optim.SGD(
            module.parameters(), lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay
        )
        run["fingerprint"] = None
        if self.checkpoint_dir is not None and not warm:
            run["fingerprint"] = fit_fingerprint(self.get_params(deep=False), X, y)
            state = None if not _writes(run) else load_checkpoint(self.checkpoint_dir, run["fingerprint"])
            _restore(run, state if parallel is None else parallel.broadcast(state), device)
        return run

    def _split(self, X, y, generator):
        X, y = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        if not self.early_stopping:
            return {"train": (X, y), "valid": None}
        order = torch.randperm(len(X), generator=generator)
        # int(): with NumPy 1.x, round() of a NumPy scalar fraction is not an int.
        n_valid = max(1, int(round(self.validation_fraction * len(X))))  # noqa: RUF046
        if len(X) - n_valid < 2:
            raise ValueError(
                f"early_stopping=True with validation_fraction={self.validation_fraction} leaves "
                f"{len(X) - n_valid} training samples out of {len(X)}; use more data or early_stopping=False."
            )
        valid, train = order[:n_valid], order[n_valid:]
        return {"train": (X[train], y[train]), "valid": (X[valid], y[valid])}

    def _augmentation(self):
        if self.image_shape_ is None or (self.crop_padding == 0 and not self.horizontal_flip):
            return None
        smallest = min(self.image_shape_[1:])
        if self.crop_padding >= smallest:
            raise ValueError(
                f"crop_padding={self.crop_padding} is too large for images of shape {self.image_shape_}: reflect "
                f"padding needs crop_padding < min(H, W) = {smallest}. Use crop_padding <= {smallest - 1} "
                "(about H / 8 is usual), or 0 to turn random crops off."
            )
        return {"padding": self.crop_padding, "flip": self.horizontal_flip}

    def _train(self, run, device):
        augment = self._augmentation()
        while run["epoch"] < self.max_epochs and not self._should_stop(run):
            epoch = run["epoch"]
            lr = learning_rate(
                epoch, lr=self.lr, schedule=self.lr_schedule, milestones=run["milestones"],
                gamma=self.lr_gamma, max_epochs=self.max_epochs,
            )
            for group in run["optimizer"].param_groups:
                group["lr"] = lr
            start = time.perf_counter()
            train_loss, train_acc = train_epoch(
                run["model"], run["optimizer"], *run["train"], generator=run["generator"],
                batch_size=self.batch_size, device=device, augment=augment, verbose=self.verbose and _writes(run),
                desc=f"epoch {epoch + 1}/{self.max_epochs}", parallel=run["parallel"],
            )
            _check_finite_loss(train_loss, epoch + 1, self.lr)
            if run["parallel"] is not None:
                run["parallel"].sync_buffers(run["module"])  # every rank validates and keeps rank 0's statistics
            record = {"epoch": epoch + 1, "lr": lr, "train_loss": train_loss, "train_accuracy": train_acc}
            record.update(self._validate_epoch(run, device))
            run["history"].append(record)
            run["epoch"] = epoch + 1
            if _writes(run):
                self._log(record, time.perf_counter() - start)
            if run["fingerprint"] is not None and _writes(run):
                save_checkpoint(self.checkpoint_dir, _snapshot(run))

    def _validate_epoch(self, run, device):
        if run["valid"] is None:
            return {"valid_loss": np.nan, "valid_accuracy": np.nan}
        X_valid, y_valid = run["valid"]
        logits = evaluate(run["module"], X_valid, batch_size=self.batch_size, device=device)
        loss, accuracy = loss_and_accuracy(logits, y_valid.numpy())
        if run["parallel"] is not None:
            loss, accuracy = run["parallel"].all_mean(loss, accuracy)  # the same early stopping on every rank
        best = run["best"]
        if best is None or accuracy > best["accuracy"]:
            state = {k: v.detach().cpu().clone() for k, v in run["module"].state_dict().items()}
            run["best"] = {"accuracy": accuracy, "epoch": run["epoch"] + 1, "state": state}
        return {"valid_loss": loss, "valid_accuracy": accuracy}

    def _should_stop(self, run):
        best = run["best"]
        return self.early_stopping and best is not None and run["epoch"] - best["epoch"] >= self.n_iter_no_change

    def _log(self, record, seconds):
        if not self.verbose:
            return
        line = (f"epoch {record['epoch']:>3}/{self.max_epochs}  lr {record['lr']:.4g}  "
                f"train loss {record['train_loss']:.4f} acc {record['train_accuracy']:.4f}")
        if not np.isnan(record["valid_loss"]):
            line += f"  valid loss {record['valid_loss']:.4f} acc {record['valid_accuracy']:.4f}"
        tqdm.write(f"{line}  ({seconds:.1f}s)")

    def _finish(self, run):
        module = run["module"]
        self.best_epoch_ = run["epoch"]
        if run["best"] is not None:
            module.load_state_dict(run["best"]["state"])
            self.best_epoch_ = run["best"]["epoch"]
        if run["parallel"] is not None:
            module = run["parallel"].unwrap(module)
        module.eval()
        self.module_ = module
        self.n_epochs_ = run["epoch"]
        self.history_ = {key: np.array([r[key] for r in run["history"]]) for key in _HISTORY_KEYS}

    # -- predict ------------------------------------------------------------------------------

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's outputs).

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return torch.softmax(torch.from_numpy(self._logits(X)), dim=1).numpy()

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted labels, among ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``; labels unseen in ``fit`` are an error.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.
        y : array-like of shape (n_samples,)
            True labels, all among ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            Fraction of correct predictions (weighted).
        """
        check_is_fitted(self)
        unseen = np.setdiff1d(np.asarray(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()[:10]} that were not seen in fit (classes_="
                f"{self.classes_.tolist()[:20]}); this classifier can never predict them. "
                "Drop those samples or refit on data that contains them."
            )
        return super().score(X, y, sample_weight=sample_weight)

    def _logits(self, X):
        check_is_fitted(self)
        rows, image_shape = split_images(X)
        if image_shape is not None and image_shape != self.image_shape_:
            self._shape_mismatch(image_shape)  # before validate_data's less telling feature count
        rows = validate_data(self, rows, reset=False, dtype=[np.float32, np.float64])
        X = torch.from_numpy(self._as_samples(rows, image_shape, fit=False))
        device = runtime_device(self.device, type(self).__name__)
        self.module_.to(device)
        return evaluate(self.module_, X, batch_size=self.batch_size, device=device,
                        verbose=self.verbose, desc="predict")

    # -- pickling: the module travels as its weights, NumPy arrays ------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__ itself
        module = state.pop("module_", None)
        if module is not None:
            # Weights only, no pickled code: skops.io stores plain arrays (a torch.save blob here would be
            # unpickled by __setstate__ and bypass skops' trusted-type check); the architecture is rebuilt.
            state["_module_weights"] = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
        return state

    def __setstate__(self, state):
        weights = state.pop("_module_weights", None)
        if "in_shape_" in state:  # pickled before image_shape_ replaced it
            in_shape = tuple(state.pop("in_shape_"))
            state.setdefault("image_shape_", in_shape if len(in_shape) == 3 else None)
        super().__setstate__(state)
        if weights is not None:
            module = self._new_module(seed=0)
            module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
            self.module_ = module.eval()


def _is_module_param(name):
    return name.startswith(_PREFIX) and len(name) > len(_PREFIX)


def _check_no_unexpected_kwargs(names):
    if not names:
        return
    known = TorchCNNClassifier._get_param_names()
    hints = [f"{name!r} -> {close[0]!r}" for name in names if (close := difflib.get_close_matches(name, known, 1))]
    raise TypeError(
        f"TorchCNNClassifier got unexpected keyword argument(s) {list(names)}"
        + (f" (did you mean {', '.join(hints)}?)" if hints else "")
        + f"; network arguments are passed as {_PREFIX}<name>=value (e.g. {_PREFIX}width=4)."
    )


def _check_milestones(milestones):
    """``lr_milestones`` as a tuple of finite floats; a clear error for NaN, infinities or non-numbers."""
    try:
        values = tuple(float(m) for m in milestones)
    except (TypeError, ValueError):
        values = None
    if values is None or not all(math.isfinite(m) for m in values):
        raise ValueError(
            f"lr_milestones={milestones!r} must be finite fractions of max_epochs, e.g. (0.3, 0.6, 0.8); "
            "use lr_schedule='constant' for no decay."
        )
    return values


def _check_finite_loss(loss, epoch, lr):
    if not math.isfinite(loss):
        raise ValueError(
            f"Training diverged: the training loss of epoch {epoch} is {loss} (lr={lr:g}). Use a smaller lr "
            "(0.1 and below is usual with SGD), or scale the inputs (e.g. StandardScaler)."
        )


def _writes(run):
    """Whether this process writes checkpoints and logs (rank 0 of a data-parallel fit)."""
    return run["parallel"] is None or run["parallel"].is_writer


def _snapshot(run):
    """What a checkpoint stores: enough to continue the run bit for bit."""
    best = run["best"]
    return {
        "fingerprint": run["fingerprint"],
        "epoch": run["epoch"],
        "module": run["module"].state_dict(),
        "optimizer": run["optimizer"].state_dict(),
        "generator": run["generator"].get_state(),
        "history": run["history"],
        "best": best,
    }


def _restore(run, state, device):
    if state is None:
        return
    run["module"].load_state_dict(state["module"])
    run["module"].to(device)
    run["optimizer"].load_state_dict(state["optimizer"])
    run["generator"].set_state(state["generator"])
    run["epoch"] = state["epoch"]
    run["history"] = state["history"]
    run["best"] = state["best"]
