"""What the Rasa server keeps about conversations, and how long it keeps it.

``tracker_store`` is the Rasa server's tracker store (it imports Rasa and is loaded by
the Rasa server from ``endpoints.yml``); ``lock_store`` the conversation locks several
Rasa servers share in Redis (``endpoints.cluster.yml``); ``retention`` deletes
conversations and sent requests past their retention period, with the standard library
only on SQLite, and psycopg on PostgreSQL (``DATABASE_URL``).
"""
