"""Helpers shared by every skscat subpackage (devices, atomic writes, batching)."""

from ._batching import batch_slices
from ._device import DEVICE_HELP, resolve_device
from ._images import as_images, infer_image_shape
from ._io import atomic_path, atomic_write_bytes, atomic_write_text
from ._threads import worker_threads

__all__ = [
    "DEVICE_HELP",
    "as_images",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "batch_slices",
    "infer_image_shape",
    "resolve_device",
    "worker_threads",
]
