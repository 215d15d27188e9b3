"""Removing external redirects from Sieve scripts; reading out-of-office (no server)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sievelib.parser import Parser

from autoir.connectors.sieve.rules import (
    OutOfOffice,
    SieveSyntaxError,
    check_syntax,
    external_redirects,
    included_scripts,
    is_internal,
    out_of_office,
    redirect_targets,
    without_external_redirects,
)
from autoir.domain.errors import ConnectorRejected

ORG = ["example.org"]

# What Roundcube's managesieve plugin writes: a require, then one `# rule:[name]` per rule.
ROUNDCUBE = """\
require ["fileinto","copy","vacation"];
# rule:[Forward to private]
if true
{
\tredirect "alice.private@gmail.com";
}
# rule:[Invoices]
if header :contains "subject" "invoice"
{
\tfileinto "Invoices";
\tredirect :copy "accounts@example.org";
}
# rule:[Holiday]
if true
{
\tvacation :days 7 :subject "Out of office" :addresses ["alice@example.org"] "I am on holiday until 3 January.";
}
"""

ROUNDCUBE_WITHOUT_FORWARD = """\
require ["fileinto","copy","vacation"];
# rule:[Invoices]
if header :contains "subject" "invoice"
{
\tfileinto "Invoices";
\tredirect :copy "accounts@example.org";
}
# rule:[Holiday]
if true
{
\tvacation :days 7 :subject "Out of office" :addresses ["alice@example.org"] "I am on holiday until 3 January.";
}
"""


def _sievelib_accepts(script: str) -> bool:
    return bool(Parser().parse(script.encode()))


def test_roundcube_forward_rule_goes_with_its_marker_and_the_rest_is_byte_for_byte() -> None:
    rewrite = without_external_redirects(ROUNDCUBE, ORG)

    assert rewrite.removed == ("alice.private@gmail.com",)
    assert rewrite.changed
    assert rewrite.script == ROUNDCUBE_WITHOUT_FORWARD
    assert _sievelib_accepts(rewrite.script)


def test_crlf_line_endings_are_kept() -> None:
    crlf = ROUNDCUBE.replace("\n", "\r\n")

    rewrite = without_external_redirects(crlf, ORG)

    assert rewrite.script == ROUNDCUBE_WITHOUT_FORWARD.replace("\n", "\r\n")


def test_redirect_copy_to_outside_goes_and_the_rule_keeps_its_other_actions() -> None:
    script = """\
require ["copy", "fileinto"];
if address :domain :is "from" "bank.example" {
    redirect :copy "me@gmail.com";   # keep a copy at home
    redirect :copy "finance@example.org";
    fileinto "Bank";
    stop;
}
keep;
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("me@gmail.com",)
    assert rewrite.script == script.replace(
        '    redirect :copy "me@gmail.com";   # keep a copy at home\n', ""
    )


def test_several_addresses_subdomains_and_local_users() -> None:
    script = """\
redirect "Boss@Example.ORG";
redirect "helpdesk@mail.example.org";
redirect "bob";
redirect "exfil@example.org.evil.test";
redirect "x@notexample.org";
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("exfil@example.org.evil.test", "x@notexample.org")
    assert rewrite.script == (
        'redirect "Boss@Example.ORG";\nredirect "helpdesk@mail.example.org";\nredirect "bob";\n'
    )


def test_an_emptied_branch_followed_by_others_keeps_an_empty_block() -> None:
    script = """\
require "fileinto";
if header :contains "subject" "[external]" {
  redirect "out@partner.test";
} elsif header :contains "subject" "report" {
  fileinto "Reports";
} else {
  redirect "spare@partner.test";
}
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("out@partner.test", "spare@partner.test")
    # The first branch must still catch "[external]" mail, or "report" mail would change path.
    assert (
        rewrite.script
        == """\
require "fileinto";
if header :contains "subject" "[external]" {
} elsif header :contains "subject" "report" {
  fileinto "Reports";
}
"""
    )
    assert _sievelib_accepts(rewrite.script)


def test_an_emptied_last_elsif_goes() -> None:
    script = """\
if size :over 1M {
    discard;
}
elsif header :is "x-forward" "yes" {
    redirect "a@b.test";
}
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.script == "if size :over 1M {\n    discard;\n}\n"


def test_nested_ifs_left_empty_go_from_the_inside_out() -> None:
    script = """\
require ["fileinto"];
if exists "x-spam-flag" {
    if header :is "x-spam-flag" "YES" {
        if true { redirect "spam-research@gmail.com"; }
    }
    fileinto "Junk";
}
if anyof (header :contains "from" "ceo", not exists "x-internal") {
    if true {
        redirect "leak@protonmail.test";
    }
}
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("spam-research@gmail.com", "leak@protonmail.test")
    assert (
        rewrite.script
        == """\
require ["fileinto"];
if exists "x-spam-flag" {
    fileinto "Junk";
}
"""
    )


def test_one_line_rules_and_comments_of_every_kind() -> None:
    script = """\
/* Forwarding set up by the help desk
   ticket #4711 */
require ["copy"];
if true { redirect :copy "home@gmail.com"; keep; } # copy home
# keep this comment
redirect /* inline */ "archive@example.org";
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.script == script.replace('redirect :copy "home@gmail.com"; ', "")
    assert _sievelib_accepts(rewrite.script)


def test_a_whole_script_of_forwarding_becomes_an_empty_valid_script() -> None:
    rewrite = without_external_redirects('redirect "x@gmail.com";\n', ORG)

    assert rewrite.script == ""
    check_syntax(rewrite.script)


def test_multiline_strings_and_vacation_are_untouched() -> None:
    script = """\
require ["vacation"];
vacation :subject "Away" text:
I am away.
.. a stuffed line
redirect "not-a-command@gmail.com";
.
;
redirect "real@gmail.com";
"""
    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("real@gmail.com",)
    assert rewrite.script == script.replace('redirect "real@gmail.com";\n', "")
    assert out_of_office(rewrite.script) == OutOfOffice(active=True, subject="Away", days=None)


def test_with_variables_an_emptied_if_keeps_its_test_for_later_match_variables() -> None:
    script = """\
require ["variables", "fileinto"];
if header :matches "subject" "*" {
    redirect "out@gmail.com";
}
fileinto "Subjects/${1}";
"""
    rewrite = without_external_redirects(script, ORG)

    assert (
        rewrite.script
        == """\
require ["variables", "fileinto"];
if header :matches "subject" "*" {
}
fileinto "Subjects/${1}";
"""
    )


def test_an_address_from_a_variable_counts_as_external() -> None:
    script = 'require "variables";\nset "to" "x@gmail.com";\nredirect "${to}";\n'

    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("${to}",)
    assert not is_internal("${to}", ORG)


def test_pigeonhole_extensions_sievelib_does_not_know_still_work() -> None:
    script = """\
require ["include", "duplicate", "editheader", "copy"];
if duplicate :seconds 60 {
    discard;
    stop;
}
addheader "X-Seen" "yes";
include :personal "spam";
redirect :copy "pa@gmail.com";
"""
    assert not _sievelib_accepts(script)  # so this exercises the generic grammar alone

    rewrite = without_external_redirects(script, ORG)

    assert rewrite.removed == ("pa@gmail.com",)
    assert rewrite.script == script.replace('redirect :copy "pa@gmail.com";\n', "")
    assert included_scripts(script) == ["spam"]


def test_nothing_external_returns_the_script_unchanged() -> None:
    script = 'require "fileinto";\r\nif true { redirect "x@example.org"; fileinto "A"; }'

    rewrite = without_external_redirects(script, ORG)

    assert not rewrite.changed
    assert rewrite.script == script
    assert rewrite.removed == ()


def test_rewriting_twice_changes_nothing_more() -> None:
    once = without_external_redirects(ROUNDCUBE, ORG)
    twice = without_external_redirects(once.script, ORG)

    assert twice.script == once.script
    assert twice.removed == ()


@pytest.mark.parametrize(
    "script",
    ['if true { redirect "x@y.test";', 'redirect "x@y.test"', '"a";', "keep; }", "keep; ]", "@"],
)
def test_a_script_that_does_not_parse_is_refused(script: str) -> None:
    with pytest.raises(SieveSyntaxError) as caught:
        without_external_redirects(script, ORG)
    assert isinstance(caught.value, ConnectorRejected)


def test_targets_and_external_redirects() -> None:
    assert redirect_targets(ROUNDCUBE) == ["alice.private@gmail.com", "accounts@example.org"]
    assert external_redirects(ROUNDCUBE, ORG) == ["alice.private@gmail.com"]
    assert external_redirects(ROUNDCUBE, ["gmail.com", "example.org"]) == []
    assert is_internal("Alice <alice@example.org>", ORG)
    assert is_internal("alice@example.org.", ["@Example.org"])
    assert not is_internal("alice@example.org", [])


# --- out of office -------------------------------------------------------------------------


def test_roundcube_vacation_is_reported() -> None:
    assert out_of_office(ROUNDCUBE) == OutOfOffice(active=True, subject="Out of office", days=7)
    assert OutOfOffice(active=True, subject="S", days=3).to_json() == {
        "active": True,
        "subject": "S",
        "days": 3,
    }


def test_a_disabled_roundcube_rule_is_an_inactive_vacation() -> None:
    script = """\
require ["vacation"];
# rule:[Holiday]
if false # true
{
\tvacation :subject "Back soon" :days 3 "Away.";
}
"""
    assert out_of_office(script) == OutOfOffice(active=False, subject="Back soon", days=3)


def test_no_vacation_is_none_and_an_enabled_one_wins_over_a_disabled_one() -> None:
    assert out_of_office('redirect "x@y.test";') is None
    script = """\
require ["vacation", "date", "relational"];
if not true { vacation :subject "Old" "old"; }
if currentdate :value "ge" "date" "2026-12-01" { vacation :subject "New" "new"; }
"""
    assert out_of_office(script) == OutOfOffice(active=True, subject="New", days=None)


# --- property: only external redirects ever go -------------------------------------------

_ACTIONS = st.sampled_from(
    [
        'redirect "ext@gmail.com";',
        'redirect :copy "ext@partner.test";',
        'redirect "in@example.org";',
        'redirect :copy "team@example.org";',
        'fileinto "A";',
        "keep;",
        "stop;",
        "discard;",
        'vacation :days 2 "away";',
        "# a comment",
    ]
)


def _block(depth: int) -> st.SearchStrategy[str]:
    leaf = st.lists(_ACTIONS, max_size=3).map("\n".join)
    if depth == 0:
        return leaf
    inner = _block(depth - 1)
    rule = st.tuples(
        st.sampled_from(["true", 'header :contains "subject" "x"', 'not exists "y"']),
        inner,
        st.one_of(st.none(), inner),
    ).map(lambda t: f"if {t[0]} {{\n{t[1]}\n}}" + ("" if t[2] is None else f" else {{\n{t[2]}\n}}"))
    return st.lists(st.one_of(leaf, rule), max_size=3).map("\n".join)


def _actions(script: str) -> list[str]:
    return re.findall(r'(?:fileinto "A"|keep|stop|discard|vacation :days 2 "away");', script)


@settings(max_examples=150, deadline=None)
@given(_block(2))
def test_any_rule_file_keeps_every_other_action_and_stays_valid(body: str) -> None:
    script = 'require ["fileinto", "copy", "vacation"];\n' + body + "\n"
    assert _sievelib_accepts(script)

    rewrite = without_external_redirects(script, ORG)

    assert _sievelib_accepts(rewrite.script), rewrite.script
    assert external_redirects(rewrite.script, ORG) == []
    assert _actions(rewrite.script) == _actions(script)
    internal = [t for t in redirect_targets(script) if t.endswith("@example.org")]
    assert redirect_targets(rewrite.script) == internal


def test_blank_lines_and_indentation_around_a_removed_rule_stay() -> None:
    script = """\
require ["fileinto"];

if header :is "x-a" "1" {
    fileinto "A";
}

if header :is "x-b" "1" {
    redirect "b@gmail.com";
}

  if header :is "x-c" "1" { fileinto "C"; }
"""
    rewrite = without_external_redirects(script, ORG)

    assert (
        rewrite.script
        == """\
require ["fileinto"];

if header :is "x-a" "1" {
    fileinto "A";
}


  if header :is "x-c" "1" { fileinto "C"; }
"""
    )
