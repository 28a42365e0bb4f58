"""What operators watch: Prometheus metrics, JSON logs and health checks.

Plain Python with no Rasa import (prometheus-client and the standard library), so the
Rasa server, the action server, the relay and the monitor all use the same definitions.
"""
