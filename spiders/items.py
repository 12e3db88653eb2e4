"""The item every spider yields: one article, transcript, briefing or feed entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """What a spider extracted; the pipeline canonicalises it into a ``Document``.

    Mutable because Scrapy items travel through middlewares; read it through
    ``ItemAdapter``. ``published`` is aware (any offset) or None when the page gave no
    date; the pipeline normalises it to UTC.
    """

    #: The article's URL as linked (the pipeline canonicalises it).
    url: str
    title: str
    text: str
    published: dt.datetime | None
    #: Catalogue slug of the source that produced it.
    source: str
    #: ``official`` or ``media`` (from the catalogue).
    role: str = "media"
    #: ISO 639-1, from the catalogue or the feed; None lets the pipeline detect it.
    lang: str | None = None
    #: Anything else worth keeping (feed id, lead, authors, where the text came from).
    extra: dict[str, Any] = field(default_factory=dict)
