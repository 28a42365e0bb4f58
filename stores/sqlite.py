"""How the tracker store's SQLite file is kept, shared by the Rasa server and retention.

Standard library only (retention runs outside Rasa). The file uses the write-ahead log
with ``synchronous=NORMAL``: a turn's commit does not wait for an fsync (a py-spy profile
put 11% of the Rasa server's samples in that commit; here a commit took 8 ms with the
rollback journal, 0.03 ms with the log). A conversation survives the server crashing; a
power cut may lose its last turns. Data requests are not kept here but in the outbox,
which syncs fully. Deleted rows are overwritten on disk (``secure_delete``), and because
the log holds copies of pages as they were written, whoever masks or deletes personal
data then empties it (:data:`EMPTY_THE_LOG`).
"""

from __future__ import annotations

from storage.conversations import EMPTY_THE_LOG

__all__ = ["CONNECTION_PRAGMAS", "EMPTY_THE_LOG"]

CONNECTION_PRAGMAS = (
    "PRAGMA secure_delete=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
)
