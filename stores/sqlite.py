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

CONNECTION_PRAGMAS = (
    "PRAGMA secure_delete=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
)
# Copies every page of the log into the database and truncates the log, so values just
# masked or deleted leave no copy in it (a no-op without the log).
EMPTY_THE_LOG = "PRAGMA wal_checkpoint(TRUNCATE)"
