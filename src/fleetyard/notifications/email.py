"""E-mail through the tenant's own SMTP server (``aiosmtplib``): one message per
notification, plain text, bounded in time. Errors come back in plain words with whether
trying again could help (a 5xx answer won't)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from fleetyard import __version__


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none | starttls | tls
    username: str | None
    password: str | None
    from_address: str


@dataclass(frozen=True, slots=True)
class SendOutcome:
    error: str | None = None
    retryable: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None


def message(settings: SmtpSettings, to: str, subject: str, text: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.from_address
    mail["To"] = to
    mail["Subject"] = subject.replace("\r", " ").replace("\n", " ")[:250]
    mail["Message-ID"] = make_msgid(domain=settings.from_address.rsplit("@", 1)[-1] or None)
    mail["X-Mailer"] = f"Fleetyard/{__version__}"
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mail.set_content(text)
    return mail


async def send_email(
    settings: SmtpSettings, to: str, subject: str, text: str, *, timeout_s: float
) -> SendOutcome:
    mail = message(settings, to, subject, text)
    try:
        async with asyncio.timeout(timeout_s):
            await aiosmtplib.send(
                mail,
                hostname=settings.host,
                port=settings.port,
                username=settings.username or None,
                password=settings.password or None,
                use_tls=settings.security == "tls",
                start_tls=settings.security == "starttls",
                timeout=timeout_s,
            )
    except TimeoutError:
        return SendOutcome(f"The SMTP server did not answer within {timeout_s:g} s.")
    except aiosmtplib.SMTPResponseException as exc:
        permanent = 500 <= exc.code < 600
        return SendOutcome(f"The SMTP server answered {exc.code}: {exc.message}", not permanent)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return SendOutcome(f"The SMTP server refused the recipient: {exc}", False)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return SendOutcome(f"{type(exc).__name__}: {exc}".strip(": "))
    return SendOutcome()
