"""Scale out on existing engines: dask workers, blockwise feature stores.

Needs ``dask[array]``, ``distributed`` and ``zarr`` (in the ``test`` extra);
the rest of skscat never imports this subpackage.
"""

from ._blockwise import blockwise_transform
from ._dask import TorchThreads
from ._store import ZarrFeatureStore

__all__ = ["TorchThreads", "ZarrFeatureStore", "blockwise_transform"]
