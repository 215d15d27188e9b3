"""Pigeonhole itself runs the rewritten scripts: same actions, less the external redirects.

``sieve-test`` (Debian ``dovecot-sieve``) compiles a script and prints the actions it would
perform on a message. For each script and message, the actions after the rewrite must be the
original's without the redirects to outside addresses: nothing else filed, flagged, replied or
discarded differently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoir.connectors.sieve.rules import is_internal, without_external_redirects
from tests.support.services import missing_service

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

ORG = ["contoso.com"]

SCRIPTS = {
    "roundcube": """\
require ["fileinto","copy","vacation"];
# rule:[Forward home]
if true
{
\tredirect :copy "alice.home@gmail.com";
}
# rule:[Team]
if header :contains "subject" "[team]"
{
\tredirect "team-lead@contoso.com";
\tfileinto "Team";
}
# rule:[Out of office]
if true
{
\tvacation :days 5 :subject "Away until Monday" "I am out of the office.";
}
""",
    "chain": """\
require ["fileinto", "imap4flags"];
if header :contains "subject" "[external]" {
  redirect "out@partner.test";
} elsif header :contains "subject" "report" {
  addflag "\\\\Flagged";
  fileinto "Reports";
} else {
  redirect "spare@partner.test";
}
""",
    "nested": """\
require ["fileinto", "copy"];
if exists "x-spam-flag" {
    if header :is "x-spam-flag" "YES" {
        if true { redirect :copy "spam-research@gmail.com"; }
    }
    fileinto "Junk";
    stop;
}
redirect :copy "archive@contoso.com";
if address :domain :is "from" "bank.test" { redirect "me@gmail.com"; discard; }
""",
    "pigeonhole": """\
require ["include", "duplicate", "copy", "fileinto", "variables"];
if address :localpart :matches "from" "*" {
    redirect :copy "${1}@gmail.com";
}
if duplicate :seconds 60 {
    fileinto "Duplicates";
}
""",
}

MESSAGES = {
    "plain": "From: bob@contoso.com\nTo: alice@contoso.com\nSubject: hello\n\nHi\n",
    "team": "From: bob@contoso.com\nTo: alice@contoso.com\nSubject: [team] plan\n\nHi\n",
    "external": "From: x@partner.test\nTo: alice@contoso.com\nSubject: [external] a\n\nHi\n",
    "report": "From: r@contoso.com\nTo: alice@contoso.com\nSubject: weekly report\n\nHi\n",
    "spam": ("From: s@spam.test\nTo: alice@contoso.com\nSubject: win\nX-Spam-Flag: YES\n\nHi\n"),
    "bank": "From: no-reply@bank.test\nTo: alice@contoso.com\nSubject: statement\n\nHi\n",
}

_CONFIG = """\
mail_uid = {uid}
mail_gid = {gid}
base_dir = {root}/run
state_dir = {root}/state
log_path = /dev/stderr
mail_location = maildir:{root}/home/Maildir
"""


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    if shutil.which("sieve-test") is None:
        missing_service("sieve-test is not installed (apt-get install dovecot-sieve)")
    root = Path(tempfile.mkdtemp(prefix="autoir-sieve-test-"))
    (root / "home" / "Maildir").mkdir(parents=True)
    uid, gid = ("nobody", "nogroup") if os.geteuid() == 0 else (os.getuid(), os.getgid())
    (root / "dovecot.conf").write_text(_CONFIG.format(root=root, uid=uid, gid=gid))
    subprocess.run(["chmod", "-R", "a+rwX", str(root)], check=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _actions(workdir: Path, script: str, message: str) -> list[str]:
    """The performed actions, one block of lines per action (its details joined)."""
    (workdir / "script.sieve").write_text(script)
    (workdir / "message.eml").write_text(message)
    for compiled in workdir.glob("*.svbin"):
        compiled.unlink()
    done = subprocess.run(
        [
            "sieve-test",
            "-c",
            str(workdir / "dovecot.conf"),
            str(workdir / "script.sieve"),
            str(workdir / "message.eml"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={"HOME": str(workdir / "home"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    section = done.stdout.split("Performed actions:", 1)[1].split("Implicit keep:", 1)[0]
    blocks: list[str] = []
    for line in section.splitlines():
        if line.startswith(" * "):
            blocks.append(line.strip())
        elif line.strip() and blocks and line.startswith(" "):
            blocks[-1] += " | " + line.strip()
    return blocks


def _external_redirect(block: str) -> bool:
    found = re.match(r"\* redirect message to: <([^>]*)>", block)
    return found is not None and not is_internal(found.group(1), ORG)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_pigeonhole_performs_the_same_actions_without_the_external_redirects(
    workdir: Path, name: str
) -> None:
    script = SCRIPTS[name]
    rewritten = without_external_redirects(script, ORG).script

    for message in MESSAGES.values():
        before = _actions(workdir, script, message)
        after = _actions(workdir, rewritten, message)

        assert after == [b for b in before if not _external_redirect(b)], (name, message)
        assert not any(_external_redirect(b) for b in after)
