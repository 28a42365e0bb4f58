"""Custom Rasa channel connectors, loaded by the Rasa server from ``credentials.yml``.

They run inside the Rasa server (Python 3.10); ``settings`` is shared with the action
server, so it stays standard-library only.
"""
