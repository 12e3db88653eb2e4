"""The multilingual embedder behind one interface (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.errors import ConfigError
from monitor.match.scoring import MatchingConfig
from monitor.text.embeddings import embed_max_pieces_setting, embedding_text, from_blob, make_embedder, to_blob


@pytest.fixture(scope="module")
def embedder():
    e = make_embedder("use-m3")
    assert e is not None
    return e


@pytest.mark.parametrize("name, margin, texts", [
    ("use-m3", 0.2, ["The Kremlin denied reports that the defence minister had suffered a heart attack.",
                     "В Кремле опровергли сообщения о том, что у министра обороны случился инфаркт.",
                     "The city council approved a new cycling lane along the river embankment."]),
    ("use-m3-static", 0.1, ["The foreign ministry rejected claims that the ambassador had been recalled from Berlin.",
                            "МИД опроверг сообщения об отзыве посла из Берлина.",
                            "A bakery in the old town won a prize for its rye bread and apple pies."]),
])
def test_an_english_and_a_russian_sentence_on_one_event_are_closer_than_an_unrelated_one(name, margin, texts) -> None:
    embedder = make_embedder(name)
    assert embedder is not None and embedder.name == name
    en, ru, other = embedder.embed(texts)
    assert float(en @ ru) > float(en @ other) + margin
    assert float(ru @ en) > float(ru @ other) + margin


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


@pytest.fixture(scope="module")
def static():
    e = make_embedder("use-m3-static")
    assert e is not None and e.name == "use-m3-static" and e.name != "use-m3"
    return e


def test_the_static_embedder_gives_unit_vectors_of_its_dimension(static) -> None:
    vecs = static.embed(["Officials denied that the talks had taken place.", "", "Ok"])
    assert vecs.shape == (3, static.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert static.embed([]).shape == (0, static.dim)
    # a text embeds the same alone and in a group
    assert np.allclose(static.embed(["Ok"])[0], vecs[2], atol=1e-5)


def test_a_missing_or_damaged_static_table_is_a_config_error_naming_the_file(tmp_path) -> None:
    from monitor.text.embeddings import StaticUseEmbedder

    missing = tmp_path / "nowhere.npz"
    with pytest.raises(ConfigError, match="nowhere.npz"):
        StaticUseEmbedder(missing).embed(["text"])
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a table")
    with pytest.raises(ConfigError, match="broken.npz"):
        StaticUseEmbedder(broken).load()
    truncated = tmp_path / "truncated.npz"
    np.savez(truncated, q=np.zeros((4, 2), dtype=np.int8))
    truncated.write_bytes(truncated.read_bytes()[:100])
    with pytest.raises(ConfigError, match="truncated.npz"):
        StaticUseEmbedder(truncated).load()
    partial = tmp_path / "partial.npz"
    np.savez(partial, q=np.zeros((4, 2), dtype=np.int8))
    with pytest.raises(ConfigError, match="partial.npz"):
        StaticUseEmbedder(partial).load()


def test_a_piece_cap_embeds_the_first_pieces_under_its_own_name(embedder) -> None:
    capped = make_embedder("use-m3", 6)
    assert capped is not None and capped.name == "use-m3-max6" and embedder.name == "use-m3"
    short = "Kremlin denies talks."  # fewer than six pieces: read whole either way
    long = "The Kremlin denied reports that the defence minister had met envoys in Istanbul last week."
    first_pieces = "The Kremlin denied reports"
    assert np.array_equal(capped.embed([short]), embedder.embed([short]))
    (cut,) = capped.embed([long])
    (whole,) = embedder.embed([long])
    assert float(cut @ whole) < 0.99
    # the cap reads what the text's first pieces say: nearer a text of about those words than the whole is
    (head,) = embedder.embed([first_pieces])
    assert float(cut @ head) > float(whole @ head)


@pytest.mark.parametrize("value, pieces", [(None, None), ("", None), (" 0 ", None), ("48", 48)])
def test_the_piece_cap_setting_reads_a_count_and_zero_means_none(value, pieces, monkeypatch) -> None:
    assert embed_max_pieces_setting(value) == pieces
    if value is None:
        monkeypatch.delenv("MONITOR_EMBED_MAX_PIECES", raising=False)
    else:
        monkeypatch.setenv("MONITOR_EMBED_MAX_PIECES", value)
    assert MatchingConfig().embed_max_pieces == pieces


@pytest.mark.parametrize("value", ["-3", "forty", "4.5"])
def test_a_bad_piece_cap_is_a_config_error(value) -> None:
    with pytest.raises(ConfigError, match="MONITOR_EMBED_MAX_PIECES"):
        embed_max_pieces_setting(value)


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_the_table_reader_reads_each_array_as_numpy_loads_it(tmp_path, save) -> None:
    from monitor.text.embeddings import _read_npz

    arrays = {"q": np.arange(-60, 60, dtype=np.int8).reshape(20, 6), "weight": np.linspace(0, 1, 20, dtype=np.float32),
              "alpha": np.float32(0.5), "basis": np.eye(6, 3, dtype=np.float64)}
    path = tmp_path / "table.npz"
    save(path, **arrays)
    read = dict(_read_npz(path))
    with np.load(path) as z:
        assert list(read) == list(z.files)
        for name in z.files:
            assert read[name].dtype == z[name].dtype and read[name].shape == z[name].shape
            assert np.array_equal(read[name], z[name]) and read[name].flags.writeable
