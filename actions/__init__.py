"""The Rasa action server's custom actions, one module per concern.

Run with ``python -m rasa_sdk --actions actions`` (``make run`` does it).
"""
