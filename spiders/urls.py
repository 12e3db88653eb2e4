"""Canonical URLs: one document, one identity, whatever tracking the link carried.

Feeds decorate links (``?at_medium=RSS&at_campaign=rss``, ``utm_*``), listings add
fragments, hosts come in mixed case. The archive keys documents by URL, so every URL
goes through ``canonical_url`` before it is stored or looked up. The scheme is kept:
kremlin.ru is polled over plain http on purpose (https times out from abroad).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset({
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "at_ptr_name",
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "cmpid", "ocid",
    "smid", "smtyp", "ref_src", "xtor",
})
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return ``url`` without tracking parameters, fragment or default port, host lower-cased.

    Query parameters that remain are sorted (w3lib ``canonicalize_url``) so that the
    same page linked twice in different orders is one document. Raises ValueError
    for a URL that is not http(s).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:120]!r}")
    host = parts.hostname.lower().rstrip(".")
    netloc = host
    if parts.port is not None and parts.port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not is_tracking_param(k)])
    path = parts.path or "/"
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_fragments=False)
