"""Card numbers and personal values found and masked, with the standard library only.

Every process uses ``redaction``: the Rasa server's tracker store (Python 3.10) masks
with it, the action server's form validators (Python 3.11) refuse card numbers with it.
"""
