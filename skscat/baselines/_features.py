"""Features of a whole data set computed once, chunk by chunk, cached on disk and resumable.

Each chunk (``chunk_size`` consecutive images) is one ``.npy`` file, written
atomically (temporary file + ``os.replace``, mode from the umask), in a folder
named after a fingerprint of everything that determines the features: the
images, the preprocessing, the transformer's class and parameters and the
skscat version. A killed run leaves only finished chunks; the next run
computes the others. Reading gathers rows through memory maps, so a split
costs the memory of its own rows only.
"""

import json
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from skscat.utils import atomic_path, atomic_write_text, fingerprint

__all__ = ["ChunkedFeatures"]


class ChunkedFeatures:
    """A (n_images, n_features) float32 matrix stored as chunk files under ``folder``.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the chunks live (created on demand).
    n_images, n_features : int
    chunk_size : int
        Images per chunk (the last chunk may be shorter).
    """

    def __init__(self, folder, n_images, n_features, chunk_size):
        if int(chunk_size) < 1 or int(n_images) < 0 or int(n_features) < 1:
            raise ValueError(
                f"chunk_size={chunk_size!r}, n_images={n_images!r}, n_features={n_features!r}: a feature store "
                "needs chunk_size >= 1, n_images >= 0 and n_features >= 1."
            )
        self.folder = Path(folder)
        self.n_images, self.n_features, self.chunk_size = int(n_images), int(n_features), int(chunk_size)

    @classmethod
    def open(cls, cache_dir, name, description, n_images, n_features, chunk_size):
        """The store of ``description`` in ``cache_dir/features/<name>-<fingerprint>``, with its manifest."""
        description = {
            **description,
            "n_images": n_images,
            "n_features": n_features,
            "chunk_size": chunk_size,
        }
        folder = Path(cache_dir) / "features" / f"{name}-{fingerprint(description)[:16]}"
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            atomic_write_text(manifest, json.dumps(description, indent=1, sort_keys=True, default=str))
        return cls(folder, n_images, n_features, chunk_size)

    @property
    def n_chunks(self):
        return -(-self.n_images // self.chunk_size)

    def chunk_rows(self, index):
        """The image indices (a slice) of chunk ``index``."""
        return slice(index * self.chunk_size, min((index + 1) * self.chunk_size, self.n_images))

    def _path(self, index):
        return self.folder / f"chunk-{index:05d}.npy"

    def _valid(self, index):
        path = self._path(index)
        if not path.is_file():
            return False
        rows = self.chunk_rows(index)
        try:
            return np.load(path, mmap_mode="r").shape == (rows.stop - rows.start, self.n_features)
        except (OSError, ValueError):  # unreadable: compute it again
            return False

    def missing(self):
        """Indices of the chunks not computed yet."""
        return [i for i in range(self.n_chunks) if not self._valid(i)]

    def compute(self, compute_chunk, *, verbose=False, desc="features"):
        """Compute and store every missing chunk.

        Parameters
        ----------
        compute_chunk : callable
            ``compute_chunk(rows: slice) -> ndarray (len, n_features)``.
        verbose : bool, default=False
            Progress bar over the images of the missing chunks.
        desc : str
            Label of the progress bar.

        Returns
        -------
        int
            The number of chunks computed.
        """
        todo = self.missing()
        n_rows = sum(self.chunk_rows(i).stop - self.chunk_rows(i).start for i in todo)
        with tqdm(total=n_rows, desc=desc, unit="image", disable=not verbose) as progress:
            for index in todo:
                rows = self.chunk_rows(index)
                features = np.asarray(compute_chunk(rows), dtype=np.float32)
                expected = (rows.stop - rows.start, self.n_features)
                if features.shape != expected:
                    raise ValueError(f"a chunk of features has shape {features.shape}; expected {expected}.")
                with atomic_path(self._path(index)) as tmp, open(tmp, "wb") as f:
                    np.save(f, features)
                progress.update(expected[0])
        return len(todo)

    def rows(self, index, out=None):
        """Rows ``index`` (sorted or not) of the stored matrix, as float32.

        Parameters
        ----------
        index : array-like of int
        out : ndarray of shape (len(index), n_features), float32, optional
            Filled in place (no second copy).

        Returns
        -------
        ndarray of shape (len(index), n_features), float32
        """
        index = np.asarray(index, dtype=np.int64)
        if out is None:
            out = np.empty((len(index), self.n_features), dtype=np.float32)
        chunk_of = index // self.chunk_size
        for chunk in np.unique(chunk_of):
            where = np.flatnonzero(chunk_of == chunk)
            stored = np.load(self._path(int(chunk)), mmap_mode="r")
            out[where] = stored[index[where] - chunk * self.chunk_size]
        return out

    def nbytes(self, n_rows):
        """Bytes of ``n_rows`` float32 rows."""
        return 4 * int(n_rows) * self.n_features
