"""UrlBlocker and UrlBlockList contract: idempotency per action, what a block covers, exports.

Runs against every adapter of the two ports; the SQL one on SQLite and PostgreSQL (the
``container`` fixture). An adapter is added by naming a factory in ``ADAPTERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pytest
from sqlalchemy import create_engine

from autoir.bootstrap import Container
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import UrlBlocker
from autoir.ports.url_blocks import BlockScope, UrlBlockList
from autoir.storage.url_blocker import SqlUrlBlocker


class BlockListAdapter(UrlBlocker, UrlBlockList, Protocol):
    """Both sides of the block list, as one adapter implements them."""


ADAPTERS: dict[str, Callable[[Container], BlockListAdapter]] = {
    "sql": lambda container: container.url_blocks,
}

URL = "https://evil.example/login"


@pytest.fixture(params=sorted(ADAPTERS))
def blocker(request: pytest.FixtureRequest, container: Container) -> BlockListAdapter:
    """An empty block list behind each adapter (and each database)."""
    return ADAPTERS[request.param](container)


def test_block_covers_the_url_and_what_is_under_it(blocker: BlockListAdapter) -> None:
    assert not blocker.is_blocked(URL)
    blocker.block("a-1", URL, "phishing")
    for covered in (URL, URL + "/", URL + "/step2?x=1", "http://EVIL.example/login#top"):
        assert blocker.is_blocked(covered), covered
    for free in (
        "https://evil.example/",
        "https://evil.example/loginx",
        "https://a.evil.example/login",
    ):
        assert not blocker.is_blocked(free), free
    found = blocker.match(URL + "/x")
    assert found is not None
    assert (found.action_id, found.reason, found.scope) == ("a-1", "phishing", BlockScope.URL)


def test_a_host_blocks_the_domain_and_its_subdomains(blocker: BlockListAdapter) -> None:
    blocker.block("a-1", "Evil.Example", "whole domain")
    assert blocker.is_blocked("https://deep.sub.evil.example/any/path")
    assert not blocker.is_blocked("https://evil.example.net/")
    assert blocker.export().domains == ("evil.example",)


def test_block_is_idempotent_per_action(blocker: BlockListAdapter) -> None:
    blocker.block("a-1", URL, "first")
    blocker.block("a-1", URL, "repeat")
    blocker.block("a-2", URL, "another action")
    assert sorted((b.action_id, b.reason) for b in blocker.active_blocks()) == [
        ("a-1", "first"),
        ("a-2", "another action"),
    ]


def test_unblock_lifts_every_action_once(blocker: BlockListAdapter) -> None:
    blocker.unblock("u-0", URL)  # nothing blocked: not an error
    blocker.block("a-1", URL, "first")
    blocker.block("a-2", "http://EVIL.example:80/login/", "same URL, other spelling")
    blocker.block("a-1b", "https://evil.example/LOGIN", "another path (paths are case-sensitive)")
    blocker.unblock("u-1", URL)
    assert [b.action_id for b in blocker.active_blocks()] == ["a-1b"]
    blocker.unblock("u-1", URL)
    blocker.block("a-3", URL, "again")
    blocker.unblock("u-1", URL)  # a late retry of u-1 leaves the newer block
    blocker.unblock("u-0", URL)  # so does one of u-0, which found nothing to lift
    assert blocker.is_blocked(URL)
    blocker.block("a-1", URL, "a late retry of a-1")
    assert sorted(b.action_id for b in blocker.active_blocks()) == ["a-1b", "a-3"]


def test_export_changes_with_every_block_and_unblock(blocker: BlockListAdapter) -> None:
    assert blocker.export().changed_at is None
    blocker.block("a-1", URL, "x")
    export = blocker.export()
    assert export.url_prefixes == ("evil.example/login",)
    assert export.changed_at is not None
    blocker.unblock("u-1", URL)
    after = blocker.export()
    assert after.url_prefixes == ()
    assert after.changed_at is not None
    assert after.changed_at >= export.changed_at


@pytest.mark.parametrize("target", ["javascript:alert(1)", "ftp://evil.example/x", "", "a b"])
def test_targets_that_are_not_web_urls_are_rejected(blocker: BlockListAdapter, target: str) -> None:
    with pytest.raises(ConnectorRejected):
        blocker.block("a-1", target, "x")
    assert blocker.active_blocks() == []


def test_sql_adapter_reports_an_unreachable_database_as_unavailable() -> None:
    engine = create_engine("postgresql+psycopg://autoir@127.0.0.1:9/none?connect_timeout=2")
    blocker = SqlUrlBlocker(engine)
    with pytest.raises(ConnectorUnavailable):
        blocker.block("a-1", URL, "x")
    with pytest.raises(ConnectorUnavailable):
        blocker.is_blocked(URL)
    engine.dispose()
