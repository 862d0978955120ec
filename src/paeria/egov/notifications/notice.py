"""The e-mail telling the addressee that a notification is waiting (LPAC
41.6): no content, no names, only where to go."""

from paeria.egov import _
from paeria.egov import logger
from paeria.egov.notifications.evidence import record_evidence
from paeria.egov.notifications.expiry import EXPIRY_DAYS
from paeria.egov.system import AUTOMATED_ACTOR
from plone import api
from zope.i18n import translate


def send_notice(notificacion, row):
    """E-mail the addressee that a notification is waiting (LPAC 41.6): no
    content, no names, only where to go. Without an address, or when the mail
    server refuses, the evidence says so and the notification stands (the
    notice is not a requirement of its validity)."""
    email = (row.get("email") or "").strip()
    if not email:
        record_evidence(notificacion, "aviso_no_enviado", actor=AUTOMATED_ACTOR)
        return False
    language = api.portal.get_default_language()
    portal_url = api.portal.get().absolute_url()
    subject = translate(
        _(
            "notice_subject",
            default="You have a notification waiting at the electronic office",
        ),
        target_language=language,
    )
    body = translate(
        _(
            "notice_body",
            default="A notification addressed to you has been made available at "
            "the electronic office. Log in to read it: ${url}\n\nIf you do not "
            "access it within ${days} calendar days it will count as rejected "
            "(Ley 39/2015, art. 43.2).",
            mapping={"url": portal_url, "days": EXPIRY_DAYS},
        ),
        target_language=language,
    )
    try:
        api.portal.send_email(recipient=email, subject=subject, body=body)
    except Exception as error:  # the mail server's refusal must not undo it
        logger.warning(
            "Notice of %s not sent: %s", "/".join(notificacion.getPhysicalPath()), error
        )
        record_evidence(notificacion, "aviso_no_enviado", actor=AUTOMATED_ACTOR)
        return False
    record_evidence(notificacion, "aviso_enviado", actor=AUTOMATED_ACTOR)
    return True
