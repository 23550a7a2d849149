"""The one place where skscat touches scikit-learn's private API.

``_fit_context``, ``validate_params`` and the parameter-constraint classes are
private in scikit-learn; importing them here only means a scikit-learn release
that moves them breaks one module, not the whole package.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_fit_context",
    "validate_parameter_constraints",
    "validate_params",
]
