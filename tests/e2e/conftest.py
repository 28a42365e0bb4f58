"""The running stacks end-to-end tests talk to: one plain, one with every channel secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stack.processes import Stack
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, SUPPORT_CHANNEL, FakeSlack
from tests.support.stacks import CLOSED_NOW, new_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real action server, Rasa server and shop page, on free ports, with their own var/.

    Its databases are set explicitly, outside its var/, as a user may export
    ``OUTBOX_DB`` and ``TRACKER_DB``: every server must then use those files.
    """
    databases = tmp_path_factory.mktemp("exported-databases")
    exported = {
        "OUTBOX_DB": str(databases / "requests.db"),
        "TRACKER_DB": str(databases / "conversations.db"),
        "SUPPORT_HOURS": CLOSED_NOW,
    }
    with new_stack(tmp_path_factory, exported) as running:
        yield running


@pytest.fixture(scope="session")
def secured_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack
) -> Iterator[Stack]:
    """A second stack with every channel secret set: a REST token, Slack on the fake API.

    Tests read the secrets back from ``secured_stack.settings.env``.
    """
    env = {
        "REST_API_TOKEN": "test-rest-token",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CHANNEL": SUPPORT_CHANNEL,
        "SLACK_API_URL": fake_slack.url,
    }
    with new_stack(tmp_path_factory, env) as running:
        yield running
