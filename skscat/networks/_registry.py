"""Names for network classes, so estimators can say ``module="scat_wrn"``."""

__all__ = ["get_network", "list_networks", "register_network"]

_NETWORKS = {}


def register_network(name, cls):
    """Register ``cls`` under ``name``.

    A registered class must accept the keyword arguments ``in_shape`` (the
    shape of one sample, ``(C, H, W)`` for images, ``(n_features,)`` for
    vectors) and ``n_classes``; :class:`~skscat.networks.TorchCNNClassifier`
    passes both, inferred from the training data.

    Parameters
    ----------
    name : str
        Lower-case name.
    cls : type
        A :class:`torch.nn.Module` subclass.

    Returns
    -------
    type
        ``cls``, so the function also works as a decorator helper.

    Raises
    ------
    ValueError
        If ``name`` is already taken by another class.
    """
    if _NETWORKS.get(name, cls) is not cls:
        raise ValueError(f"network name {name!r} is already registered for {_NETWORKS[name].__name__}.")
    _NETWORKS[name] = cls
    return cls


def get_network(name):
    """Return the class registered as ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_networks`.

    Returns
    -------
    type
        The registered :class:`torch.nn.Module` subclass.

    Raises
    ------
    ValueError
        If no network has that name; the message lists the known names.
    """
    try:
        return _NETWORKS[name]
    except KeyError:
        raise ValueError(
            f"module={name!r} is not a registered network. Use one of {list_networks()}, "
            "or pass a torch.nn.Module subclass."
        ) from None


def list_networks():
    """List the registered networks.

    Returns
    -------
    list of str
        Their names, sorted.
    """
    return sorted(_NETWORKS)
