"""Helpers shared by the benchmarks: kymatio import shim, timing, peak memory, stored results."""

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time

from skscat.utils import read_record


def import_kymatio_torch():
    """Import kymatio 0.3's torch frontend, aliasing a SciPy function it still expects.

    kymatio's 3D filter bank imports ``scipy.special.sph_harm``, which SciPy
    1.17 removed; the alias lives in this process only.
    """
    import scipy.special

    if not hasattr(scipy.special, "sph_harm"):
        scipy.special.sph_harm = lambda m, n, theta, phi: scipy.special.sph_harm_y(n, m, phi, theta)
    from kymatio.torch import Scattering2D

    return Scattering2D


def median_times(functions, repeats, warmup=1):
    """Run each callable ``repeats`` times, alternating between them; return median seconds."""
    for function in functions.values():
        for _ in range(warmup):
            function()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def current_rss_mib():
    """Resident memory of this process now, in MiB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class PeakRSS:
    """Peak resident memory above the level at entry, sampled every millisecond.

    ``ru_maxrss`` never goes down, so it cannot isolate one call made after a
    memory-hungry import; a sampling thread can.

    Examples
    --------
    >>> with PeakRSS() as peak:
    ...     data = bytearray(50 * 2**20)
    >>> peak.mib > 0
    True
    """

    def __enter__(self):
        self._start = current_rss_mib()
        self._peak = self._start
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self._peak = max(self._peak, current_rss_mib())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self._peak = max(self._peak, current_rss_mib())
        self.mib = self._peak - self._start
        return False


def probe_in_subprocess(script, *args):
    """Run ``script --probe args`` in a fresh interpreter; return its JSON answer.

    Peak RSS is per process and never goes down, so memory is measured in a
    process of its own for each library and case.
    """
    env = dict(os.environ)
    command = [sys.executable, script, "--probe", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_results(path, default):
    """The results a benchmark stored at ``path`` with :func:`skscat.utils.write_record`, else ``default``.

    A damaged file stops the script (a ``RecordError`` naming it and the fix) instead of being replaced
    by the few results of this run: the others may have cost hours.
    """
    stored = read_record(path, on_error="raise")
    return default if stored is None else stored


def print_table(header, rows):
    """Print a Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
