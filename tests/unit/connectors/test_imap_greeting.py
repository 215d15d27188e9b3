"""A server that greets with BYE (shutting down, too busy) is a transient failure, not a refusal."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from autoir.connectors.imap.client import Login, Pool
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable


def _greeter(greeting: bytes) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                client.sendall(greeting)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield port
    finally:
        listener.close()


@pytest.fixture
def shutting_down() -> Iterator[int]:
    yield from _greeter(b"* BYE Shutting down\r\n")


@pytest.fixture
def refusing() -> Iterator[int]:
    yield from _greeter(b"* NO Server unavailable for you\r\n")


def _pool(port: int) -> Pool:
    return Pool("127.0.0.1", port, Login("admin", "pw", "*", {}), security="plain", timeout=5)


def test_a_bye_greeting_is_unavailable_so_the_action_is_retried(shutting_down: int) -> None:
    pool = _pool(shutting_down)
    with pytest.raises(ConnectorUnavailable, match="turned the connection away"):
        pool.session("alice@contoso.com").__enter__()


def test_another_refusing_greeting_is_a_refusal(refusing: int) -> None:
    pool = _pool(refusing)
    with pytest.raises(ConnectorRejected, match="refused the connection"):
        pool.session("alice@contoso.com").__enter__()
