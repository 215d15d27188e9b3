"""The endpoint agent on real hosts: two network namespaces enrol with a real AutoIR over TLS.

The server (``autoir serve`` with ``AUTOIR_TLS_CERT_FILE``/``AUTOIR_TLS_KEY_FILE``) runs in the
root namespace on the bridge address, with a self-signed certificate for that address; each
host runs ``python -m autoir_agent`` from this checkout inside its namespace, with a hostname and
``/etc/machine-id`` of its own (see :mod:`tests.support.netns`). The inventory is read back
through ``GET /api/v1/devices``.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.certificates import write_self_signed
from tests.support.netns import (  # noqa: F401 - the fixtures
    NETNS_ETC,
    Host,
    Network,
    ip,
    netns,
    netns_module,
)

pytestmark = [pytest.mark.netns, pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
AUTOIR = Path(sys.executable).with_name("autoir")
_START_TIMEOUT = 60.0


def self_signed_certificate(directory: Path, address: str, stem: str) -> tuple[Path, Path]:
    """An EC certificate for ``address`` (in its subjectAltName): (cert.pem, key.pem)."""
    cert_path, key_path = directory / f"{stem}-cert.pem", directory / f"{stem}-key.pem"
    write_self_signed(cert_path, key_path, addresses=(address,), dns_names=())
    return cert_path, key_path


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """This environment without AUTOIR_* settings (the test sets the ones it means)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AUTOIR_")}


@dataclass
class Server:
    url: str
    ca_file: Path
    data_dir: Path
    api_token: str
    context: ssl.SSLContext

    def autoir(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(AUTOIR), *args, "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=_clean_env(),
        )
        assert result.returncode == 0, f"autoir {' '.join(args)}: {result.stdout}{result.stderr}"
        return result

    def enrolment_token(self, uses: int = 1) -> str:
        """A one-time token from ``autoir agents token create`` (alone on the last line)."""
        output = self.autoir("agents", "token", "create", "--uses", str(uses)).stdout
        return output.strip().splitlines()[-1].strip()

    def get(self, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - an https URL of our own
            self.url + path, headers={"Authorization": f"Bearer {self.api_token}"}
        )
        with urllib.request.urlopen(request, context=self.context, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())


def _wait_ready(
    url: str, context: ssl.SSLContext, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"autoir serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", context=context, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    pytest.fail(
        f"autoir serve did not get ready at {url} in {_START_TIMEOUT:g} s ({last}):\n"
        + log.read_text()
    )


@pytest.fixture(scope="module")
def network(netns_module: Network) -> Network:  # noqa: F811
    """The module's hosts' network (the server listens on its bridge address)."""
    return netns_module


@pytest.fixture(scope="module")
def server(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real AutoIR on the bridge address, serving TLS with a certificate for that address."""
    tmp_path = tmp_path_factory.mktemp("autoir-server")
    if not AUTOIR.exists():
        pytest.fail(f"{AUTOIR} is missing: install the checkout into this venv (pip install -e .)")
    cert, key = self_signed_certificate(tmp_path, network.gateway, "server")
    data_dir = tmp_path / "data"
    port = _free_port(network.gateway)
    url = f"https://{network.gateway}:{port}"
    context = ssl.create_default_context(cafile=str(cert))
    env = _clean_env() | {
        "AUTOIR_TLS_CERT_FILE": str(cert),
        "AUTOIR_TLS_KEY_FILE": str(key),
    }
    serve = ["serve", "--host", network.gateway, "--port", str(port), "--data-dir", str(data_dir)]
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(AUTOIR), *serve, "--no-worker"], stdout=output, stderr=subprocess.STDOUT, env=env
        )
    try:
        _wait_ready(url, context, process, log)
        partial = Server(url, cert, data_dir, "", context)
        issued = partial.autoir(
            "token", "create", "--name", "netns-test", "--role", "Security administrator"
        )
        partial.api_token = issued.stdout.strip().splitlines()[-1].strip()
        yield partial
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def agent(host: Host, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m autoir_agent ARGS`` inside ``host``, from this checkout."""
    env = _clean_env() | {"PYTHONPATH": str(REPO / "src")}
    return host.run([sys.executable, "-m", "autoir_agent", *args], env=env, cwd=str(REPO))


def enrol(host: Host, server: Server, token: str, ca_file: Path, state: Path) -> Any:
    return agent(
        host,
        "enroll",
        "--server",
        server.url,
        "--token",
        token,
        "--ca-file",
        str(ca_file),
        "--state-dir",
        str(state),
    )


def test_two_hosts_enrol_and_are_listed_with_their_own_facts(
    network: Network,
    server: Server,
    tmp_path: Path,
) -> None:
    hosts = [network.add_host("web-01"), network.add_host("db-01")]
    token = server.enrolment_token(uses=2)
    device_ids = {}
    for host in hosts:
        state = tmp_path / host.name
        enrolled = enrol(host, server, token, server.ca_file, state)
        assert enrolled.returncode == 0, enrolled.stderr
        device_ids[host.name] = enrolled.stdout.strip()
        beat = agent(host, "run", "--once", "--state-dir", str(state))
        assert beat.returncode == 0, beat.stderr
        assert oct((state / "agent.json").stat().st_mode & 0o777) == "0o600"
    assert len(set(device_ids.values())) == 2

    listed = server.get("/api/v1/devices")
    devices = listed["value"] if isinstance(listed, dict) else listed
    by_id = {d["mdeDeviceId"]: d for d in devices}
    for host in hosts:
        device = by_id[device_ids[host.name]]
        assert device["deviceDnsName"] == host.name
        assert host.address in device["ipInterfaces"]
        assert [a for a in device["ipInterfaces"] if a.startswith("10.231.")] == [host.address]
        assert device["healthStatus"] == "active"
        assert device["osPlatform"] == "Linux"
        assert device["agentVersion"] == "1.0.0"
        assert device["osBuild"] == os.uname().release
    one = server.get(f"/api/v1/devices/{device_ids['web-01']}")
    assert one["deviceDnsName"] == "web-01"


def test_a_wrong_ca_is_refused_over_tls_and_a_used_up_token_is_exit_2(
    network: Network,
    server: Server,
    tmp_path: Path,
) -> None:
    host = network.add_host("laptop-07")
    wrong_ca, _ = self_signed_certificate(tmp_path, network.gateway, "impostor")
    token = server.enrolment_token(uses=1)
    state = tmp_path / "laptop"

    refused = enrol(host, server, token, wrong_ca, state)
    assert refused.returncode == 2, refused.stderr
    assert "TLS certificate verification" in refused.stderr
    assert not (state / "agent.json").exists()

    # The refused handshake did not spend the token: it enrols once, and only once.
    assert enrol(host, server, token, server.ca_file, state).returncode == 0
    again = enrol(host, server, token, server.ca_file, tmp_path / "again")
    assert again.returncode == 2, again.stderr
    assert "invalidToken" in again.stderr
    assert not (tmp_path / "again" / "agent.json").exists()


def test_the_harness_clears_a_crashed_runs_leftovers_and_gives_each_host_its_own_identity(
    netns: Network,  # noqa: F811
) -> None:
    crashed = netns.add_host("left-over")
    again = Network(netns.index)  # what the next run with this index finds: the old hosts
    again.start()
    assert crashed.namespace not in ip("netns", "list").stdout
    assert not (NETNS_ETC / crashed.namespace).exists()
    try:
        host = again.add_host("left-over")
        assert host.run(["hostname"]).stdout.strip() == "left-over"
        assert host.run(["cat", "/etc/machine-id"]).stdout.strip() == host.machine_id
        addresses = json.loads(host.run(["ip", "-j", "addr", "show", "eth0"]).stdout)
        assert [a["local"] for a in addresses[0]["addr_info"] if a["family"] == "inet"] == [
            host.address
        ]
        with socket.create_server((again.gateway, 0)) as listener:
            port = listener.getsockname()[1]
            connect = f"import socket; socket.create_connection(('{again.gateway}', {port}), 5)"
            reach = host.run([sys.executable, "-c", connect])
        assert reach.returncode == 0, reach.stderr
    finally:
        again.clear()
    assert again.bridge not in ip("-o", "link", "show").stdout
    assert host.namespace not in ip("netns", "list").stdout
