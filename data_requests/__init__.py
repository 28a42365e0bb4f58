"""Customers' data requests, from the first answer to the email customer service reads.

Plain Python with no Rasa import, so the action server, the relay and support staff's
command line share it: ``kinds`` (what each request needs), ``request_words`` (the
words that name a request, for the Rasa pipeline's request guard), ``validators``
(checking what the customer typed), ``names`` (is it a name?), ``outbox`` (durable
storage), ``mail`` (the email), ``relay`` (outbox → SMTP), ``notices`` (a line in the
support team's Slack channel) and ``cli`` (``python -m data_requests list|show|requeue``).
"""
