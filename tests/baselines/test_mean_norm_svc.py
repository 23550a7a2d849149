"""CachedTransformer's contract, and the old import path of MeanNormGaussianSVC (moved to skscat.svm)."""

from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import skscat.svm
from skscat.baselines import CachedTransformer


@parametrize_with_checks([CachedTransformer(StandardScaler())])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_old_import_paths_give_the_moved_objects():
    from skscat.baselines import MeanNormGaussianSVC, gaussian_kernel
    from skscat.baselines._svm import MeanNormGaussianSVC as old_class
    from skscat.baselines._svm import gaussian_kernel as old_kernel

    assert MeanNormGaussianSVC is old_class is skscat.svm.MeanNormGaussianSVC
    assert gaussian_kernel is old_kernel is skscat.svm.gaussian_kernel
