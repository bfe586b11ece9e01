"""Delivery channels: e-mail over SMTP (or .eml files for `make run`) and signed webhooks.

Webhooks go only to checked addresses (``shared.net``: resolved and checked at every call,
the connection pinned to the checked address, redirects never followed).
"""

from __future__ import annotations

import email.policy
import http.client
import json
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from knotenpunkt.services.notifications.domain.webhooks import webhook_signature
from knotenpunkt.shared import net


def build_email(
    n: dict,
    sender: str,
    unsubscribe_url: str | None,
    now: datetime,
    reply_to: str | None = None,
) -> EmailMessage:
    """The e-mail of one delivery from `sender` (replies to `reply_to`), dated `now`; raises nothing."""
    # Long URLs (List-Unsubscribe) must stay plain: no folding into encoded words.
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["From"] = sender
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["To"] = formataddr((n.get("recipient_name") or "", n["recipient"]))
    msg["Subject"] = n["subject"]
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{n['id']}@knotenpunkt>"
    msg["X-Knotenpunkt-Event"] = str(n["event_id"])
    if unsubscribe_url and not n["mandatory"]:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(n["body"])
    for att in n.get("attachments") or []:
        maintype, subtype = att["content_type"].split("/", 1)
        msg.add_attachment(
            att["content"].encode(), maintype=maintype, subtype=subtype, filename=att["filename"]
        )
    return msg


class FileMailer:
    """`make run` without SMTP_URL: each mail lands as an .eml file."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, msg: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = msg["Message-ID"].strip("<>").split("@")[0]
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(msg))
        tmp.rename(self.folder / f"{name}.eml")

    def close(self) -> None:
        return None


class MailServerAway(Exception):
    """The mail server could not be reached: refused, unreachable, timed out, or it hung up or
    answered 4xx before its greeting. Nothing was sent, so it is no failure of the mail."""


class SmtpMailer:
    """SMTP_URL like smtp://user:pass@host:587?starttls=true (smtps:// for implicit TLS)."""

    def __init__(self, url: str, timeout: float = 10.0):
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0].lower() in (
            "1",
            "true",
            "yes",
        )
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            if self.tls:
                smtp = self._reach(smtplib.SMTP_SSL, context=ssl.create_default_context())
            else:
                smtp = self._reach(smtplib.SMTP)
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            self._smtp = smtp
        return self._smtp

    def _reach(self, kind, **kwargs) -> smtplib.SMTP:
        """Connect and take the greeting; raises MailServerAway when the server is not there
        (a 5xx greeting is its answer and a TLS failure a setup fault: raised as they are)."""
        try:
            return kind(self.host, self.port, timeout=self.timeout, **kwargs)
        except ssl.SSLError:
            raise
        except smtplib.SMTPConnectError as exc:
            if exc.smtp_code >= 500:
                raise
            raise MailServerAway(f"{exc.__class__.__name__}: {exc}") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise MailServerAway(f"{exc.__class__.__name__}: {exc}") from exc

    def send(self, msg: EmailMessage) -> None:
        try:
            self._connect().send_message(msg)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def mailer_for(settings):
    """An SMTP mailer for SMTP_URL, or one writing .eml files into MAIL_DIR without it."""
    return SmtpMailer(settings.smtp_url) if settings.smtp_url else FileMailer(settings.mail_dir)


class WebhookFailed(Exception):
    """A webhook call failed: `status` is the HTTP status when the receiver answered (3xx
    included: redirects are not followed), None when it could not be reached or may not be."""

    def __init__(self, detail: str, status: int | None = None):
        super().__init__(detail)
        self.status = status


def post_webhook(
    url: str,
    secret: str,
    envelope: dict,
    timestamp: int,
    *,
    allowed_hosts: frozenset[str] = frozenset(),
    timeout: float = 10.0,
) -> None:
    """POST the CloudEvent, signed at `timestamp` (Unix time), to the checked address of url.

    Raises WebhookFailed on an answer other than 2xx, an address that may not be called
    (internal, unless its host is allowed) or a network error.
    """
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
    ts = int(timestamp)
    headers = {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "X-Knotenpunkt-Signature": f"t={ts},v1={webhook_signature(secret, ts, body)}",
        "X-Knotenpunkt-Event": envelope["id"],
    }
    try:
        status = net.post_checked(url, body, headers, allowed_hosts=allowed_hosts, timeout=timeout)
    except net.UnsafeTarget as exc:
        raise WebhookFailed(f"target refused: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookFailed(f"{exc.__class__.__name__}: {exc}") from exc
    if not 200 <= status < 300:
        raise WebhookFailed(f"webhook answered {status}", status)
