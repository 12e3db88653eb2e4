"""Split an import stream into numbered lines, one bad line never spoiling the rest.

The import reads bytes, not text: a decoding error raised by a text stream stops the
whole file at the first bad byte and names an offset inside the decoder's buffer,
not the file (issue 17: ``invalid continuation byte at byte 3275`` for a byte at
5,401,800, nothing stored). Here each line is decoded on its own, so a line holding
latin-1 bytes is reported with its number and skipped, and the others are kept.

Lines are split on ``\\n`` only (a stray ``\\r`` inside a line does not split it, as
text mode's universal newlines would, which shifted every later line number), and a
line longer than ``max_bytes`` is skipped without being held in memory, as crawls cap
responses. This module must not parse JSON or touch the archive.
"""

from __future__ import annotations

from typing import IO, Iterator, NamedTuple

#: The longest line accepted, in bytes: the crawls' response cap (``DOWNLOAD_MAXSIZE``).
MAX_LINE_BYTES = 20 * 1024 * 1024
#: Bytes read at a time while skipping the rest of an over-long line.
_CHUNK = 1024 * 1024


class Line(NamedTuple):
    """One line of the input: its text, or why it has none (a named tuple: immutable, and
    half a frozen dataclass's cost to build, once per line)."""

    #: 1-based line number in the file.
    number: int
    #: The decoded line (without its newline), or None when ``problem`` is set.
    text: str | None
    #: Why the line cannot be used (bad encoding, too long), else None.
    problem: str | None = None
    #: Bytes consumed so far, this line included (for progress reports).
    offset: int = 0


def read_lines(stream: IO[bytes] | IO[str], *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Yield every line of ``stream`` (bytes or text), numbered from 1, blank ones included.

    A bytes stream is decoded line by line as UTF-8 (a BOM on line 1 is dropped); a
    line that is not UTF-8 is yielded with ``problem`` naming the offending byte's
    column and file offset. A line over ``max_bytes`` is skipped in chunks and yielded
    with ``problem`` set. A text stream is already decoded: only the cap applies
    (counted in characters).
    """
    offset = 0
    number = 0
    readline = stream.readline
    limit = max_bytes + 1
    while True:
        raw = readline(limit)
        if not raw:
            return
        number += 1
        start = offset
        if isinstance(raw, bytes):
            offset += len(raw)
            ends = raw[-1:] == b"\n"
        else:
            offset += _size(raw)
            ends = raw[-1:] == "\n"
        if not ends and len(raw) > max_bytes:
            skipped = _skip_rest(stream)
            offset += skipped
            yield Line(number, None, f"line longer than the {_mb(max_bytes)} limit ({_mb(len(raw) + skipped)}+);"
                                     " skipped", offset)
            continue
        if isinstance(raw, bytes):
            body = raw.rstrip(b"\r\n") if ends else raw
            if number == 1 and body.startswith(b"\xef\xbb\xbf"):
                body = body[3:]
                start += 3
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Line(number, None, f"not UTF-8 text ({exc.reason} at column {exc.start + 1},"
                                         f" byte {start + exc.start} of the file)", offset)
                continue
        else:
            text = raw.rstrip("\r\n") if ends else raw
            if number == 1:
                text = text.removeprefix("\ufeff")
        yield Line(number, text, None, offset)


def _ends_line(raw: bytes | str) -> bool:
    return raw.endswith(b"\n") if isinstance(raw, bytes) else raw.endswith("\n")


def _size(raw: bytes | str) -> int:
    return len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))


def _skip_rest(stream: IO[bytes] | IO[str]) -> int:
    """Consume up to and including the next newline; return how much was skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk:
            return skipped
        skipped += len(chunk)
        if _ends_line(chunk):
            return skipped


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"
