"""What the Rasa server keeps about conversations, and how long it keeps it.

``tracker_store`` is the Rasa server's tracker store (it imports Rasa and is loaded by
the Rasa server from ``endpoints.yml``); ``retention`` deletes conversations and sent
requests past their retention period, with the standard library only.
"""
