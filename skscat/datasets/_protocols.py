"""Evaluation protocols of the papers: per-class subsets, random splits, scoring."""

import numbers

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils import check_random_state
from sklearn.utils.validation import column_or_1d

__all__ = [
    "PerClassSplit",
    "mean_per_class_accuracy",
    "mean_per_class_accuracy_scorer",
    "per_class_subset",
    "small_sample_subset",
]


def _check_count(name, value, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}={value!r} is not valid. Use an int >= {minimum}.")


def _draw_per_class(y, n_per_class, rng, exclude=None):
    """For each class (sorted), ``n_per_class`` indices drawn without replacement."""
    chosen = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        if exclude is not None:
            members = members[~exclude[members]]
        if len(members) < n_per_class:
            raise ValueError(
                f"class {label!r} has {len(members)} available samples, fewer than the "
                f"{n_per_class} requested per class. Ask for fewer samples per class."
            )
        chosen.append(rng.choice(members, size=n_per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def per_class_subset(y, n_per_class, *, random_state=None):
    """Draw ``n_per_class`` random samples of every class.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    n_per_class : int
        Samples drawn (uniformly, without replacement) from each class.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw.

    Returns
    -------
    ndarray of int64
        Sorted indices into ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.datasets import per_class_subset
    >>> per_class_subset(np.array([0, 0, 0, 1, 1, 1]), 2, random_state=0).shape
    (4,)
    """
    _check_count("n_per_class", n_per_class)
    y = column_or_1d(y)
    return _draw_per_class(y, n_per_class, check_random_state(random_state))


def small_sample_subset(y, n_samples, *, random_state=None):
    """Draw the hybrid paper's small training sets: ``n_samples`` in all, balanced.

    Oyallon et al. (2017) train on ``n`` samples drawn uniformly per class
    (``n / 10`` per class on CIFAR-10) for several seeds, and test on the full
    test set.

    Parameters
    ----------
    y : array-like of shape (n_samples_total,)
        Training labels.
    n_samples : int
        Size of the subset; must be a multiple of the number of classes.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw (loop over seeds for the paper's repetitions).

    Returns
    -------
    ndarray of int64
        Sorted indices into ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.datasets import small_sample_subset
    >>> y = np.repeat(np.arange(10), 50)
    >>> [len(small_sample_subset(y, 100, random_state=seed)) for seed in range(3)]
    [100, 100, 100]
    """
    _check_count("n_samples", n_samples)
    y = column_or_1d(y)
    n_classes = len(np.unique(y))
    if n_samples % n_classes:
        raise ValueError(
            f"n_samples={n_samples} is not a multiple of the {n_classes} classes; the protocol draws "
            f"n_samples / n_classes per class. Use e.g. "
            f"n_samples={n_classes * max(1, n_samples // n_classes)}."
        )
    return per_class_subset(y, n_samples // n_classes, random_state=random_state)


class PerClassSplit:
    """Random splits with a fixed number of training samples per class.

    Caltech-101's standard protocol: 30 training images per class, the rest
    (or at most ``n_test_per_class``) for test, repeated over random splits.
    Usable as ``cv=`` in :class:`~sklearn.model_selection.GridSearchCV` and
    :func:`~sklearn.model_selection.cross_val_score`.

    Parameters
    ----------
    n_train_per_class : int, default=30
        Training samples drawn from each class.
    n_test_per_class : int, optional
        Cap on the test samples of each class (``None``: all the remaining ones;
        some papers use 50).
    n_splits : int, default=5
        Number of random splits.
    random_state : int, RandomState instance or None, default=None
        Seed; an int gives the same splits on every call of :meth:`split`.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.datasets import PerClassSplit
    >>> y = np.repeat([0, 1, 2], 40)
    >>> train, test = next(PerClassSplit(30, random_state=0).split(np.zeros((120, 1)), y))
    >>> len(train), len(test)
    (90, 30)
    """

    def __init__(self, n_train_per_class=30, *, n_test_per_class=None, n_splits=5, random_state=None):
        self.n_train_per_class = n_train_per_class
        self.n_test_per_class = n_test_per_class
        self.n_splits = n_splits
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits (``n_splits``).

        Parameters
        ----------
        X, y, groups : object, optional
            Ignored; present for the scikit-learn splitter API.

        Returns
        -------
        int
            ``n_splits``.
        """
        return self.n_splits

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` index arrays.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Only its length is used.
        y : array-like of shape (n_samples,)
            Labels.
        groups : None
            Ignored.

        Yields
        ------
        train, test : ndarray of int64
        """
        _check_count("n_train_per_class", self.n_train_per_class)
        _check_count("n_splits", self.n_splits)
        if self.n_test_per_class is not None:
            _check_count("n_test_per_class", self.n_test_per_class)
        y = column_or_1d(y)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}; they must match.")
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            yield self._one_split(y, rng)

    def _one_split(self, y, rng):
        train = _draw_per_class(y, self.n_train_per_class, rng)
        in_train = np.zeros(len(y), dtype=bool)
        in_train[train] = True
        if self.n_test_per_class is None:
            return train, np.flatnonzero(~in_train)
        return train, _draw_per_class(y, self.n_test_per_class, rng, exclude=in_train)

    def __repr__(self):
        return (
            f"PerClassSplit(n_train_per_class={self.n_train_per_class}, n_test_per_class="
            f"{self.n_test_per_class}, n_splits={self.n_splits}, random_state={self.random_state!r})"
        )


def mean_per_class_accuracy(y_true, y_pred):
    """Accuracy averaged over the classes of ``y_true`` (each class counts equally).

    The score of the Caltech-101 and CIFAR papers; equal to scikit-learn's
    ``balanced_accuracy_score`` without adjustment.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    Returns
    -------
    float
        Mean over the classes present in ``y_true`` of the fraction of their
        samples predicted correctly, in [0, 1].

    Examples
    --------
    >>> from skscat.datasets import mean_per_class_accuracy
    >>> mean_per_class_accuracy([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    if len(y_true) != len(y_pred) or not len(y_true):
        raise ValueError(
            f"y_true has {len(y_true)} samples and y_pred {len(y_pred)}; they must match and be > 0."
        )
    classes = np.unique(y_true)
    return float(np.mean([np.mean(y_pred[y_true == label] == label) for label in classes]))


mean_per_class_accuracy_scorer = make_scorer(mean_per_class_accuracy)
"""Scorer of :func:`mean_per_class_accuracy` for ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` (greater is better)."""
