"""Personal data kept to a minimum: card numbers and contact details masked wherever the
conversation is stored, and old conversations deleted.

``redaction`` is standard-library only because both servers import it: the Rasa server
(Python 3.10, for the tracker store) and the action server (Python 3.11, for the form
validators).
"""
