"""The Rasa server's own entry point: ``python -m rasa_server run ...`` (``make run``).

Rasa 3.6.21 is pinned; one of its methods costs most of a policy answer's time in the
Rasa server, and it quietly replaces a tracker store that fails to import with an
in-memory one (``patches``). This entry point applies both fixes, refuses to start on
another Rasa version, then hands over to Rasa's own command line unchanged.

``request_guard`` is a component of the NLU pipeline (config.yml): a request intent
stands only for a message that names a request. Rasa imports it by its module path.
"""
