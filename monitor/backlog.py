"""Moved to ``monitor.process`` (the processing stage's package); kept because
``monitor.collect`` imports the drain from here."""

from monitor.process import DrainReport, Progress, drain_backlog

__all__ = ["DrainReport", "Progress", "drain_backlog"]
