"""What the citizen gets back after filing (:func:`receipt_summary`, which a
repeated submission with the same key gets again) and finding their entry again
for the receipt pages."""

from paeria.egov.registro.receipt import attached_documents
from paeria.egov.registro.receipt import receipt_of
from paeria.egov.sede.nif import current_citizen
from plone import api
from plone.uuid.interfaces import IUUID


def receipt_url(numero):
    return f"{api.portal.get().absolute_url()}/@@justificante?numero={numero}"


def confirmation_url(numero):
    return f"{api.portal.get().absolute_url()}/@@presentado?numero={numero}"


def receipt_summary(asiento, expediente):
    """What the citizen gets back: plain values only (it is also what a repeated
    submission with the same key returns)."""
    receipt = receipt_of(asiento)
    result = {
        "numero": asiento.numero,
        "fecha_presentacion": asiento.fecha_presentacion.isoformat(),
        "fecha_efectiva": asiento.fecha_efectiva.isoformat(),
        "csv": asiento.csv,
        "resumen": asiento.resumen,
        "justificante": {
            "download": receipt_url(asiento.numero),
            "csv": receipt.csv,
            "huella": receipt.huella,
        },
        "confirmation": confirmation_url(asiento.numero),
        "documents": [
            {
                "title": documento.Title(),
                "filename": documento.file.filename,
                "size": documento.file.getSize(),
                "huella": documento.huella,
            }
            for documento in attached_documents(asiento)
        ],
        "expediente": None,
    }
    if expediente is not None:
        result["expediente"] = {
            "@id": expediente.absolute_url(),
            "UID": IUUID(expediente),
            "numero": expediente.numero,
            "fecha_limite": expediente.fecha_limite.isoformat()
            if expediente.fecha_limite
            else None,
        }
    return result


def entry_of_citizen(numero):
    """The entry ``numero`` if the logged-in citizen is its interested party (or
    may see it anyway, as staff), else None: nobody learns of another's."""
    if not isinstance(numero, str) or not numero.strip():
        return None
    registro = api.portal.get().get("registro")
    if registro is None:
        return None
    asiento = registro.get(numero.strip().replace("/", "-").lower())
    if asiento is None or getattr(asiento, "portal_type", None) != "Asiento":
        return None
    if api.user.has_permission("View", obj=asiento):
        return asiento
    citizen = current_citizen()
    if citizen is None or citizen.nif is None:
        return None
    if (asiento.interesado_identifier or "").upper() != citizen.nif:
        return None
    return asiento
