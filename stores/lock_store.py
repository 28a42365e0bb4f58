"""A Redis lock store whose tickets are issued and returned atomically.

Rasa handles one conversation's messages one at a time with ticket locks: each message
takes a ticket and waits until it is the first one left. Several Rasa servers share the
tickets in Redis. Rasa 3.6's ``RedisLockStore`` reads the lock, changes it in Python and
writes it back; two servers doing that at once can both hand out the same number, or
one can delete a lock another is waiting on, and then two servers handle the same
conversation at the same time (RasaHQ/rasa#11256; the fix went to the paid edition).

Here every change is one Lua script, which Redis runs without interleaving anything:
issuing a ticket, returning one (deleting the lock when none is left) and dropping
expired ones. The stored value is Rasa's own ``TicketLock`` JSON, so Rasa's waiting
loop reads it unchanged. A ticket lives ``TICKET_LOCK_LIFETIME`` seconds (Rasa's
setting, default 60): far longer than the slowest turn, so only a server that died
mid-turn lets its ticket expire. Configured in ``endpoints.cluster.yml`` as
``lock_store: {type: stores.lock_store.AtomicRedisLockStore, url: ${REDIS_URL}}``: the
url is a whole ``redis://[:password@]host:port/db`` address, or a host name with
``port`` and ``db`` beside it as for Rasa's own ``type: redis``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

REDIS_SCHEMES = ("redis://", "rediss://")

# Rasa's TicketLock JSON: {"conversation_id": ..., "tickets": ["{\"number\": n,
# \"expires\": t}", ...]}, each ticket itself a JSON string, oldest first.
_KEEP_LIVE_TICKETS = """
local function live_tickets(stored, now, dropped)
    local kept, last, latest = {}, -1, now
    if stored then
        for _, raw in ipairs(cjson.decode(stored)["tickets"]) do
            local ticket = cjson.decode(raw)
            if ticket["expires"] >= now and ticket["number"] ~= dropped then
                table.insert(kept, raw)
                last = ticket["number"]
                latest = math.max(latest, ticket["expires"])
            end
        end
    end
    return kept, last, latest
end
local function save(key, conversation, tickets, latest, now)
    if #tickets == 0 then
        redis.call("DEL", key)
    else
        local lock = cjson.encode({conversation_id = conversation, tickets = tickets})
        redis.call("SET", key, lock, "PX", math.ceil((latest - now) * 1000) + 1)
    end
end
"""
# KEYS[1] the lock; ARGV: now, lifetime, conversation id. Returns the new ticket's number.
ISSUE = (
    _KEEP_LIVE_TICKETS
    + """
local now, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2])
local tickets, last, latest = live_tickets(redis.call("GET", KEYS[1]), now, nil)
local number = last + 1
table.insert(tickets, cjson.encode({number = number, expires = now + lifetime}))
save(KEYS[1], ARGV[3], tickets, math.max(latest, now + lifetime), now)
return number
"""
)
# KEYS[1] the lock; ARGV: now, conversation id, ticket number to return (or none).
# Drops expired tickets too; deletes the lock when no ticket is left. Returns how many are.
RETURN = (
    _KEEP_LIVE_TICKETS
    + """
local now = tonumber(ARGV[1])
local tickets, _, latest = live_tickets(redis.call("GET", KEYS[1]), now, tonumber(ARGV[3]))
save(KEYS[1], ARGV[2], tickets, latest, now)
return #tickets
"""
)


def redis_arguments(host: str | None, **kwargs: Any) -> dict[str, Any]:
    """``RedisLockStore``'s arguments; a ``redis://`` URL in ``host`` gives host, port,
    db and password (one ``REDIS_URL`` setting instead of four)."""
    if not host or not host.startswith(REDIS_SCHEMES):
        return {"host": host or "localhost", **kwargs}
    url = urlsplit(host)
    parts = {"host": url.hostname, "port": url.port or 6379, "db": int(url.path[1:] or 0)}
    if url.password:
        parts["password"] = url.password
    return {**kwargs, **parts, "use_ssl": url.scheme == "rediss"}


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` with each change of a lock made atomically in Redis."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Rasa builds a custom lock store from its endpoint (``endpoint_config=``);
        tests build it from keyword arguments as for Rasa's own store."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**redis_arguments(**kwargs))
        self._issue = self.red.register_script(ISSUE)
        self._return = self.red.register_script(RETURN)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(
                self._issue(
                    keys=[self._key(conversation_id)],
                    args=[time.time(), lock_lifetime, conversation_id],
                )
            )
        except Exception as error:  # as Rasa's own issue_ticket reports any failure
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def _return_ticket(self, conversation_id: str, ticket_number: int | None) -> None:
        number = "none" if ticket_number is None else ticket_number
        self._return(keys=[self._key(conversation_id)], args=[time.time(), conversation_id, number])

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._return_ticket(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket; the lock goes in the same step when no one else holds one."""
        self._return_ticket(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (a server that died mid-turn leaves one behind)."""
        self._return_ticket(conversation_id, None)
