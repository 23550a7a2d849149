"""The one place where skscat touches scikit-learn's private API.

``_fit_context`` and the parameter-constraint classes are private in
scikit-learn; importing them here only means a scikit-learn release that
moves them breaks one module, not the whole package.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, Options, StrOptions

__all__ = ["HasMethods", "Interval", "Options", "StrOptions", "_fit_context"]
