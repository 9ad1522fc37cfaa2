"""Email over SMTP: one connection per batch, one result per message, never a raise."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr

from config.settings import Settings
from notifications.message import Message, SendResult

DEFAULT_TIMEOUT = 30.0


def build_email(message: Message, mail_from: str) -> EmailMessage:
    mail = EmailMessage(policy=SMTP_POLICY)
    mail["Subject"] = message.subject
    mail["From"] = mail_from
    mail["To"] = message.to_email
    mail["Date"] = formatdate(localtime=True)
    # The dispatcher may pin the Message-ID to its outbox row, so that a retry after a
    # lost "250 OK" is recognisable as the same mail rather than a second notice.
    mail["Message-ID"] = message.meta.get("message_id") or make_msgid(domain=_domain(mail_from))
    mail["Content-Language"] = message.lang
    mail["X-Petitions-Kind"] = message.kind
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def _bare(address: str) -> str:
    return parseaddr(address)[1] or address


def _domain(address: str) -> str | None:
    return _bare(address).rpartition("@")[2] or None


def _text(err: BaseException) -> str:
    if isinstance(err, smtplib.SMTPResponseException):
        detail = err.smtp_error.decode("utf-8", "replace") if isinstance(err.smtp_error, bytes) else str(err.smtp_error)
        return f"{err.smtp_code} {detail}"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {resp.decode('utf-8', 'replace')}" for rcpt, (code, resp) in err.recipients.items())
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def classify(err: BaseException) -> SendResult:
    """Permanent means "retrying the same message against the same settings cannot help"."""
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return SendResult.failed(_text(err), permanent=True)
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in err.recipients.values()]
        return SendResult.failed(_text(err), permanent=all(code >= 500 for code in codes))
    if isinstance(err, smtplib.SMTPResponseException):
        return SendResult.failed(_text(err), permanent=err.smtp_code >= 500)
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return SendResult.failed(_text(err), permanent=False)
    if isinstance(err, smtplib.SMTPNotSupportedError):
        # No AUTH/STARTTLS/SMTPUTF8 on the server: a configuration fault, not a blip.
        return SendResult.failed(_text(err), permanent=True)
    if isinstance(err, (UnicodeError, ValueError)):
        return SendResult.failed(_text(err), permanent=True)
    # OSError covers refused connections, DNS failures, socket timeouts and TLS drops.
    return SendResult.failed(_text(err), permanent=False)


class EmailChannel:
    def __init__(self, settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout

    def send_batch(self, messages: list[Message], on_result=None) -> list[SendResult]:
        """Send over one connection. `on_result(index, result)` is called as soon as each
        message is decided, so the caller can record it before the batch ends (a worker
        killed mid-batch then loses at most the message in flight)."""
        messages = list(messages)
        report = on_result or (lambda i, r: None)
        results: list[SendResult | None] = [
            None if m.to_email else SendResult.failed("no recipient email address", permanent=True)
            for m in messages
        ]
        for i, r in enumerate(results):
            if r is not None:
                report(i, r)
        pending = [i for i, r in enumerate(results) if r is None]
        if pending:
            for i, result in zip(pending, self._deliver([messages[i] for i in pending],
                                                        lambda j, r: report(pending[j], r))):
                results[i] = result
        return results  # type: ignore[return-value]

    def _deliver(self, messages: list[Message], report=lambda j, r: None) -> list[SendResult]:
        if not self.settings.smtp_host:
            out = [SendResult.failed("SMTP_HOST is not configured", permanent=True)] * len(messages)
            for j, r in enumerate(out):
                report(j, r)
            return out
        try:
            conn = self._open()
        except Exception as err:  # noqa: BLE001 - every failure becomes a result, by contract
            out = [classify(err)] * len(messages)
            for j, r in enumerate(out):
                report(j, r)
            return out
        try:
            return self._send_all(conn, messages, report)
        finally:
            try:
                conn.quit()
            except Exception:  # noqa: BLE001 - the batch is already decided; closing is best effort
                conn.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
        try:
            conn.ehlo()
            if s.smtp_starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.smtp_user:
                conn.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def _send_all(self, conn: smtplib.SMTP, messages: list[Message], report=lambda j, r: None) -> list[SendResult]:
        results: list[SendResult] = []
        broken: SendResult | None = None
        for j, message in enumerate(messages):
            if broken is not None:
                results.append(broken)
                report(j, broken)
                continue
            result = self._send_one(conn, message)
            results.append(result)
            report(j, result)
            if not result.ok and _connection_lost(conn):
                # The rest of the batch would only collect "please run connect() first".
                broken = SendResult.failed(f"connection lost earlier in the batch: {result.error}", permanent=False)
        return results

    def _send_one(self, conn: smtplib.SMTP, message: Message) -> SendResult:
        if not message.to_email:
            return SendResult.failed("no recipient email address", permanent=True)
        try:
            mail = build_email(message, self.settings.mail_from)
            # The envelope sender must be the bare address: smtplib would read the
            # Vietnamese display name as an internationalised address and switch to SMTPUTF8.
            refused = conn.send_message(mail, from_addr=_bare(self.settings.mail_from), to_addrs=[message.to_email])
        except (smtplib.SMTPException, OSError, ValueError, UnicodeError) as err:
            return classify(err)
        if refused:
            return classify(smtplib.SMTPRecipientsRefused(refused))
        return SendResult.success()


def _connection_lost(conn: smtplib.SMTP) -> bool:
    return getattr(conn, "sock", None) is None


__all__ = ["EmailChannel", "build_email", "classify"]
