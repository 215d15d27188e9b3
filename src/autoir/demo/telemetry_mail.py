"""Message events: the scenarios' mail as stored copies, and a month of everyday mail.

Everyday mail gives clusters and the first-contact check a baseline: newsletters and all-staff
mail (many copies of one template), partners writing to the users they work with and the
replies, notifications, and internal mail between colleagues. Newsletter links get clicked.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.mail import AUTH_PASS, Sender, body_fingerprint, campaign, new_message
from autoir.demo.names import NAME_POOLS, split_list
from autoir.demo.places import home_ip, mail_server_ip, utc_offset
from autoir.demo.primitives import hex_string, iso, random_file
from autoir.demo.records import Click

if TYPE_CHECKING:
    from random import Random

    from autoir.demo.directory import DemoUser, Directory
    from autoir.demo.mail import Message

Record = dict[str, object]


def message_event(message: Message) -> Record:
    """One stored copy in the ``messages`` ingest format of docs/telemetry.md.

    ``subjectFingerprint`` is left to the ingest, which computes it from the subject by the same
    rule as for parsed MIME mail.
    """
    ip_key = "senderIPv6" if ":" in message.sender_ip else "senderIPv4"
    return {
        "networkMessageId": message.network_message_id,
        "internetMessageId": message.internet_message_id,
        "receivedDateTime": iso(message.received),
        "subject": message.subject,
        "senderFromAddress": message.sender.address,
        "senderDisplayName": message.sender.display_name,
        "senderMailFromAddress": message.mail_from or message.sender.address,
        ip_key: message.sender_ip,
        "recipientEmailAddress": message.recipient,
        "antiSpamDirection": message.direction,
        "deliveryAction": message.delivery_action,
        "deliveryLocation": message.delivery_location,
        "urls": list(message.urls),
        "attachments": [
            {
                "fileName": spec.name,
                "fileType": spec.name.rsplit(".", 1)[-1].lower(),
                "fileSize": spec.size,
                "sha256": spec.sha256,
            }
            for spec in message.attachments
            if spec.sha256
        ],
        "authentication": message.auth.as_json(),
        "bodyFingerprint": message.body,
        "language": message.language,
    }


@dataclass(frozen=True, slots=True)
class Series:
    """Bulk mail sent to many users on a schedule (one template, many copies)."""

    address: str
    display_name: str
    subject: str
    every_days: float
    audience: float  # share of users who receive it
    esp: str | None = None  # the bulk-mail provider it goes through


SERIES = (
    Series(
        "newsletter@newsletters.lucerne-publishing.example",
        "Lucerne Publishing",
        "Weekly newsletter: industry insights #{n}",
        7,
        0.3,
        "sendwave.example",
    ),
    Series(
        "events@contoso.example",
        "Contoso Events",
        "Webinar invitation: cloud cost optimisation",
        9,
        0.2,
        "sendwave.example",
    ),
    Series(
        "billing@woodgrove-bank.example",
        "Woodgrove Bank",
        "Quarterly statement available",
        30,
        0.05,
    ),
    Series(
        "info@fourthcoffee.example",
        "Fourth Coffee",
        "Limited-time offer for Fabrikam customers",
        12,
        0.15,
        "mailrelay.test",
    ),
    Series("support@litware.test", "Litware Support", "Your subscription renewal", 15, 0.1),
)
ALL_STAFF_SUBJECTS = (
    "Fabrikam this week: town hall recap and open roles",
    "Fabrikam this week: new office opening",
    "Fabrikam this week: security awareness month",
    "Fabrikam this week: benefits enrollment opens",
    "Fabrikam this week: quarterly results",
)
PARTNER_SUBJECTS = (
    "Purchase order PO-{n}",
    "Invoice {n} from {company}",
    "Meeting notes from Tuesday",
    "Updated delivery schedule",
    "Contract renewal {y}",
    "Quote request {n}",
    "Question about order {n}",
    "Project kickoff next week",
    "Shipment confirmation {n}",
)
INTERNAL_SUBJECTS = (
    "Team sync agenda",
    "Budget review {y}",
    "Can you review this draft?",
    "Lunch on Thursday?",
    "Customer escalation {n}",
    "Out of office next week",
    "Sprint {n} retrospective",
    "Hiring plan update",
    "Slides for the board meeting",
    "Release notes {n}",
)
NOTIFICATIONS = (
    ("no-reply", "Fabrikam IT", "Your password expires in {n} days"),
    ("no-reply", "Expenses", "Expense report {n} approved"),
    ("no-reply", "HR Portal", "Timesheet reminder for week {n}"),
    ("sharepoint", "SharePoint Online", "A document was shared with you: Plan_{n}.docx"),
)
INBOUND_PER_WEEKDAY = 36
INTERNAL_PER_WEEKDAY = 40
NOTIFICATIONS_PER_DAY = 12
NEWSLETTER_CLICK_RATE = 0.08
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 10, 12, 14, 13, 11, 8, 5, 3, 2, 2, 1, 1)


class MailRoom:
    """Generates a month of everyday mail for the directory."""

    def __init__(self, rng: Random, directory: Directory, start: datetime, now: datetime) -> None:
        """Bind to the random stream, the directory and the window."""
        self.rng = rng
        self.directory = directory
        self.start = start
        self.now = now
        self.messages: list[Message] = []
        self.clicks: list[Click] = []
        self._hours = list(itertools.accumulate(HOUR_WEIGHTS))
        self._contacts = self._partner_contacts()

    def _partner_contacts(self) -> list[tuple[Sender, list[DemoUser]]]:
        """People at partner companies, each working with a few users."""
        rng = self.rng
        contacts = []
        domains = [d for d in content.PARTNER_DOMAINS if not d.startswith("newsletters.")]
        for _ in range(40):
            pool = rng.choice(NAME_POOLS)
            first = rng.choice(split_list(pool.first_names))
            last = rng.choice(split_list(pool.last_names))
            local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and ch != " ")
            sender = Sender(f"{local}@{rng.choice(domains)}", f"{first} {last}")
            contacts.append((sender, rng.sample(list(self.directory.users), rng.randint(2, 6))))
        return contacts

    def _moment(self, day: datetime) -> datetime:
        hour = self.rng.choices(range(24), cum_weights=self._hours)[0]
        return day + timedelta(hours=hour, seconds=self.rng.uniform(0, 3600))

    def _days(self) -> list[datetime]:
        day = datetime.combine(self.start.date(), time(), tzinfo=UTC)
        days = []
        while day <= self.now:
            days.append(day)
            day += timedelta(days=1)
        return days

    def _keep(self, message: Message) -> bool:
        return self.start <= message.received <= self.now

    def generate(self) -> tuple[list[Message], list[Click]]:
        """Every everyday message of the window and the clicks on newsletter links."""
        self._series()
        self._all_staff()
        for day in self._days():
            weekday = day.weekday() < 5
            self._partners(day, INBOUND_PER_WEEKDAY if weekday else 3)
            self._internal(day, INTERNAL_PER_WEEKDAY if weekday else 2)
            self._notifications(day, NOTIFICATIONS_PER_DAY if weekday else 3)
        self.messages.sort(key=lambda m: m.received)
        return self.messages, self.clicks

    def _fill(self, template: str, company: str = "") -> str:
        rng = self.rng
        return template.format(
            n=rng.randint(100, 9999), y=self.now.year, company=company or "Contoso"
        )

    def _series(self) -> None:
        rng, users = self.rng, list(self.directory.users)
        for series in SERIES:
            sender = Sender(series.address, series.display_name)
            audience = rng.sample(users, max(2, round(len(users) * series.audience)))
            moment = self.start + timedelta(days=rng.uniform(0, series.every_days))
            server = series.esp or sender.domain
            while moment <= self.now:
                url = f"https://{sender.domain}/n/{hex_string(rng, 8)}?utm_source=newsletter"
                template = new_message(
                    rng,
                    sender=sender,
                    sender_ip=mail_server_ip(server),
                    recipient="",
                    subject=self._fill(series.subject),
                    received=moment,
                    urls=[url, f"https://{sender.domain}/unsubscribe"],
                    mail_from=f"bounces+{hex_string(rng, 8)}@{server}" if series.esp else None,
                    body=body_fingerprint(sender.address, series.subject),
                )
                copies = campaign(rng, template, [u.upn for u in audience])
                self.messages.extend(m for m in copies if self._keep(m))
                for copy in copies:
                    if rng.random() < NEWSLETTER_CLICK_RATE:
                        clicked = copy.received + timedelta(hours=rng.uniform(0.2, 30))
                        if clicked <= self.now:
                            self.clicks.append(
                                Click(
                                    copy.recipient,
                                    url,
                                    clicked,
                                    "allowed",
                                    copy.network_message_id,
                                    home_ip(copy.recipient),
                                )
                            )
                moment += timedelta(days=series.every_days * rng.uniform(0.9, 1.1))

    def _all_staff(self) -> None:
        """The weekly internal newsletter: one message to everyone."""
        rng, directory = self.rng, self.directory
        sender = Sender(f"communications@{directory.domain}", "Fabrikam Communications")
        day = self.start + timedelta(days=(3 - self.start.weekday()) % 7)  # Thursdays
        while day <= self.now:
            received = day.replace(hour=9, minute=rng.randint(0, 30))
            template = new_message(
                rng,
                sender=sender,
                sender_ip="10.10.0.40",
                recipient="",
                subject=rng.choice(ALL_STAFF_SUBJECTS),
                received=received,
                urls=[f"https://intranet.{directory.domain}/news/{hex_string(rng, 6)}"],
                body=body_fingerprint(sender.address, "all staff"),
            )
            template = replace(template, direction="intraorg")
            copies = campaign(rng, template, [u.upn for u in directory.users], one_send=True)
            self.messages.extend(m for m in copies if self._keep(m))
            day += timedelta(days=7)

    def _partners(self, day: datetime, count: int) -> None:
        """Partners write to the users they work with; about two thirds get a reply."""
        rng = self.rng
        for _ in range(count):
            sender, users = rng.choice(self._contacts)
            user = rng.choice(users)
            company = sender.domain.split(".")[0].replace("-", " ").title()
            subject = self._fill(rng.choice(PARTNER_SUBJECTS), company)
            attachments = []
            if rng.random() < 0.3:
                name = f"{subject.split()[0]}_{rng.randint(1000, 9999)}.pdf"
                attachments.append(random_file(rng, name, "", size=(40_000, 900_000)))
            received = self._moment(day)
            message = new_message(
                rng,
                sender=sender,
                sender_ip=mail_server_ip(sender.domain),
                recipient=user.upn,
                subject=subject,
                received=received,
                attachments=attachments,
            )
            if self._keep(message):
                self.messages.append(message)
            if rng.random() < 0.65:
                reply = new_message(
                    rng,
                    sender=Sender(user.upn, user.display_name),
                    sender_ip=self._client_ip(user),
                    recipient=sender.address,
                    subject=f"RE: {subject}",
                    received=received + timedelta(minutes=rng.uniform(5, 300)),
                )
                reply = replace(reply, direction="outbound", delivery_location="external")
                if self._keep(reply):
                    self.messages.append(reply)

    def _client_ip(self, user: DemoUser) -> str:
        devices = self.directory.devices_of(user)
        return devices[0].ip_addresses[0] if devices else "10.20.0.10"

    def _internal(self, day: datetime, count: int) -> None:
        """Colleagues writing to one to four colleagues (one message, a copy per recipient)."""
        rng, users = self.rng, list(self.directory.users)
        for _ in range(count):
            author = rng.choice(users)
            recipients = [u.upn for u in rng.sample(users, rng.randint(1, 4)) if u != author]
            if not recipients:
                continue
            offset = timedelta(hours=utc_offset(author.country))
            template = new_message(
                rng,
                sender=Sender(author.upn, author.display_name),
                sender_ip=self._client_ip(author),
                recipient="",
                subject=self._fill(rng.choice(INTERNAL_SUBJECTS)),
                received=self._moment(day) - offset,
            )
            template = replace(template, direction="intraorg")
            copies = campaign(rng, template, recipients, one_send=True)
            self.messages.extend(m for m in copies if self._keep(m))

    def _notifications(self, day: datetime, count: int) -> None:
        rng, directory = self.rng, self.directory
        for _ in range(count):
            local, display, subject = rng.choice(NOTIFICATIONS)
            user = rng.choice(directory.users)
            message = new_message(
                rng,
                sender=Sender(f"{local}@{directory.domain}", display),
                sender_ip="10.10.0.41",
                recipient=user.upn,
                subject=self._fill(subject),
                received=self._moment(day),
                body=body_fingerprint(local, display, subject),
            )
            message = replace(message, direction="intraorg", auth=AUTH_PASS)
            if self._keep(message):
                self.messages.append(message)
