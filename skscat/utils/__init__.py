"""Helpers shared by every skscat subpackage: devices, image shapes, files, records, batches, distances,
skops trusted types, worker threads."""

from ._batching import batch_slices
from ._device import (
    DEVICE_CONSTRAINT,
    DEVICE_HELP,
    DeviceWarning,
    resolve_device,
    runtime_device,
)
from ._distances import scaled_squared_distances, squared_distances, squared_norms
from ._images import as_images, check_image_shape, infer_image_shape, split_images
from ._io import atomic_path, atomic_write_bytes, atomic_write_text
from ._persistence import trusted_types
from ._records import RecordWarning, fingerprint, read_record, write_record
from ._threads import worker_threads

__all__ = [
    "DEVICE_CONSTRAINT",
    "DEVICE_HELP",
    "DeviceWarning",
    "RecordWarning",
    "as_images",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "batch_slices",
    "check_image_shape",
    "fingerprint",
    "infer_image_shape",
    "read_record",
    "resolve_device",
    "runtime_device",
    "scaled_squared_distances",
    "split_images",
    "squared_distances",
    "squared_norms",
    "trusted_types",
    "worker_threads",
    "write_record",
]
