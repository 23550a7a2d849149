"""Scoped, thread-safe changes of torch's process-wide settings (matmul precision, CPU threads).

``torch.set_float32_matmul_precision`` and ``torch.set_num_threads`` change
the whole process. A ``fit`` that switched them and restored "the previous
value" raced with a second ``fit`` in another thread (threaded joblib
backends, a user's thread pool): the second one read the first one's
setting as its "previous" and restored it, leaving the process changed. Both
context managers below share one lock and count the blocks in flight: the
value seen before the first block began is restored when the last one ends,
also on an exception, whatever the interleaving.
"""

import contextlib
import threading

import torch

__all__ = ["cpu_threads", "full_precision_matmul"]

_LOCK = threading.RLock()
_PRECISION = {"count": 0, "restore": None}
_THREADS = {"count": 0, "original": None}
_LOCAL = threading.local()


@contextlib.contextmanager
def full_precision_matmul():
    """Full float32 matrix products (no TF32, no bf16 shortcuts) inside the block.

    TF32 keeps ~10 mantissa bits, which would change which dual constraints
    are active and so break parity with LIBSVM. torch's default precision,
    "highest", is left untouched (nothing is switched, so nothing can leak);
    only a process set to "high" or "medium" is switched to "highest" while
    any block runs, in any thread, and switched back when the last one ends.
    Other threads see "highest" meanwhile.
    """
    with _LOCK:
        if _PRECISION["count"] == 0:
            previous = torch.get_float32_matmul_precision()
            _PRECISION["restore"] = None if previous == "highest" else previous
            if _PRECISION["restore"] is not None:
                torch.set_float32_matmul_precision("highest")
        _PRECISION["count"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _PRECISION["count"] -= 1
            if _PRECISION["count"] == 0 and _PRECISION["restore"] is not None:
                torch.set_float32_matmul_precision(_PRECISION["restore"])
                _PRECISION["restore"] = None


@contextlib.contextmanager
def cpu_threads(n_threads, device):
    """Run the block with ``n_threads`` torch CPU threads in this thread (no-op off the CPU).

    An SMO step is a few dozen operations on small tensors; spreading each
    over several OpenMP threads only adds synchronisation (measured 0.24 s on
    one thread against 1.4-7.7 s on two busy cores for the same fit).

    torch keeps the count per thread (OpenMP) and a process-wide value that
    new threads start from; ``set_num_threads`` changes both. Blocks nest
    within a thread (the inner one restores the outer one's count); when a
    block ends, the thread and the process-wide value go back to the count
    seen before the first block in flight began, so concurrent fits cannot
    leave it changed.
    """
    if torch.device(device).type != "cpu":
        yield
        return
    stack = _LOCAL.__dict__.setdefault("threads", [])
    with _LOCK:
        if _THREADS["count"] == 0:
            _THREADS["original"] = torch.get_num_threads()
        _THREADS["count"] += 1
        stack.append(int(n_threads))
        torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        with _LOCK:
            stack.pop()
            _THREADS["count"] -= 1
            torch.set_num_threads(stack[-1] if stack else _THREADS["original"])
