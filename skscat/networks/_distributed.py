"""Data-parallel training under ``torchrun`` (or any launcher setting the torch.distributed environment).

:class:`~skscat.networks.TorchCNNClassifier` calls :func:`data_parallel` in
``fit``: when the launcher started several processes (``WORLD_SIZE > 1``, or
a process group is already initialised), every process trains one replica
of the network with :class:`~torch.nn.parallel.DistributedDataParallel`. All
processes call ``fit`` with the same data; each global batch (the batch a
single process would draw, ``batch_size`` samples) is split into
``world_size`` contiguous shards, one per rank, and the loss is scaled so
that the averaged gradient is the gradient of the global batch's mean loss:
the run follows the single-process one up to floating-point reduction order.
"""

import copy
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel"]


def data_parallel(device):
    """A :class:`DataParallel` for this process, or ``None`` for a single process.

    The default process group is initialised from the launcher's
    environment (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``)
    with NCCL for CUDA and gloo for the CPU when the caller has not done it,
    and kept for the process's later fits: a group destroyed and created
    again in the same ``torchrun`` job finds the first one's rendezvous keys
    and hangs (measured with gloo, torch 2.13). A script may call
    ``torch.distributed.destroy_process_group()`` when it is done.

    Parameters
    ----------
    device : torch.device
        The resolved training device. ``cuda`` without an index becomes
        ``cuda:<LOCAL_RANK>``: one GPU per process.

    Returns
    -------
    DataParallel or None
    """
    if not dist.is_available() or (not dist.is_initialized() and int(os.environ.get("WORLD_SIZE", "1")) <= 1):
        return None
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, device_id=device if device.type == "cuda" else None)
    return DataParallel(dist.get_rank(), dist.get_world_size(), device)


class DataParallel:
    """What one rank of a data-parallel fit needs: its shard, the reductions, the wrapped module.

    Parameters
    ----------
    rank, world_size : int
        This process and the number of processes.
    device : torch.device
        This rank's training device.
    """

    def __init__(self, rank, world_size, device):
        self.rank, self.world_size, self.device = int(rank), int(world_size), device
        self._plain = None

    @property
    def is_writer(self):
        """Rank 0 writes checkpoints and logs."""
        return self.rank == 0

    def wrap(self, module):
        """``(module, ddp)``: the module to optimise (SyncBatchNorm on CUDA) and its DDP wrapper.

        SyncBatchNorm needs CUDA; on the CPU, batch norm keeps per-rank batch
        statistics (the running ones follow rank 0, see :meth:`sync_buffers`).
        """
        if self.device.type == "cuda" and _has_batch_norm(module):
            self._plain = copy.deepcopy(module)
            module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return module, DistributedDataParallel(module, device_ids=device_ids)

    def unwrap(self, module):
        """The trained weights in the network's own classes (SyncBatchNorm back to batch norm)."""
        if self._plain is None:
            return module
        self._plain.load_state_dict(module.state_dict())
        return self._plain.to(self.device)

    def shard(self, n_samples):
        """This rank's contiguous slice of a global batch of ``n_samples``."""
        base, extra = divmod(n_samples, self.world_size)
        start = self.rank * base + min(self.rank, extra)
        return slice(start, start + base + (self.rank < extra))

    def loss(self, logits, y, n_samples):
        """This shard's share of the global batch's mean cross-entropy, times ``world_size``.

        DDP averages gradients over the ranks, so the result is the gradient
        of the global mean, whatever the shard sizes.
        """
        total = torch.nn.functional.cross_entropy(logits, y, reduction="sum")
        return total * (self.world_size / n_samples)

    def all_sum(self, *values):
        """Sums over the ranks of float ``values``."""
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor)
        return tensor.tolist()

    def all_mean(self, *values):
        """Means over the ranks of float ``values``."""
        return [value / self.world_size for value in self.all_sum(*values)]

    def broadcast(self, value):
        """Rank 0's ``value`` (any picklable object) on every rank."""
        box = [value]
        dist.broadcast_object_list(box, src=0, device=self.device)
        return box[0]

    def sync_buffers(self, module):
        """Copy rank 0's buffers (batch-norm running statistics) to every rank."""
        for buffer in module.buffers():
            dist.broadcast(buffer, src=0)

    def check_batches(self, batch_sizes):
        """Every rank must hold the same number of samples, and every shard a sample at least."""
        n_batches, n_samples = len(batch_sizes), sum(batch_sizes)
        lowest, highest = -self.all_max(-n_samples), self.all_max(n_samples)
        if lowest != highest:
            raise ValueError(
                f"The {self.world_size} ranks of this data-parallel fit hold between {lowest} and {highest} "
                "training samples; every rank must call fit with the same data (each trains on its shard)."
            )
        if min(batch_sizes) < self.world_size:
            raise ValueError(
                f"A batch of {min(batch_sizes)} samples (of {n_batches}) cannot be shared by {self.world_size} "
                f"ranks; use a batch_size of at least {self.world_size} and a training set whose size modulo "
                "batch_size is 0 or at least the number of ranks."
            )

    def all_max(self, value):
        """Maximum over the ranks of a float ``value``."""
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return tensor.item()


def _has_batch_norm(module):
    return any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in module.modules())
