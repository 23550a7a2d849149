"""Turning a user's ``device`` into a :class:`torch.device`, and the one CPU fallback."""

import warnings

import torch

__all__ = ["DEVICE_CONSTRAINT", "DEVICE_HELP", "DeviceWarning", "resolve_device", "runtime_device"]

DEVICE_HELP = "Use device='cpu', 'cuda', 'cuda:<index>' or 'auto' (CUDA when available, else CPU)."

# The ``_parameter_constraints`` entry of every estimator's ``device`` (default "auto" everywhere).
DEVICE_CONSTRAINT = [str, torch.device]


class DeviceWarning(UserWarning, RuntimeWarning):
    """A fitted estimator runs on the CPU because its device is missing here.

    Issued when a model fitted on a GPU machine is unpickled and used on a
    machine without that device. Set ``device="cpu"`` (or ``"auto"``) on the
    loaded estimator to silence it.
    """


def resolve_device(device):
    """Resolve a device string at fit time.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` picks CUDA when it is available and the CPU otherwise;
        anything else is parsed by :class:`torch.device`.

    Returns
    -------
    torch.device
        A device that exists on this machine.

    Raises
    ------
    ValueError
        If the string is not a device, or names a CUDA device that this
        machine does not have.
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a device. {DEVICE_HELP}") from exc
    if resolved.type == "cuda":
        _check_cuda_available(device, resolved)
    elif resolved.type != "cpu" and not _backend_available(resolved):
        raise ValueError(f"device={device!r} is not available on this machine. {DEVICE_HELP}")
    return resolved


def runtime_device(device, owner):
    """The device a fitted estimator uses after fit: ``device``, or the CPU when it is missing here.

    Fit fails on a missing device (:func:`resolve_device`); a model fitted on
    a GPU machine and loaded on a CPU-only one still predicts, on the CPU,
    with a :class:`DeviceWarning`.

    Parameters
    ----------
    device : str or torch.device
        The estimator's ``device`` parameter.
    owner : str
        Name of the estimator, for the warning.

    Returns
    -------
    torch.device
        ``device`` resolved, or the CPU when this machine lacks it.
    """
    try:
        return resolve_device(device)
    except ValueError as exc:
        # The message of resolve_device ends with the device to set, which also silences this warning.
        warnings.warn(f"{owner} predicts on the CPU instead: {exc}", DeviceWarning, stacklevel=3)
        return torch.device("cpu")


def _check_cuda_available(device, resolved):
    if not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine "
            "(CPU-only torch build or no GPU). Use device='cpu' or device='auto'."
        )
    if resolved.index is not None and resolved.index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} names GPU {resolved.index}, but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s). {DEVICE_HELP}"
        )


def _backend_available(resolved):
    backend = getattr(torch.backends, resolved.type, None)
    return backend is not None and getattr(backend, "is_available", lambda: False)()
