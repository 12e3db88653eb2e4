"""The multilingual embedder behind one interface (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.errors import ConfigError
from monitor.text.embeddings import embedding_text, from_blob, make_embedder, to_blob


@pytest.fixture(scope="module")
def embedder():
    e = make_embedder("use-m3")
    assert e is not None
    return e


def test_an_english_and_a_russian_sentence_on_one_event_are_closer_than_an_unrelated_one(embedder) -> None:
    en, ru, other = embedder.embed([
        "The Kremlin denied reports that the defence minister had suffered a heart attack.",
        "В Кремле опровергли сообщения о том, что у министра обороны случился инфаркт.",
        "The city council approved a new cycling lane along the river embankment.",
    ])
    assert float(en @ ru) > float(en @ other) + 0.2
    assert float(ru @ en) > float(ru @ other) + 0.2


def test_vectors_are_unit_length_and_survive_the_archive_blob(embedder) -> None:
    (v,) = embedder.embed(["Ein Bericht über Drohnen über dem Flughafen Kopenhagen."])
    assert v.shape == (embedder.dim,) and np.linalg.norm(v) == pytest.approx(1.0, abs=1e-4)
    back = from_blob(to_blob(v))
    assert float(back @ v) == pytest.approx(1.0, abs=1e-3)


def test_none_turns_embeddings_off_and_an_unknown_name_is_a_config_error() -> None:
    assert make_embedder("none") is None
    with pytest.raises(ConfigError, match="MONITOR_EMBEDDER: unknown embedder 'bert-huge'"):
        make_embedder("bert-huge")


def test_the_embedded_text_is_the_headline_and_the_start_of_the_lead() -> None:
    text = embedding_text("Headline here", "Lead " * 200)
    assert text.startswith("Headline here\nLead") and len(text) <= len("Headline here\n") + 300
