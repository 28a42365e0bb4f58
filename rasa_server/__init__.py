"""The Rasa server's own entry point: ``python -m rasa_server run ...`` (``make run``).

Rasa 3.6.21 is pinned, and one of its methods costs most of a policy answer's time in
the Rasa server (``patches``); this entry point applies the fix, refuses to start on
another Rasa version, then hands over to Rasa's own command line unchanged.
"""
