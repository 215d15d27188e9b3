"""SQL adapter of the URL block list: the remediation side (block/unblock) and the click side.

Implements :class:`~autoir.ports.remediation.UrlBlocker` and
:class:`~autoir.ports.url_blocks.UrlBlockList`. Every call opens its own short transaction (as
:class:`~autoir.storage.unit_of_work.SqlUnitOfWork` does: read-only ones start deferred on
SQLite); database outages become :class:`~autoir.domain.errors.ConnectorUnavailable`, targets that
are not http(s) URLs or host names :class:`~autoir.domain.errors.ConnectorRejected`.

Canonical forms (``url_block_keys``) make matching exact index look-ups: a click on
``https://a.evil.example/x/y?q`` probes the keys of ``a.evil.example/``, ``…/x``, ``…/x/y``,
``…/x/y?q`` and of the domains ``a.evil.example``, ``evil.example``, ``example``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError, OperationalError

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.url_blocks import BlockScope, UrlBlock, UrlBlockExport
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.unit_of_work import READ_ONLY
from autoir.storage.url_block_keys import (
    BlockTarget,
    click_keys,
    is_covered,
    parse_target,
)
from autoir.storage.url_block_tables import url_blocks

_LOOKUP_CHUNK = 500  # keys per IN list (a URL of 8 KiB has at most a few thousand prefixes)
Now = Callable[[], datetime]


def _system_now() -> datetime:
    return datetime.now(UTC)


def _target(url: str, scope: BlockScope | None) -> BlockTarget:
    target = parse_target(url, scope)
    if target is None:
        raise ConnectorRejected(
            f"Cannot block {url[:200]!r}: give an http(s) URL or a host name "
            "(a domain, *.domain, or an IP address)."
        )
    return target


def _block(row: RowMapping) -> UrlBlock:
    return UrlBlock(
        id=int(row["id"]),
        url=str(row["url"]),
        host=str(row["host"]),
        scope=BlockScope(row["scope"]),
        prefix=str(row["prefix"]),
        action_id=str(row["action_id"]),
        reason=str(row["reason"]),
        created_at=from_db_time(row["created_at"]),
        created_by=row["created_by"],
    )


def _specificity(block: UrlBlock) -> tuple[int, int, int]:
    """URL blocks before domain blocks, longer prefixes first, then the oldest."""
    return (block.scope is BlockScope.URL, len(block.prefix), -block.id)


class SqlUrlBlocker:
    """The URL block list in the ``url_blocks`` table.

    Args:
        engine: The application's engine.
        now: Current UTC time (the services' clock); the system clock by default.
    """

    def __init__(self, engine: Engine, now: Now | None = None) -> None:
        self._engine = engine
        self._now = now or _system_now

    @contextmanager
    def _transaction(self, *, read_only: bool) -> Iterator[Connection]:
        try:
            with self._engine.connect() as connection:
                connection.info[READ_ONLY] = read_only
                with connection.begin():
                    yield connection
        except OperationalError as exc:
            raise ConnectorUnavailable(f"The URL block list is unavailable: {exc.orig}") from exc

    # --- UrlBlocker (remediation) -----------------------------------------------------------

    def block(
        self,
        action_id: str,
        url: str,
        reason: str,
        *,
        scope: BlockScope | None = None,
        created_by: str | None = None,
    ) -> None:
        """Block ``url``; repeating the same action id and URL changes nothing.

        Args:
            action_id: The remediation action (idempotency key).
            url: An http(s) URL (``url`` scope), or a host name / ``*.domain`` / IP address
                (``domain`` scope) when ``scope`` is not given.
            reason: Why (kept with the block; never shown to the user who clicks).
            scope: Force a scope: ``domain`` blocks the URL's host and its subdomains.
            created_by: Who asked for it, when known (the action records its requester).
        """
        target = _target(url, scope)
        row = {
            "url": target.url,
            "url_key": target.key,
            "host": target.host,
            "scope": target.scope.value,
            "prefix": target.prefix,
            "action_id": action_id,
            "reason": reason,
            "created_at": to_db_time(self._now()),
            "created_by": created_by,
        }
        try:
            with self._transaction(read_only=False) as c:
                if not self._has_row(c, action_id, target.key):
                    c.execute(insert(url_blocks).values(row))
        except IntegrityError:
            # The same action raced itself (a retried worker): its first call stored the row.
            return

    def unblock(self, action_id: str, url: str, *, scope: BlockScope | None = None) -> None:
        """Lift every active block of ``url`` (whichever action made it); idempotent per action.

        ``url`` is read as :meth:`block` reads it: unblocking ``https://evil.example/a`` lifts
        the URL blocks of that prefix (any scheme), not a block of the domain. A repeated
        request with the same action id does nothing, even after the URL was blocked again.
        """
        target = _target(url, scope)
        now = to_db_time(self._now())
        try:
            with self._transaction(read_only=False) as c:
                if self._has_row(c, action_id, target.key, removed_by=True):
                    return
                removed = c.execute(
                    update(url_blocks)
                    .where(url_blocks.c.url_key == target.key, url_blocks.c.removed_at.is_(None))
                    .values(removed_at=now, removed_by_action=action_id)
                ).rowcount
                if not removed and not self._has_row(c, action_id, target.key):
                    # Nothing was blocked: a removed marker row remembers that this action ran,
                    # so that its retry cannot lift a block made after it.
                    c.execute(
                        insert(url_blocks).values(
                            url=target.url,
                            url_key=target.key,
                            host=target.host,
                            scope=target.scope.value,
                            prefix=target.prefix,
                            action_id=action_id,
                            reason="",
                            created_at=now,
                            removed_at=now,
                            removed_by_action=action_id,
                        )
                    )
        except IntegrityError:
            return

    def is_blocked(self, url: str) -> bool:
        """Whether a click on ``url`` is blocked now."""
        return self.match(url) is not None

    @staticmethod
    def _has_row(c: Connection, action_id: str, key: str, *, removed_by: bool = False) -> bool:
        column = url_blocks.c.removed_by_action if removed_by else url_blocks.c.action_id
        found = c.execute(
            select(url_blocks.c.id).where(column == action_id, url_blocks.c.url_key == key).limit(1)
        ).first()
        return found is not None

    # --- UrlBlockList (click time, exports) -------------------------------------------------

    def active_blocks(self) -> list[UrlBlock]:
        """Every block in force, newest first."""
        with self._transaction(read_only=True) as c:
            rows = c.execute(
                select(url_blocks)
                .where(url_blocks.c.removed_at.is_(None))
                .order_by(url_blocks.c.created_at.desc(), url_blocks.c.id.desc())
            ).mappings()
            return [_block(row) for row in rows]

    def match(self, url: str) -> UrlBlock | None:
        """The most specific active block that covers a click on ``url``, or None."""
        keys = click_keys(url)
        if not keys:
            return None
        found: list[UrlBlock] = []
        with self._transaction(read_only=True) as c:
            for start in range(0, len(keys), _LOOKUP_CHUNK):
                found.extend(self._active_by_keys(c, keys[start : start + _LOOKUP_CHUNK]))
        return max(found, key=_specificity, default=None)

    @staticmethod
    def _active_by_keys(c: Connection, keys: Sequence[str]) -> list[UrlBlock]:
        rows = c.execute(
            select(url_blocks).where(
                url_blocks.c.url_key.in_(keys), url_blocks.c.removed_at.is_(None)
            )
        ).mappings()
        return [_block(row) for row in rows]

    def export(self) -> UrlBlockExport:
        """The active list for proxies and resolvers, and the time of its latest change."""
        with self._transaction(read_only=True) as c:
            rows = c.execute(
                select(url_blocks.c.scope, url_blocks.c.host, url_blocks.c.prefix).where(
                    url_blocks.c.removed_at.is_(None)
                )
            ).all()
            created, removed = c.execute(
                select(func.max(url_blocks.c.created_at), func.max(url_blocks.c.removed_at))
            ).one()
        domain_hosts = {host for scope, host, _ in rows if scope == BlockScope.DOMAIN}
        domains = sorted(h for h in domain_hosts if not is_covered(h, domain_hosts, strict=True))
        prefixes = sorted({prefix for scope, _, prefix in rows if scope == BlockScope.URL})
        whole_hosts = {
            host
            for scope, host, prefix in rows
            if scope == BlockScope.URL
            and prefix == f"{host}/"
            and not is_covered(host, domain_hosts)
        }
        changes = [t for t in (from_db_time_opt(created), from_db_time_opt(removed)) if t]
        return UrlBlockExport(
            domains=tuple(domains),
            hosts=tuple(sorted(whole_hosts)),
            url_prefixes=tuple(prefixes),
            changed_at=max(changes, default=None),
        )
