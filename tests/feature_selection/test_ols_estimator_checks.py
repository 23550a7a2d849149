"""scikit-learn's estimator checks on OrthogonalLeastSquaresSelector."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.feature_selection import OrthogonalLeastSquaresSelector


# One atom and one round: sklearn's check data sets have as few as one feature.
@parametrize_with_checks([OrthogonalLeastSquaresSelector(n_atoms_per_class=1, n_rounds=1, device="cpu")])
def test_sklearn_compatible(estimator, check):
    check(estimator)
