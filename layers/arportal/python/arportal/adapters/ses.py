"""Email through Amazon SES (moto's SES locally, where ``/local/mailbox`` shows what was sent)."""

from __future__ import annotations

from email.message import EmailMessage

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError
from arportal.ports import Email


class SesMailer:
    def __init__(self, sender: str, *, configuration_set: str | None = None) -> None:
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, email: Email) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(email.to)
        message["Subject"] = email.subject
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        for filename, content_type, body in email.attachments:
            maintype, subtype = content_type.split("/", 1)
            message.add_attachment(body, maintype=maintype, subtype=subtype, filename=filename)
        request: dict[str, object] = {
            "Source": self.sender,
            "Destinations": list(email.to),
            "RawMessage": {"Data": message.as_bytes()},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            return str(client("ses").send_raw_email(**request)["MessageId"])
        except Exception as exc:  # botocore raises many shapes; any of them means "not sent"
            raise DependencyError("the email could not be sent") from exc
