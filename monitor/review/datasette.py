"""Datasette over the archive outside Docker (``monitor ui``), with the packaged metadata.

The arguments are those of docker-compose.yml's ``sql`` service (read-only ``serve``,
a time limit per query, no facet suggestions, no download of the file), so the UI a
laptop user gets is the one deployed. It must not write to the archive.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def metadata_path() -> Path:
    """The canned queries and descriptions shipped inside the package."""
    return Path(str(resources.files("monitor") / "datasette" / "metadata.yml"))


def datasette_args(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    return ["serve", str(db_path), "--metadata", str(metadata_path()), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000", "--setting", "suggest_facets", "off",
            "--setting", "allow_download", "off"]
