"""The training loop behind :class:`~skscat.networks.TorchCNNClassifier`.

Pure torch, no scikit-learn: building a module reproducibly, the learning
rate schedule, one epoch of SGD, and batched evaluation.
"""

import inspect
import math

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from ._augment import random_crop_flip

__all__ = ["build_module", "check_module", "check_outputs", "evaluate", "learning_rate", "loss_and_accuracy", "minibatches",
           "train_epoch"]


def build_module(factory, kwargs, in_shape, n_classes, seed):
    """Instantiate ``factory`` with its weights drawn from ``seed``.

    The global torch RNG is forked, so its state is the same afterwards and
    other code is unaffected. ``in_shape`` and ``n_classes`` are passed when
    the factory's signature accepts them.

    Parameters
    ----------
    factory : type or callable
        Module class (or function returning a module).
    kwargs : dict
        Its keyword arguments (the estimator's ``module__*`` parameters).
    in_shape : tuple of int
        Shape of one sample, ``(C, H, W)`` or ``(n_features,)``.
    n_classes : int
        Number of outputs.
    seed : int
        Seed of the weight initialisation.

    Returns
    -------
    torch.nn.Module
        On the CPU.

    """
    kwargs = dict(kwargs)
    accepted = _accepted_names(factory)
    for name, value in (("in_shape", tuple(in_shape)), ("n_classes", int(n_classes))):
        if accepted is None or name in accepted:
            kwargs.setdefault(name, value)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory(**kwargs)


def check_module(module, factory):
    """Raise ``TypeError`` unless ``factory`` gave a :class:`torch.nn.Module`."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"module={factory!r} returned a {type(module).__name__}, not a torch.nn.Module; pass a registered "
            "name, a torch.nn.Module subclass, an instance, or a function returning a module."
        )
    return module


@torch.no_grad()
def check_outputs(module, X, n_classes, device, *, name):
    """Fail before training when ``module`` does not map samples to ``n_classes`` logits.

    One eval-mode forward pass on ``X`` (a couple of samples): in eval mode
    no batch-norm statistic or random state changes.

    Raises
    ------
    ValueError
        If the output is not of shape ``(len(X), n_classes)``.
    """
    was_training = module.training
    module.eval()
    try:
        shape = tuple(module(torch.from_numpy(X).to(device)).shape)
    finally:
        module.train(was_training)
    if shape != (len(X), n_classes):
        raise ValueError(
            f"{name} maps {len(X)} samples to outputs of shape {shape}, but a classifier of {n_classes} classes "
            f"needs shape ({len(X)}, {n_classes}): one logit per class. Give its last layer n_classes outputs "
            "(a class whose constructor accepts n_classes receives it from the estimator)."
        )


def _accepted_names(factory):
    """Keyword names of ``factory`` (``None`` when it takes ``**kwargs``)."""
    if isinstance(factory, type) and factory.__init__ is torch.nn.Module.__init__:
        return set()  # a module class without its own __init__: Module's ``**kwargs`` accepts no keyword
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters}


def learning_rate(epoch, *, lr, schedule, milestones, gamma, max_epochs):
    """Learning rate of ``epoch`` (0-based).

    ``"step"`` multiplies ``lr`` by ``gamma`` at each milestone (fractions of
    ``max_epochs``; the papers' 60/120/160 of 200 are 0.3/0.6/0.8),
    ``"cosine"`` anneals from ``lr`` to 0, ``"constant"`` keeps ``lr``.
    """
    if schedule == "step":
        steps = sum(epoch >= round(float(m) * max_epochs) for m in milestones)
        return lr * gamma**steps
    if schedule == "cosine":
        return 0.5 * lr * (1.0 + math.cos(math.pi * epoch / max_epochs))
    return lr


def minibatches(order, batch_size):
    """Split ``order`` into batches; a trailing batch of one joins the previous one.

    BatchNorm cannot normalise a training batch of a single sample.
    """
    batches = list(torch.split(order, batch_size))
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-2:] = [torch.cat(batches[-2:])]
    return batches


def train_epoch(module, optimizer, X, y, *, generator, batch_size, device, augment, verbose, desc, parallel=None):
    """Run one epoch of SGD on shuffled minibatches.

    Parameters
    ----------
    module : torch.nn.Module
        On ``device``.
    optimizer : torch.optim.Optimizer
        Over ``module``'s parameters.
    X : torch.Tensor
        CPU tensor of samples.
    y : torch.Tensor
        CPU tensor of encoded labels (int64).
    generator : torch.Generator
        CPU generator for the shuffle and the augmentation.
    batch_size : int
        SGD minibatch size.
    device : torch.device
        Where the module lives.
    augment : dict or None
        ``random_crop_flip`` keyword arguments, or ``None`` for no augmentation.
    verbose : bool
        Show a tqdm bar over batches.
    desc : str
        Its label.
    parallel : DataParallel, optional
        Under ``torchrun``: every rank draws the same global batches (and
        augmentation) and trains on its shard of each; the loss and accuracy
        are summed over the ranks.

    Returns
    -------
    tuple of float
        Mean training loss and accuracy over the epoch.
    """
    module.train()
    order = torch.randperm(len(X), generator=generator)
    total_loss, correct = 0.0, 0
    bar = tqdm(minibatches(order, batch_size), desc=desc, disable=not verbose, leave=False, unit="batch")
    for index in bar:
        xb = X[index].to(device, non_blocking=True)
        yb = y[index].to(device, non_blocking=True)
        if augment is not None:
            xb = random_crop_flip(xb, generator, **augment)
        if parallel is not None:
            xb, yb = xb[parallel.shard(len(index))], yb[parallel.shard(len(index))]
        logits = module(xb)
        loss = F.cross_entropy(logits, yb) if parallel is None else parallel.loss(logits, yb, len(index))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(index) / (1 if parallel is None else parallel.world_size)
        correct += int((logits.argmax(1) == yb).sum())
        bar.set_postfix(loss=f"{loss.item():.3f}")
    if parallel is not None:
        total_loss, correct = parallel.all_sum(total_loss, correct)
    return total_loss / len(X), correct / len(X)


@torch.no_grad()
def evaluate(module, X, *, batch_size, device, verbose=False, desc=None):
    """Logits of ``module`` on ``X`` in eval mode, batch by batch.

    Parameters
    ----------
    module : torch.nn.Module
        On ``device``.
    X : torch.Tensor
        CPU tensor of samples.
    batch_size : int
        Rows per forward pass (bounds memory; results agree across batch
        sizes up to float rounding).
    device : torch.device
        Where the module lives.
    verbose : bool, default=False
        Show a tqdm bar.
    desc : str, optional
        Its label.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs), dtype float64
    """
    module.eval()
    chunks = []
    for part in tqdm(torch.split(X, batch_size), desc=desc, disable=not verbose, leave=False, unit="batch"):
        chunks.append(module(part.to(device)).float().cpu().numpy())
    return np.concatenate(chunks).astype(np.float64)


def loss_and_accuracy(logits, y):
    """Mean cross-entropy and accuracy of float64 ``logits`` against int labels ``y``."""
    loss = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(np.asarray(y, dtype=np.int64)))
    return float(loss), float((logits.argmax(axis=1) == y).mean())
