"""The weekly review: what customers asked and what failed, for content owners.

``make review`` (``python -m review``) and the monitor's ``/review`` page show the last
``REVIEW_DAYS``: questions answered, hedged ("the policy doesn't say"), told silent and
👎'd, grouped by the nearest clause with counts and example questions (redacted), and
a chart over time. ``make review ARGS='export ...'`` writes chosen questions as a
development question set for the content owner to check (docs/review.md).

- ``sources``: what happened, read from the conversations (each answer's
  ``policy_answer`` record) and the feedback store; one function a source, so a new
  outcome (a handoff to a person) is one more source and one more kind;
- ``report``: the period's counts, groups and days, and the plain-text print;
- ``page``: the same as a static HTML page with an inline SVG chart;
- ``export``: chosen questions as a question set file.
"""
