"""The processing stage (issue 16): drain the backlog of stored documents, in worker processes.

``backlog`` is the one writer and the loop over waves; ``tasks`` what the workers run
(analysis: detection, features, embedding; matching on read-only connections); ``pool``
the worker processes, urgent tasks first, kept across waves and drains.
"""

from monitor.process.backlog import (
    POOL_MIN_BACKLOG, WAVE_SIZE, DrainReport, Progress, default_workers, drain_backlog,
)
from monitor.process.pool import WorkerPool
from monitor.process.tasks import ANALYSIS_CHUNK, DocumentAnalysis, analyse_documents

__all__ = ["ANALYSIS_CHUNK", "POOL_MIN_BACKLOG", "WAVE_SIZE", "DocumentAnalysis", "DrainReport", "Progress",
           "WorkerPool", "analyse_documents", "default_workers", "drain_backlog"]
