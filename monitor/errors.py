"""One exception tree for the library; ``cli`` turns these into one-line messages.

Library code raises these (never ``SystemExit``); each message names its culprit
(file and line, source slug, URL) so an operator can act on it without a traceback.
"""


class MonitorError(Exception):
    """Base class: anything the monitor reports as a clean, one-line failure."""


class ConfigError(MonitorError):
    """Bad configuration: a catalogue file, an environment variable, an option.

    ``problems`` holds every problem found when there are several (one line each, all
    reported at once); the message is those lines joined.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


class ArchiveError(MonitorError):
    """The archive cannot be opened, created or written."""


class InputError(MonitorError):
    """Bad input data (an import file, a feed, a page)."""


class CrawlError(MonitorError):
    """A crawl could not run at all (as opposed to one source failing)."""


class AlertError(MonitorError):
    """Alert delivery is misconfigured."""


class LexiconError(ConfigError):
    """A lexicon file is missing, unknown or holds a bad line (the message names file:line)."""
