"""Events the features notify about what they did, for whoever listens.

Below every feature (a shared helper), so that a feature notifies and the
journal (journal/subscribers.py) subscribes without either importing the
other. Each is an object event: subscribers are registered for (the object's
interface, the event's interface), e.g. ``(IJournalled, IEniExported)``. They
are notified only once the thing is done (a refusal notifies nothing), inside
the transaction that did it.
"""

from zope.interface import Attribute
from zope.interface import implementer
from zope.interface.interfaces import IObjectEvent
from zope.interface.interfaces import ObjectEvent


class IEniExported(IObjectEvent):
    """An ENI file of ``object`` was handed out (``@@eni-download``,
    ``GET @eni``)."""

    kind = Attribute("documento, intercambio or standard")


class IEniImported(IObjectEvent):
    """``object`` was created from an ENI file (``@@eni-import``,
    ``POST @eni-import``)."""

    kind = Attribute("expediente or documento")
    details = Attribute(
        "What the journal should know besides: weak_fingerprints (the "
        "documents the sender fingerprinted with a weak function), again_of "
        "(the UID of an earlier import of the same expediente)"
    )


class IFileDownloaded(IObjectEvent):
    """The file in ``field`` of ``object`` was handed out by one of the
    portal's own doors (Plone's ``@@download`` fires no event: the journal
    watches it itself)."""

    field = Attribute("The name of the file field")
    via = Attribute("The door: csv (verification), notificacion")


class ITramitadorAssigned(IObjectEvent):
    """``object`` (an expediente) was given to another tramitador
    (``@asignar``, ``@@asignar``)."""

    previous = Attribute("The user id who handled it, or None")
    assigned = Attribute("The user id who handles it now")


class ILocalRolesSetByCode(IObjectEvent):
    """Code (not the sharing view, which has its own event) set local roles
    on ``object``."""

    reason = Attribute("Why: solicitud_informe, presentacion_electronica…")


@implementer(IEniExported)
class EniExported(ObjectEvent):
    def __init__(self, object, kind):
        super().__init__(object)
        self.kind = kind


@implementer(IEniImported)
class EniImported(ObjectEvent):
    def __init__(self, object, kind, **details):
        super().__init__(object)
        self.kind = kind
        self.details = details


@implementer(IFileDownloaded)
class FileDownloaded(ObjectEvent):
    def __init__(self, object, field, via):
        super().__init__(object)
        self.field = field
        self.via = via


@implementer(ITramitadorAssigned)
class TramitadorAssigned(ObjectEvent):
    def __init__(self, object, previous, assigned):
        super().__init__(object)
        self.previous = previous
        self.assigned = assigned


@implementer(ILocalRolesSetByCode)
class LocalRolesSetByCode(ObjectEvent):
    def __init__(self, object, reason):
        super().__init__(object)
        self.reason = reason


class IDocumentSigned(IObjectEvent):
    """``object`` (a document) was signed with a certificate (``@firmar``,
    the "pending my signature" form)."""

    details = Attribute(
        "signature_type (TF06 PAdES, TF04 CAdES), signer_nif, huella (the "
        "signed file's fingerprint)"
    )


class ISigningKeyLocked(IObjectEvent):
    """A user's signing key was locked after three wrong PINs; ``object`` is
    the first document they were signing (or ``/unidades`` when none was
    found). Never carries the PIN."""

    user_id = Attribute("whose key")
    locked_until = Attribute("the end of the lock, ISO 8601")


@implementer(IDocumentSigned)
class DocumentSigned(ObjectEvent):
    def __init__(self, object, **details):
        super().__init__(object)
        self.details = details


@implementer(ISigningKeyLocked)
class SigningKeyLocked(ObjectEvent):
    def __init__(self, object, user_id, locked_until):
        super().__init__(object)
        self.user_id = user_id
        self.locked_until = locked_until
