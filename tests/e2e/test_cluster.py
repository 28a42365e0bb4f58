"""End to end: `make cluster`'s servers on free ports, behind a real HAProxy, on a real
PostgreSQL and Redis; a Rasa server SIGKILLed under load, in the middle of a data request.

While 16 simulated customers (``make soak``'s) talk to the cluster, one customer's
request form is started with both Rasa servers up (HAProxy alternates between them, so
the turns land on both); one Rasa server is killed, and the customer carries on: the
details given before the kill are still there, the confirmation is answered by the other
server, and customer service receives the request exactly once. Of all the customers'
messages at least 99% are answered, and every request they confirmed arrives once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
import socketio
from playwright.sync_api import expect

from handoff.messages import ENDED_FOR_CUSTOMER, ENDED_IN_THREAD
from settings import ClusterSettings, StackSettings
from stack.cluster import ClusterStack
from stack.databases import PostgresServer, RedisServer
from stack.mail_sink import saved_messages
from stack.ports import free_port_env
from stack.processes import Service
from stack.rest_client import TIMEOUT_S, new_sender, reference_in, reply_text, send
from tests.support.databases import new_database
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, SUPPORT_CHANNEL, FakeSlack
from tests.support.handoff import ask_for_a_person, staff_says, thread_texts
from tests.support.slack_events import event, new_ts, post
from tests.support.smtp_servers import code_mailed, wait_for_mail
from tests.support.widget import ANSWER_TIMEOUT_MS, ask, bot_says, chromium, open_chat, shop_page
from tools.failover import answered_share
from tools.soak import SOAK_ENV, Tally, customer, delivered

pytestmark = pytest.mark.e2e

# After the mail arrived, a second copy would come within a few relay polls.
NO_SECOND_COPY_S = 3.0
CUSTOMERS = 16
LOAD_BEFORE_KILL_S = 8.0
LOAD_AFTER_KILL_S = 15.0
ANSWERED_AT_LEAST = 0.99
BEFORE_KILL = ["please delete my data", "Jane Doe", "jane.doe@example.com"]
AFTER_KILL = ["skip", "SW1A 1AA", "yes"]


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    fake_slack: FakeSlack,
) -> Iterator[ClusterStack]:
    env = free_port_env(
        tmp_path_factory.mktemp("cluster-var"),
        {
            "DATABASE_URL": new_database(postgres_server.url),
            "REDIS_URL": redis_server.url,
            "RASA_REPLICAS": "2",
            "ACTION_REPLICAS": "2",
            "RELAYS": "2",
            **SOAK_ENV,  # simulated customers type faster than the rate limit allows people
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CHANNEL": SUPPORT_CHANNEL,
            "SLACK_API_URL": fake_slack.url,
            "SUPPORT_HOURS": "always",  # a person may be asked for at any hour
        },
    )
    stack = ClusterStack(StackSettings.from_env(env=env), ClusterSettings.from_env(env))
    with stack:
        yield stack


def turn(cluster: ClusterStack, sender: str, message: str) -> str:
    response = send(cluster.settings.rest_webhook, sender, message)
    assert response.status_code == 200, f"{message!r}: HTTP {response.status_code}"
    return "\n".join(m.get("text", "") for m in response.json())


def served_by(cluster: ClusterStack) -> set[str]:
    """The Rasa servers HAProxy has sent REST messages to (from its request log)."""
    log = (cluster.settings.paths.logs_dir / "haproxy.log").read_text()
    return {word for word in log.split() if word.startswith("rasa/rasa-")}


def to_customer_service(cluster: ClusterStack, reference: str) -> list[str]:
    messages = saved_messages(cluster.settings.paths.mail_dir)
    return [
        m["Message-ID"]
        for m in messages
        if reference in m["Subject"] and m["To"] == "cs@jessops.com"
    ]


def rasa_url(server: Service) -> str:
    """One Rasa server's own URL, behind HAProxy's back."""
    return f"http://127.0.0.1:{server.argv[server.argv.index('--port') + 1]}"


def test_the_widgets_socket_sticks_to_one_server_through_haproxy(cluster: ClusterStack) -> None:
    """socket.io's long-polling makes several requests per session; a session lives in one
    Rasa server, so each must reach the server that opened it (two servers are up)."""
    session = new_sender("widget")
    with socketio.SimpleClient() as socket:
        socket.connect(cluster.settings.rasa_url, transports=["polling"])
        socket.emit("session_request", {"session_id": session})
        assert socket.receive(timeout=TIMEOUT_S) == ["session_confirm", session]
        for question in ("hello", "Do you sell my data?"):
            socket.emit("user_uttered", {"message": question, "session_id": session})
            event_name, reply = socket.receive(timeout=TIMEOUT_S)
            assert event_name == "bot_uttered" and reply, question


def test_a_person_in_slack_reaches_the_widget_on_whichever_server_holds_its_socket(
    cluster: ClusterStack, fake_slack: FakeSlack
) -> None:
    """The widget's socket is on one Rasa server; Slack delivers one staff message to
    each server in turn, so at least one crosses to the other (Redis's socket.io
    manager), and the handoff's state is in Redis for both."""
    first, second = (rasa_url(server) for server in cluster.replicas("rasa-server"))
    with chromium() as browser, shop_page(browser, cluster.settings.web_url) as page:
        open_chat(page)
        thread = ask_for_a_person(page, fake_slack, "can I talk to a real person")["ts"]
        staff_says(cluster, thread, "Hello, Sam here. How can I help?", rasa_url=first)
        expect(page.locator("#chat-log > .msg.staff")).to_have_text(
            "Jessops supportHello, Sam here. How can I help?"
        )
        ask(page, "Where is my order?")
        assert thread_texts(fake_slack, thread, 1) == ["Customer: Where is my order?"]
        staff_says(cluster, thread, "done", rasa_url=second)
        bot_says(page, ENDED_FOR_CUSTOMER)
        ask(page, "Do you sell my data?")
        expect(page.locator("#chat-log > .msg.bot figcaption")).to_contain_text(
            "Privacy policy", timeout=ANSWER_TIMEOUT_MS
        )
    assert thread_texts(fake_slack, thread, 2)[1] == ENDED_IN_THREAD


def test_a_slack_retry_reaching_the_other_server_is_not_answered_twice(
    cluster: ClusterStack, fake_slack: FakeSlack
) -> None:
    first, second = (rasa_url(server) for server in cluster.replicas("rasa-server"))
    ts = new_ts()
    delivery = event("is my card number encrypted when I pay?", ts)
    assert post(cluster, delivery, rasa_url=first).status_code == 200
    [answer] = fake_slack.wait_for_posts(SUPPORT_CHANNEL, ts)
    retry = post(cluster, delivery, headers={"X-Slack-Retry-Num": "1"}, rasa_url=second)
    assert retry.status_code == 200 and retry.text == "Already answered."
    assert "SSL" in answer["text"]


def test_a_code_typed_against_the_other_rasa_server_verifies_the_request(
    cluster: ClusterStack,
) -> None:
    """The request is confirmed on one Rasa server and its code typed on the other: the
    code lives in PostgreSQL, not in a server's memory, and is checked once."""
    first, second = (rasa_url(server) for server in cluster.replicas("rasa-server"))
    sender, email = new_sender("two-servers"), "two.servers@example.com"
    turns = ["send me a copy of my data", "Ann Lee", email, "skip", "skip", "yes"]
    replies = [reply_text(f"{first}/webhooks/rest/webhook", sender, t) for t in turns]
    reference = reference_in(replies[-1])
    assert reference and f"emailing a 6-digit code to {email}" in replies[-1]
    code = code_mailed(cluster.settings.paths.mail_dir, reference, email)
    assert to_customer_service(cluster, reference) == []
    answer = reply_text(f"{second}/webhooks/rest/webhook", sender, code)
    assert answer.startswith("Thank you, your email address is confirmed."), answer
    message = wait_for_mail(cluster.settings.paths.mail_dir, reference, "cs@jessops.com")
    assert "Email address verified: yes" in message.get_body(("plain",)).get_content()
    time.sleep(NO_SECOND_COPY_S)
    assert len(to_customer_service(cluster, reference)) == 1


def test_a_rasa_server_killed_under_load_loses_no_conversation_and_no_request(
    cluster: ClusterStack,
) -> None:
    tally, keep_going = Tally(), threading.Event()
    keep_going.set()
    with ThreadPoolExecutor(CUSTOMERS) as pool:
        load = [
            pool.submit(customer, tally, cluster.settings.rest_webhook, keep_going, None)
            for _ in range(CUSTOMERS)
        ]
        sender = new_sender("cluster")
        before = [turn(cluster, sender, message) for message in BEFORE_KILL]
        time.sleep(LOAD_BEFORE_KILL_S)
        cluster.replicas("rasa-server")[0].kill()
        after = [turn(cluster, sender, message) for message in AFTER_KILL]
        time.sleep(LOAD_AFTER_KILL_S)
        keep_going.clear()
        for finished in load:
            finished.result()

    assert "email address" in before[1] and "phone" in before[2]
    assert served_by(cluster) >= {"rasa/rasa-1", "rasa/rasa-2"}
    assert "Jane Doe" in after[1] and "jane.doe@example.com" in after[1]  # slots kept
    reference = reference_in(after[2])
    assert reference, after[2]
    code = code_mailed(cluster.settings.paths.mail_dir, reference, "jane.doe@example.com")
    assert "email address is confirmed" in turn(cluster, sender, code)
    wait_for_mail(cluster.settings.paths.mail_dir, reference, "cs@jessops.com")
    print(f"\n{len(tally.latencies_s)} messages, answered {answered_share(tally)}: {tally.errors}")
    assert answered_share(tally) >= ANSWERED_AT_LEAST
    mailed = delivered(cluster.settings.paths.mail_dir, [*tally.references, reference])
    time.sleep(NO_SECOND_COPY_S)
    assert len(to_customer_service(cluster, reference)) == 1
    assert tally.references and all(mailed[r] == 1 for r in tally.references)


def test_conversations_are_in_postgresql_with_contact_details_masked(
    cluster: ClusterStack,
) -> None:
    sender = new_sender("stored")
    for message in [*BEFORE_KILL, *AFTER_KILL]:
        turn(cluster, sender, message)
    with psycopg.connect(cluster.settings.setting("DATABASE_URL")) as db:
        rows = [
            data
            for (data,) in db.execute(
                "SELECT data FROM events WHERE sender_id = %s", (sender,)
            ).fetchall()
        ]
    assert len(rows) > len(BEFORE_KILL) + len(AFTER_KILL)
    assert not [row for row in rows if "jane.doe@example.com" in row]


def test_feedback_is_kept_in_postgresql_and_reviewed_on_the_monitor(cluster: ClusterStack) -> None:
    """The 👎 and its comment may land on different servers; both reach the one table, and
    the monitor's /review reads it and the conversations from PostgreSQL."""
    sender = new_sender("feedback")
    answer = send(cluster.settings.rest_webhook, sender, "do you sell my data?").json()[-1]
    down = answer["buttons"][1]["payload"]
    assert "What were you looking for?" in turn(cluster, sender, down)
    assert "passed that on" in turn(cluster, sender, "whether you sell it to other shops")
    feedback_id = down.split('"feedback_id":"')[1].split('"')[0]
    with psycopg.connect(cluster.settings.setting("DATABASE_URL")) as db:
        row = db.execute(
            "SELECT rating, comment FROM feedback WHERE id = %s", (feedback_id,)
        ).fetchone()
    assert row == ("down", "whether you sell it to other shops")
    token = cluster.settings.paths.var_dir.joinpath("monitor.token").read_text().strip()
    page = requests.get(
        cluster.settings.monitor.metrics_url.removesuffix("/metrics") + "/review",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
    )
    assert (
        page.status_code == 200 and "looking for: whether you sell it to other shops" in page.text
    )
