"""Learning the answer path from the project's labelled questions (index build only).

``examples`` reads what the models learn from (train sets and aliases), ``encoder``
fine-tunes the question encoder with its reader head, ``cache`` skips that when its
inputs did not change, ``thresholds`` chooses the verdict's cut-offs on development sets.
"""
