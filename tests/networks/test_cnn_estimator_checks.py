"""scikit-learn's compliance suite on TorchCNNClassifier."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.networks import TorchCNNClassifier

# Small and quick: the default "auto" module (an MLP for 2-D X), CPU, fixed seed.
_CHECKED = TorchCNNClassifier(max_epochs=10, batch_size=64, device="cpu", random_state=0)

_EXPECTED_FAILURES = {
    "check_do_not_raise_errors_in_init_or_set_params": (
        "the check passes the name of the **module_params catch-all (module__<name>=... arguments) "
        "to __init__ and set_params; it is not a parameter: __init__ rejects it with TypeError (an "
        "unknown keyword, as in skorch, so that clone cannot drop a typo) and set_params with "
        "ValueError, as scikit-learn's set_params does"
    ),
}


@parametrize_with_checks([_CHECKED], expected_failed_checks=lambda est: _EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    check(estimator)
