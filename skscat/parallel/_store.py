"""Features larger than memory: a chunked zarr array written block by block, resumable."""

import shutil
from pathlib import Path

import dask
import dask.array as da
import joblib
import numpy as np
import zarr

from ..utils import atomic_path, fingerprint, read_record, write_record

__all__ = ["ZarrFeatureStore"]

_RECORDS = "skscat"  # folder inside the zarr array: manifest and one marker per finished chunk


class ZarrFeatureStore:
    """A (n_samples, n_features) zarr array of a fitted transformer's outputs.

    :meth:`write` transforms ``X`` one chunk of rows at a time, as dask tasks
    (on the active dask scheduler: a ``distributed.Client`` spreads them over
    its workers), and writes each chunk of features to its own zarr chunk. A
    finished chunk is then recorded by a marker file written atomically, with
    a digest of its input rows. A killed run leaves finished chunks (with
    markers) and perhaps a half-written one (without); calling :meth:`write`
    again with the same transformer and data transforms only the chunks
    without a valid marker. A manifest (the transformer's
    :func:`joblib.hash`, the input's shape and dtype, the chunk size) makes a
    store refuse to resume a different run.

    The store reads back without materialising: :meth:`to_dask` is a lazy
    dask array chunked like the store (for ``ParallelPostFit``, OLS's
    ``transform`` or any blockwise step), :meth:`rows` gathers rows (the
    interface of the baselines' feature cache), :meth:`to_npy` copies the
    store block by block into a memory-mapped ``.npy`` file for estimators
    that need one array, e.g.
    :class:`~skscat.feature_selection.OrthogonalLeastSquaresSelector`'s
    ``fit``, which reads ``X`` in place.

    Parameters
    ----------
    path : str or os.PathLike
        Folder of the zarr array; every dask worker must see it (a local
        folder for a ``LocalCluster``, a shared file system on a cluster).

    Attributes
    ----------
    last_computed : list of int
        Chunks the last :meth:`write` transformed (the others were finished
        before it started).

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscat.parallel import ZarrFeatureStore
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> scaler = StandardScaler().fit(X)
    >>> store = ZarrFeatureStore(tempfile.mkdtemp() + "/features.zarr")
    >>> store.write(scaler, X, chunk_rows=4).missing()
    []
    >>> bool(np.allclose(store.to_dask().compute(), scaler.transform(X)))
    True
    """

    def __init__(self, path):
        self.path = Path(path)

    # -- writing ----------------------------------------------------------------------------

    def write(self, transformer, X, *, chunk_rows=None, overwrite=False):
        """Transform ``X`` chunk by chunk into the store; resume a killed run.

        Parameters
        ----------
        transformer : fitted estimator with ``transform``
            Applied to each chunk of rows as a NumPy array (a pipeline, a
            ``ParallelPostFit``, a scattering transformer...).
        X : ndarray, dask array or zarr array of shape (n_samples, ...)
            Input rows; a dask array is not materialised (each task computes
            its own block).
        chunk_rows : int, default=None
            Rows per chunk of the store. ``None``: the row chunks of a dask
            ``X`` (which must then be regular), else 1024.
        overwrite : bool, default=False
            Delete an existing store of another run instead of refusing it.

        Returns
        -------
        self : ZarrFeatureStore
            The store, complete.
        """
        X = _row_chunked(X, chunk_rows)
        manifest = self._manifest(transformer, X)
        found = self._read_manifest()
        if found != manifest:
            self._check_replaceable(found, manifest, overwrite)
            self._create_array(transformer, X, manifest)
        self._run(transformer, X)
        return self

    def _manifest(self, transformer, X):
        return {
            "transformer": joblib.hash(transformer),
            "input_shape": list(X.shape),
            "input_dtype": str(X.dtype),
            "chunk_rows": int(X.chunks[0][0]),
        }

    def _check_replaceable(self, found, manifest, overwrite):
        """Refuse to delete another run's store, or a folder that is not a store, unless told to."""
        if overwrite or not self.path.exists():
            return
        if found is not None:
            raise ValueError(
                f"The feature store at {self.path} holds another run (manifest {found}; this run: "
                f"{manifest}). Pass overwrite=True to replace it, or write to another path."
            )
        if any(p.name != "zarr.json" and p.name != "c" for p in self.path.iterdir()):
            raise ValueError(
                f"{self.path} exists and is not a skscat feature store (no {_RECORDS}/manifest.json). "
                "Pass overwrite=True to replace it, or write to another path."
            )

    def _create_array(self, transformer, X, manifest):
        """Create the zarr array, its shape and dtype from the transform of one row, then the manifest."""
        probe = np.asarray(transformer.transform(np.asarray(X[:1])))
        if self.path.exists():
            shutil.rmtree(self.path)
        zarr.create_array(
            store=str(self.path),
            shape=(X.shape[0], *probe.shape[1:]),
            chunks=(manifest["chunk_rows"], *probe.shape[1:]),
            dtype=probe.dtype,
            fill_value=0,
        )
        # Last: a store with a manifest always has its array (a kill before this recreates it).
        write_record(self._records / "manifest.json", manifest)

    def _run(self, transformer, X):
        model = dask.delayed(transformer, pure=True)
        starts = np.cumsum((0, *X.chunks[0][:-1]))
        blocks = X.to_delayed().reshape(len(starts), -1)[:, 0]
        tasks = [
            dask.delayed(_write_chunk, pure=False)(block, index, int(start), str(self.path), model)
            for index, (block, start) in enumerate(zip(blocks, starts))
        ]
        self.last_computed = [i for i, done in enumerate(dask.compute(*tasks)) if done]

    # -- records ----------------------------------------------------------------------------

    @property
    def _records(self):
        return self.path / _RECORDS

    def _read_manifest(self):
        return read_record(self._records / "manifest.json")

    def missing(self):
        """List the chunks without a finished-chunk marker.

        Returns
        -------
        list of int
            Their indices (empty once the store is complete).
        """
        if self._read_manifest() is None:
            raise ValueError(f"There is no feature store at {self.path} yet; call write() first.")
        n_rows, chunk_rows = self.array.shape[0], self.array.chunks[0]
        n_chunks = -(-n_rows // chunk_rows)
        return [i for i in range(n_chunks) if not (self._records / "done" / f"{i}.json").is_file()]

    # -- reading ----------------------------------------------------------------------------

    @property
    def array(self):
        """The zarr array, opened read-only."""
        return zarr.open_array(str(self.path), mode="r")

    def to_dask(self):
        """A lazy dask array over the store, one block per zarr chunk.

        Returns
        -------
        dask.array.Array
            Reads the store when computed.
        """
        return da.from_zarr(self.array)

    def rows(self, index, out=None):
        """Gather rows ``index`` of the store (any order), reading chunk by chunk.

        Parameters
        ----------
        index : array-like of int
            Row indices.
        out : ndarray of shape (len(index), n_features), optional
            Filled in place.

        Returns
        -------
        ndarray of shape (len(index), n_features)
            The rows, in the order of ``index``.
        """
        array = self.array
        index = np.asarray(index, dtype=np.int64)
        if out is None:
            out = np.empty((len(index), *array.shape[1:]), dtype=array.dtype)
        size = array.chunks[0]
        for chunk in np.unique(index // size):
            where = np.flatnonzero(index // size == chunk)
            block = array[chunk * size : (chunk + 1) * size]
            out[where] = block[index[where] - chunk * size]
        return out

    def to_npy(self, path):
        """Copy the store, chunk by chunk, into a ``.npy`` file and memory-map it.

        Parameters
        ----------
        path : str or os.PathLike
            Destination (written atomically).

        Returns
        -------
        numpy.memmap
            Read-only.
        """
        array = self.array
        size = array.chunks[0]
        with atomic_path(path) as tmp:
            out = np.lib.format.open_memmap(tmp, mode="w+", dtype=array.dtype, shape=array.shape)
            for start in range(0, array.shape[0], size):
                out[start : start + size] = array[start : start + size]
            out.flush()
            del out
        return np.load(path, mmap_mode="r")


def _row_chunked(X, chunk_rows):
    """``X`` as a dask array chunked by rows only (regular chunks, the last may be shorter)."""
    if isinstance(X, da.Array):
        rows = chunk_rows or X.chunks[0][0]
    else:
        rows = chunk_rows or 1024
        X = da.from_array(X, chunks=(rows, *X.shape[1:]))
    X = X.rechunk((rows, *X.shape[1:]))
    if any(size != rows for size in X.chunks[0][:-1]):
        raise ValueError(f"X has irregular row chunks {X.chunks[0]}; pass chunk_rows=<int> to rechunk it.")
    return X


def _write_chunk(block, index, start, path, transformer):
    """Transform and store one chunk unless its marker records these input rows; True if computed."""
    block = np.asarray(block)
    marker = Path(path) / _RECORDS / "done" / f"{index}.json"
    digest = fingerprint({"rows": start}, block)
    if read_record(marker, match={"input": digest}) is not None:
        return False
    features = np.asarray(transformer.transform(block))
    zarr.open_array(path, mode="r+")[start : start + len(block)] = features
    write_record(marker, {"input": digest})  # after the chunk: a marker always means finished features
    return True
