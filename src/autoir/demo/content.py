"""Content for alerts: external domains, lures, threat names, cloud and OAuth applications.

Every domain is under a reserved top-level domain (``.example``, ``.test``, ``.invalid``).
"""

from __future__ import annotations

from dataclasses import dataclass

# Domains of senders that mail the tenant in normal business (and sometimes get reported).
PARTNER_DOMAINS = (
    "contoso.example",
    "northwind-traders.example",
    "adventure-works.example",
    "tailspin-toys.example",
    "litware.test",
    "wingtip-toys.example",
    "proseware.test",
    "fourthcoffee.example",
    "woodgrove-bank.example",
    "newsletters.lucerne-publishing.example",
)

# Attacker infrastructure: look-alike and throw-away domains.
ATTACKER_DOMAINS = (
    "secure-login-micros0ft.example",
    "office365-verify.test",
    "docu-sign-review.example",
    "sharepoint-files.invalid",
    "m1crosoft-support.example",
    "payroll-update.test",
    "invoice-portal.invalid",
    "fedex-tracking-notice.example",
    "wetransfer-share.test",
    "hr-benefits-enroll.example",
    "outlook-webaccess.invalid",
    "adobe-cloud-doc.test",
)

# Free-mail style domains used for personal accounts in BEC and insider cases.
PERSONAL_DOMAINS = ("mailbox.test", "freemail.example", "webpost.invalid")

PHISH_SUBJECTS = (
    "Action required: your mailbox password expires today",
    "You have 3 undelivered messages in quarantine",
    "Shared document: Q{q} bonus allocation.xlsx",
    "Payroll update - confirm your bank details",
    "DocuSign: please review and sign the NDA",
    "Voicemail received from +1 555 0143 (0:42)",
    "Your package could not be delivered",
    "Unusual sign-in activity on your account",
    "Invoice INV-{n} is overdue",
    "HR: updated benefits enrollment form",
)

MALWARE_SUBJECTS = (
    "Invoice INV-{n} attached",
    "Purchase order PO-{n}",
    "Remittance advice {n}",
    "Scanned document from MFP-{n}",
    "Shipping documents for order {n}",
)

BENIGN_SUBJECTS = (
    "Weekly newsletter: industry insights",
    "Your subscription renewal",
    "Meeting notes from Tuesday",
    "Webinar invitation: cloud cost optimisation",
    "Quarterly statement available",
    "Password reset requested",
    "New login to your partner portal account",
    "Limited-time offer for Fabrikam customers",
)

MALICIOUS_ATTACHMENTS = (
    "Invoice_{n}.zip",
    "PO_{n}.iso",
    "Remittance_{n}.html",
    "Scan_{n}.pdf.lnk",
    "Shipping_Docs_{n}.img",
    "Statement_{n}.xlsm",
    "Order_{n}.one",
)


@dataclass(frozen=True, slots=True)
class Threat:
    """A Defender threat name (``threatDisplayName``) and its family (``threatFamilyName``)."""

    display_name: str
    family: str


MALWARE = (
    Threat("Trojan:Win32/Wacatac.B!ml", "Wacatac"),
    Threat("Trojan:Win32/AgentTesla!ml", "AgentTesla"),
    Threat("Trojan:Win32/Formbook.RPY!MTB", "Formbook"),
    Threat("Backdoor:Win32/Qakbot.SA", "Qakbot"),
    Threat("Trojan:JS/Kryptik.JP", "Kryptik"),
    Threat("Trojan:HTML/Phish.SA!MTB", "Phish"),
    Threat("TrojanDownloader:O97M/Emotet.RVA!MTB", "Emotet"),
    Threat("Trojan:Win32/Lumma.RP!MTB", "Lumma"),
)
UNWANTED = (
    Threat("PUA:Win32/Presenoker", "Presenoker"),
    Threat("PUA:Win32/uTorrent", "uTorrent"),
    Threat("PUA:Win32/CandyOpen", "CandyOpen"),
    Threat("PUADlManager:Win32/OfferCore", "OfferCore"),
    Threat("PUA:Win32/Caypnamer.A!ml", "Caypnamer"),
)
MINERS = (
    Threat("Trojan:Linux/CoinMiner.A", "CoinMiner"),
    Threat("Trojan:Win32/CoinMiner!MSR", "CoinMiner"),
)
QAKBOT = Threat("Backdoor:Win32/Qakbot.SA", "Qakbot")
RANSOMWARE = Threat("Ransom:Win32/LockBit.MK!MTB", "LockBit")
MINER_LINUX = MINERS[0]


@dataclass(frozen=True, slots=True)
class CloudApp:
    """A SaaS application as Defender for Cloud Apps identifies it."""

    app_id: int
    display_name: str
    instance_id: int = 0
    instance_name: str = ""


SHAREPOINT = CloudApp(20892, "Microsoft SharePoint Online")
ONEDRIVE = CloudApp(15600, "Microsoft OneDrive for Business")
EXCHANGE = CloudApp(11161, "Microsoft Exchange Online")
TEAMS = CloudApp(28375, "Microsoft Teams")
AZURE_PORTAL = CloudApp(12260, "Microsoft Azure")
OFFICE = CloudApp(11114, "Microsoft 365")
DROPBOX = CloudApp(11627, "Dropbox")
BOX = CloudApp(10489, "Box")
GITHUB = CloudApp(11239, "GitHub", 1, "fabrikam-engineering")
SALESFORCE = CloudApp(17115, "Salesforce", 1, "fabrikam.my.salesforce.example")

CORPORATE_APPS = (SHAREPOINT, ONEDRIVE, EXCHANGE, TEAMS, OFFICE, AZURE_PORTAL, SALESFORCE, GITHUB)
PERSONAL_STORAGE = (DROPBOX, BOX)


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """A multi-tenant OAuth application registered outside the tenant."""

    display_name: str
    publisher: str


OAUTH_APPS = (
    OAuthApp("DocuSafe Viewer", "DocuSafe Labs"),
    OAuthApp("Mail Backup Pro", "CloudKeep Software"),
    OAuthApp("PDF Converter Online", "Quick Tools Ltd"),
    OAuthApp("Calendar Sync Assistant", "SyncWorks"),
    OAuthApp("Meeting Notes AI", "NoteMind Inc"),
    OAuthApp("Team Polls", "Polly Labs"),
)

# Countries sign-ins come from, with the documentation network used for their addresses.
SIGN_IN_COUNTRIES = ("US", "GB", "DE", "FR", "NL", "IN", "BR", "JP", "ES", "PL", "SE", "IT")
HOSTILE_COUNTRIES = ("RU", "KP", "IR", "NG", "VN", "RO", "BG", "UA", "CN")

# Sensitive-looking documents for DLP and mass-download alerts.
SENSITIVE_DOCUMENTS = (
    "Customer_Master_List_{y}.xlsx",
    "Payroll_{y}_Q{q}.xlsx",
    "Board_Deck_Q{q}_{y}.pptx",
    "Pricing_Strategy_{y}.docx",
    "Card_Transactions_{y}-{m:02d}.csv",
    "M&A_Target_Shortlist.docx",
    "Employee_SSN_Export.csv",
    "Source_Code_Backup_{y}{m:02d}.zip",
    "Salary_Bands_{y}.xlsx",
    "Vendor_Bank_Details.xlsx",
)
