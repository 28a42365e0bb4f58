"""settings.py: one rule for empty values, paths derived once from VAR_DIR unless set."""

from __future__ import annotations

from pathlib import Path

from settings import (
    PROJECT_ROOT,
    ChannelSettings,
    ClusterSettings,
    FeedbackSettings,
    HandoffSettings,
    MonitorSettings,
    Paths,
    RequestSettings,
    RetentionSettings,
    ReviewSettings,
    SmtpSettings,
    StackSettings,
)


def test_unset_and_empty_mean_the_default_everywhere() -> None:
    for environ in ({}, {"VAR_DIR": "", "OUTBOX_DB": " ", "SMTP_PORT": "", "SLACK_BOT_TOKEN": ""}):
        assert Paths.from_env(environ).var_dir == PROJECT_ROOT / "var"
        assert RequestSettings.from_env(environ).outbox_db == PROJECT_ROOT / "var" / "outbox.db"
        assert SmtpSettings.from_env(environ).port == 25
        assert not ChannelSettings.from_env(environ).slack_notices_enabled


def test_paths_follow_var_dir_unless_set_on_their_own(tmp_path: Path) -> None:
    paths = Paths.from_env({"VAR_DIR": str(tmp_path)})
    assert (paths.tracker_db, paths.outbox_db, paths.index_dir) == (
        tmp_path / "tracker.db",
        tmp_path / "outbox.db",
        tmp_path / "index",
    )
    own = tmp_path / "elsewhere" / "requests.db"
    environ = {"VAR_DIR": str(tmp_path), "OUTBOX_DB": str(own)}
    assert RequestSettings.from_env(environ).outbox_db == own
    assert RetentionSettings.from_env(environ).outbox_db == own
    assert Paths.from_env(Paths.from_env(environ).as_env()) == Paths.from_env(environ)


def test_flags_and_urls_are_normalised() -> None:
    assert SmtpSettings.from_env({"SMTP_STARTTLS": "Yes"}).starttls
    assert not SmtpSettings.from_env({"SMTP_STARTTLS": "0"}).starttls
    api = ChannelSettings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url
    assert api == "http://127.0.0.1:9/api/"


def test_cluster_defaults_and_one_database_url_for_every_store() -> None:
    for environ in ({}, {"DATABASE_URL": "", "REDIS_URL": " ", "RASA_REPLICAS": ""}):
        cluster = ClusterSettings.from_env(environ)
        assert (cluster.database_url, cluster.redis_url) == (None, None)
        assert (cluster.rasa_replicas, cluster.action_replicas, cluster.relays) == (2, 2, 2)
        assert (cluster.sql_pool_size, cluster.sql_max_overflow) == (5, 10)
        assert cluster.ticket_lock_lifetime_s == 15
    url = "postgresql://jessops@db.internal:5432/assistant"
    environ = {"DATABASE_URL": url, "REDIS_URL": "redis://cache:6379/1", "RELAYS": "4"}
    assert ClusterSettings.from_env(environ).relays == 4
    assert RequestSettings.from_env(environ).database_url == url
    assert RetentionSettings.from_env(environ).database_url == url
    assert ChannelSettings.from_env(environ).redis_url == "redis://cache:6379/1"
    assert RequestSettings.from_env({}).lease_s == 120


def test_every_address_is_loopback_unless_a_host_of_a_cluster_names_its_own() -> None:
    local = StackSettings.from_env({})
    assert (local.rasa_url, local.action_url, local.web_url) == (
        "http://127.0.0.1:5005",
        "http://127.0.0.1:5055",
        "http://127.0.0.1:8080/",
    )
    assert local.monitor.metrics_url == "http://127.0.0.1:9108/metrics"
    assert SmtpSettings.from_env({}).host == "127.0.0.1"
    host = StackSettings.from_env(
        {
            "BIND_HOST": "10.0.0.21",
            "PUBLIC_HOST": "shop.example.com",
            "ACTION_SERVER_URL": "http://10.0.0.30:5055",
        }
    )
    assert host.bind_host == host.monitor.host == "10.0.0.21"
    assert host.rasa_url == "http://shop.example.com:5005"
    assert "http://shop.example.com:8080" in host.web_origins
    assert host.action_url == "http://10.0.0.30:5055"
    assert StackSettings.from_env({"BIND_HOST": "10.0.0.4"}).rasa_url == "http://10.0.0.4:5005"


def test_the_edge_reads_its_peers_as_a_list_of_addresses() -> None:
    cluster = ClusterSettings.from_env(
        {"RASA_SERVERS": " 10.0.0.21:5005, 10.0.0.22:5005 ,", "ACTION_SERVERS": ""}
    )
    assert cluster.rasa_servers == ("10.0.0.21:5005", "10.0.0.22:5005")
    assert cluster.action_servers == ()


def test_feedback_and_the_review_follow_var_dir_and_the_database() -> None:
    assert ReviewSettings.from_env({}).days == 7
    assert ReviewSettings.from_env({"REVIEW_DAYS": "14"}).days == 14
    environ = {"VAR_DIR": "/srv/jessops", "DATABASE_URL": "postgresql://db/assistant"}
    feedback = FeedbackSettings.from_env(environ)
    assert feedback.feedback_db == Path("/srv/jessops/feedback.db")
    assert feedback.database_url == ReviewSettings.from_env(environ).database_url
    assert RetentionSettings.from_env(environ).feedback_db == feedback.feedback_db
    monitor = MonitorSettings.from_env(environ)
    assert monitor.token is None and monitor.token_file == Path("/srv/jessops/monitor.token")


def test_handoff_is_on_with_the_slack_channel_and_shares_redis_in_a_cluster() -> None:
    defaults = HandoffSettings.from_env({"VAR_DIR": "/srv/jessops"})
    assert (defaults.support_hours, defaults.wait_minutes) == (
        "Mon-Fri 09:00-17:30 Europe/London",
        5,
    )
    assert defaults.handoff_db == Path("/srv/jessops/handoff.db") and not defaults.enabled
    slack = {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y", "SLACK_CHANNEL": "C1"}
    environ = {
        **slack,
        "SUPPORT_HOURS": "always",
        "HANDOFF_WAIT_MINUTES": "2",
        "REDIS_URL": "redis://r",
    }
    handoff = HandoffSettings.from_env(environ)
    assert handoff.enabled and handoff.support_hours == "always" and handoff.wait_minutes == 2
    assert handoff.redis_url == "redis://r"
    assert not HandoffSettings.from_env({**slack, "SLACK_CHANNEL": ""}).enabled
