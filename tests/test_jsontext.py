"""The archive's JSON columns (``monitor.jsontext``): what orjson writes, ``json`` and SQLite read alike."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from monitor import jsontext


def test_values_survive_a_round_trip_through_the_standard_library() -> None:
    value = {"score": 0.9512, "tiny": 1e-05, "big": 12345678901, "none": None, "yes": True,
             "words": ["Песков", "fiction", "«фейк»"], "nested": {"top": [["rival_log_n", -0.52]]}}
    text = jsontext.dumps(value)
    assert json.loads(text) == value
    assert jsontext.loads(text) == value
    assert "Песков" in text  # UTF-8 as written, not \u escapes


def test_sort_keys_orders_object_keys_at_every_level() -> None:
    text = jsontext.dumps({"b": 1, "a": {"d": 2, "c": 3}}, sort_keys=True)
    assert text == '{"a":{"c":3,"d":2},"b":1}'
    assert jsontext.dumps({"b": 1, "a": 2}) == '{"b":1,"a":2}'  # insertion order without it


def test_float_subclasses_and_tuples_are_written_as_numbers_and_arrays() -> None:
    """What ``json.dumps`` writes: numpy's ``float64`` is a float; a numpy integer is not an int,
    for either of them."""
    text = jsontext.dumps({"cosine": np.float64(0.25), "top": ("a", 1.5)})
    assert json.loads(text) == {"cosine": 0.25, "top": ["a", 1.5]}
    with pytest.raises(TypeError, match="int64"):
        jsontext.dumps({"n": np.int64(3)})


def test_an_unknown_type_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="set"):
        jsontext.dumps({"terms": {"a", "b"}})


def test_sqlite_json_extract_reads_the_compact_text() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE m (explanation TEXT)")
    db.execute("INSERT INTO m VALUES (?)", [jsontext.dumps({"rivals": 2, "reason": "x"}, sort_keys=True)])
    assert db.execute("SELECT json_extract(explanation, '$.rivals') FROM m").fetchone() == (2,)


def test_loads_rejects_bad_text_with_a_value_error() -> None:
    with pytest.raises(ValueError):
        jsontext.loads("{not json")
