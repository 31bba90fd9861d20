"""Who else has a record open: a heartbeat in the cache that expires on its own.

Opening a change page stamps the editor (no JavaScript needed); the page's small script
stamps again every `HEARTBEAT_SECONDS` while it stays open. Entries older than
`PRESENCE_SECONDS` are dropped, so a closed tab stops counting within that time. With
several app processes the cache must be shared (REDIS_URL), or each process sees its own.
"""

import time

from django.core.cache import cache

PRESENCE_SECONDS = 90
HEARTBEAT_SECONDS = 30


def _key(record) -> str:
    return f"editorial:presence:{record._meta.label_lower}:{record.pk}"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def presence_stamp(*, record, user) -> list[str]:
    """Note that `user` has `record` open; return the names of the others who have."""
    now = time.time()
    entries = {
        user_id: entry
        for user_id, entry in (cache.get(_key(record)) or {}).items()
        if entry[1] > now
    }
    entries[user.pk] = (_name(user), now + PRESENCE_SECONDS)
    cache.set(_key(record), entries, PRESENCE_SECONDS)
    return sorted(name for user_id, (name, _) in entries.items() if user_id != user.pk)


def presence_leave(*, record, user) -> None:
    """Forget `user` on `record` (after they saved and left the page)."""
    entries = cache.get(_key(record)) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(record), entries, PRESENCE_SECONDS)
