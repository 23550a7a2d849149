"""skscat.utils records: one fingerprint, atomic records, unreadable records are a warned cache miss."""

import hashlib
import json

import numpy as np
import pytest

from skscat.utils import RecordWarning, fingerprint, read_record, write_record
from skscat.utils._records import RecordError, load_npz, npz_bytes


def test_fingerprint_of_a_description_is_the_runners_historic_key():
    # The baselines runner named its run files sha1(json.dumps(spec, sort_keys=True)): still the same names.
    spec = {"dataset": "digits", "method": "scat-svm", "J": 1, "L": 8, "seed": 0, "n_train": None}
    assert fingerprint(spec) == hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def test_fingerprint_depends_on_values_shape_and_dtype_of_arrays():
    x = np.arange(6, dtype=np.float32)
    keys = {fingerprint({"a": 1}, x), fingerprint({"a": 1}, x.reshape(2, 3)), fingerprint({"a": 1}, x.astype(np.float64)),
            fingerprint({"a": 1}, x + 1), fingerprint({"a": 2}, x)}
    assert len(keys) == 5
    assert fingerprint({"a": 1}, x) == fingerprint({"a": 1}, x.copy())
    assert fingerprint({"a": 1}, x[::2]) == fingerprint({"a": 1}, np.ascontiguousarray(x[::2]))


def test_json_record_round_trip_and_match(tmp_path):
    path = tmp_path / "runs" / "one.json"
    write_record(path, {"settings": {"lr": 0.1, "milestones": [0.3]}, "accuracy": 0.9})
    assert read_record(path, match={"settings": {"lr": 0.1, "milestones": (0.3,)}})["accuracy"] == 0.9
    assert read_record(path, match={"settings": {"lr": 0.2, "milestones": (0.3,)}}) is None
    assert read_record(tmp_path / "missing.json") is None
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file is gone


@pytest.mark.parametrize("content", [b"", b'{"settings": ', b"\x80\x04 not json"])
def test_unreadable_record_warns_and_is_a_miss(tmp_path, content):
    path = tmp_path / "run.json"
    path.write_bytes(content)
    with pytest.warns(RecordWarning, match=r"run\.json.*recomputing it and overwriting the file"):
        assert read_record(path) is None


def test_binary_records_with_their_own_format(tmp_path):
    path = tmp_path / "stats.npz"
    write_record(path, {"key": "abc", "values": np.arange(3.0)}, dump=npz_bytes)
    stored = read_record(path, match={"key": "abc"}, load=load_npz)
    np.testing.assert_array_equal(stored["values"], [0.0, 1.0, 2.0])
    assert read_record(path, match={"key": "other"}, load=load_npz) is None
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.warns(RecordWarning, match="stats.npz"):
        assert read_record(path, match={"key": "abc"}, load=load_npz) is None


def test_unreadable_record_can_be_an_error_naming_the_file_and_the_fix(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{"spec": ')
    with pytest.raises(RecordError, match=r"run\.json' cannot be read \(JSONDecodeError.*delete it to redo that work"):
        read_record(path, on_error="raise")
