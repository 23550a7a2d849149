"""Scale out on existing engines: dask workers, blockwise feature stores.

Needs ``dask[array]``, ``distributed`` and ``zarr`` (in the ``test`` extra);
the rest of skscat never imports this subpackage.
"""

from ._dask import TorchThreads

__all__ = ["TorchThreads"]
