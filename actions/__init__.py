"""The Rasa action server: thin rasa-sdk adapters over ``knowledge`` and ``data_requests``.

Run with ``python -m actions.server`` (``make run`` does it): one process, the model
loaded once before it listens.
"""
