"""The local fixture web site: files, {{BASE}}, routes, conditional GET, faults."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from monitor.demo.fixture_server import FixtureServer


@pytest.fixture
def site(tmp_path: Path):
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "index.html").write_text("<a href='{{BASE}}/list/1'>one</a>", encoding="utf-8")
    (tmp_path / "list" / "index@PAGEN_1=2.html").write_text("page two", encoding="utf-8")
    (tmp_path / "list" / "1.html").write_text("article one", encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside", encoding="utf-8")
    with FixtureServer(tmp_path, hang_s=5) as server:
        yield server


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body, dict(exc.headers)


def test_serves_files_with_base_url_and_query_variants(site: FixtureServer) -> None:
    assert get(site.url("/list/")) [1] == f"<a href='{site.base_url}/list/1'>one</a>".encode()
    assert get(site.url("/list/?PAGEN_1=2"))[1] == b"page two"
    assert get(site.url("/list/1"))[1] == b"article one"
    assert get(site.url("/feed.xml"))[2]["Content-Type"] == "application/xml"
    assert get(site.url("/nothing"))[0] == 404
    assert get(site.url("/../secret.txt"))[0] == 404


def test_etag_and_last_modified_give_304(site: FixtureServer) -> None:
    status, _body, headers = get(site.url("/feed.xml"))
    assert status == 200
    assert get(site.url("/feed.xml"), {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(site.url("/feed.xml"), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    site.set_route("/feed.xml", "<rss version='2.0'/>", content_type="application/rss+xml")
    assert get(site.url("/feed.xml"), {"If-None-Match": headers["ETag"]})[0] == 200  # changed content
    assert len(site.requests_for("/feed.xml")) == 4


def test_faults(site: FixtureServer) -> None:
    site.set_fault("/feed.xml", "500")
    assert get(site.url("/feed.xml"))[0] == 500
    site.set_fault("/feed.xml", "truncate")
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    conn.request("GET", "/feed.xml")
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn.close()
    site.set_fault("/feed.xml", None)
    assert get(site.url("/feed.xml"))[0] == 200
    with pytest.raises(ValueError):
        site.set_fault("/feed.xml", "explode")
