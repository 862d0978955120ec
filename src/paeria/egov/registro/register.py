"""The one code path that registers an entry or exit (Ley 39/2015 art. 16).

:func:`register_entry` is called by the counter form, the REST service and,
later, the citizen's online filing. It validates everything first and raises
:class:`RegistrationError` (every problem, by field) before anything is
created or a number taken; then it takes the next number of the series, creates
the Asiento and its documents and issues the receipt. A refused registration
stores nothing and consumes no number; an error after the number was taken
propagates, and the publisher aborts the transaction with the number in it.

Who may register is decided by the caller (the services and views are
protected by ``paeria.egov: Add Asiento``): the content is created without
checking the current user's add permissions, so that the online filing can
register on a citizen's behalf.
"""

from paeria.egov import _
from paeria.egov import clock
from paeria.egov.calendar.filing import effective_filing_datetime
from paeria.egov.clock import MADRID
from paeria.egov.content.asiento import ENTRADA
from paeria.egov.content.asiento import IAsiento
from paeria.egov.content.asiento import IRegisteredDocument
from paeria.egov.content.asiento import SALIDA
from paeria.egov.content.asiento import SERIES
from paeria.egov.content.documento import check_file
from paeria.egov.csvcodes import unused_csv
from paeria.egov.numbering import next_number
from paeria.egov.registro.receipt import issuer_name
from paeria.egov.registro.receipt import receipt_pdf
from paeria.egov.registro.receipt import receipt_title
from paeria.egov.registro.serialize import hold_register
from paeria.egov.settings.calendar import site_calendar
from paeria.egov.signing.sealing import seal_pdf
from paeria.egov.validators.codes import validate_dir3
from paeria.egov.validators.errors import InvalidIdentifier
from paeria.egov.validators.identifiers import guess_identifier_type
from paeria.egov.validators.identifiers import validate_identifier
from paeria.egov.validators.text import validate_plain_text
from paeria.egov.vocabularies.codes import CODE_LISTS
from paeria.egov.workflow.signing import add_automated_csv_signature
from paeria.egov.workflow.signing import add_automated_seal_signature
from plone import api
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.namedfile.file import NamedBlobFile
from zope.interface import alsoProvides
from zope.schema import ValidationError


REGISTRO_ID = "registro"
# The fields a client gives; everything else of an Asiento is computed.
GIVEN_FIELDS = (
    "tipo",
    "canal",
    "interesado_identifier_type",
    "interesado_identifier",
    "interesado_name",
    "resumen",
    "organo_origen",
    "organo_destino",
    "unidad_destino",
    "procedimiento",
)
COMPUTED_FIELDS = (
    "numero",
    "fecha_presentacion",
    "fecha_efectiva",
    "csv",
    "expediente",
    "justificante",
    "unidad_distribucion",
    "fecha_distribucion",
)
FILENAME_MAX_LENGTH = 255
# ENI document type of an attachment when the client names none.
DEFAULT_TIPO_DOCUMENTAL = {ENTRADA: "TD18", SALIDA: "TD06"}
RECEIPT_TIPO_DOCUMENTAL = "TD09"
RECEIPT_ID = "justificante"


class RegistrationError(ValueError):
    """A registration refused before anything was stored; ``errors`` maps each
    field at fault (``files[0]`` for the first file) to a translatable message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        self.message = _(
            "error_registration_refused",
            default="The entry was not registered; nothing was stored. "
            "Problems: ${fields}.",
            mapping={"fields": ", ".join(sorted(self.errors))},
        )
        super().__init__(self.message)


def format_register_number(series, year, number):
    """``E/AAAA/NNNNNN`` or ``S/AAAA/NNNNNN``."""
    return f"{series}/{int(year):04d}/{int(number):06d}"


# -- Validation ------------------------------------------------------------------


def _message(error):
    if isinstance(error, InvalidIdentifier):
        return error.args[0]
    if isinstance(error, ValidationError):
        return getattr(error, "message", None) or error.doc()
    return str(error)


MISSING = _("error_required_field", default="Required: this value must be given.")


def _text(data, key):
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(key)
    return value.strip() or None


def _brain(portal_type, uid):
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(portal_type=portal_type, UID=uid)
    return brains[0] if brains else None


def _refuse_not_given(data, errors):
    """Fields the register computes, and fields it does not know, are refused."""
    for key in data:
        if key in COMPUTED_FIELDS:
            errors[key] = _(
                "error_register_computed_field",
                default="This value is set by the register; it cannot be given.",
            )
        elif key not in GIVEN_FIELDS:
            errors[key] = _("error_register_unknown_field", default="Unknown field.")


def _texts(data, errors):
    """{given field: its text stripped, or None}; a value that is not text is
    refused and read as None."""
    texts = {}
    for key in GIVEN_FIELDS:
        try:
            texts[key] = _text(data, key)
        except ValueError:
            errors[key] = _("error_register_not_text", default="Must be text.")
            texts[key] = None
    return texts


def _series(given, tipo, errors):
    """The series (entrada, salida) the data names, or else ``tipo``."""
    if given is None or given == tipo:
        return tipo
    if given not in SERIES:
        errors["tipo"] = _(
            "error_register_tipo",
            default='Must be "entrada" or "salida".',
        )
        return tipo
    return given


def _required(texts, key, check, values, errors):
    """A required text checked by ``check`` (the Asiento's schema), which
    raises ValidationError."""
    value = texts[key]
    if value is None:
        errors[key] = MISSING
        return
    try:
        check(value)
        values[key] = value
    except ValidationError as error:
        errors[key] = _message(error)


def _interesado(texts, values, errors):
    """The interested party's identifier, and its type (guessed if not given)."""
    identifier = texts["interesado_identifier"]
    identifier_type = texts["interesado_identifier_type"]
    if identifier is None:
        errors["interesado_identifier"] = MISSING
        return
    if identifier_type is None:
        identifier_type = guess_identifier_type(identifier)
    try:
        IAsiento["interesado_identifier_type"].constraint(identifier_type)
    except ValidationError as error:
        errors["interesado_identifier_type"] = _message(error)
        return
    try:
        values["interesado_identifier"] = validate_identifier(
            identifier_type, identifier
        )
        values["interesado_identifier_type"] = identifier_type
    except InvalidIdentifier as error:
        errors["interesado_identifier"] = _message(error)


def _resumen(data, values, errors):
    resumen = data.get("resumen")
    if not isinstance(resumen, str) or not resumen.strip():
        # A value that is not text was refused as such already.
        errors.setdefault("resumen", MISSING)
        return
    try:
        IAsiento["resumen"].validate(resumen.strip())
        values["resumen"] = resumen.strip()
    except ValidationError as error:
        errors["resumen"] = _message(error)


def _organos(texts, values, errors):
    """The DIR3 codes of the bodies of origin and destination, when given."""
    for key in ("organo_origen", "organo_destino"):
        if texts[key] is not None:
            try:
                values[key] = validate_dir3(texts[key])
            except InvalidIdentifier as error:
                errors[key] = _message(error)


def _procedure(uid, values, errors):
    """The brain of the procedure named, or None."""
    if uid is None:
        return None
    procedure = _brain("Procedimiento", uid)
    if procedure is None:
        errors["procedimiento"] = _(
            "error_register_unknown_procedure",
            default="There is no procedure with this identifier.",
        )
    else:
        values["procedimiento"] = procedure.UID
    return procedure


def _unidad(uid, tipo, procedure, values, errors):
    """The brain of the unit the entry goes to (by default the procedure's
    responsible unit), or None; an entry must go to one."""
    if uid is None and procedure is not None:
        uid = procedure.responsible_unit
    if uid is not None:
        unidad = _brain("Unidad", uid)
        if unidad is None:
            errors["unidad_destino"] = _(
                "error_register_unknown_unit",
                default="There is no unit with this identifier.",
            )
        else:
            values["unidad_destino"] = unidad.UID
        return unidad
    if tipo == ENTRADA and "procedimiento" not in errors:
        errors["unidad_destino"] = _(
            "error_register_unit_required",
            default="Required: an entry goes to a unit (or name its procedure).",
        )
    return None


def _council_side(tipo, unidad, values, errors):
    """The council's own side of the entry defaults to the unit's body."""
    council = unidad.dir3_code if unidad is not None else None
    council = council or api.portal.get_registry_record(
        "paeria.egov.organo_dir3", default=None
    )
    own_side = "organo_destino" if tipo == ENTRADA else "organo_origen"
    if own_side not in values and own_side not in errors and council:
        values[own_side] = council


def _validate_fields(data, tipo, errors):
    """The given values of the Asiento, checked one field after the other;
    every problem goes to ``errors`` under its field."""
    _refuse_not_given(data, errors)
    texts = _texts(data, errors)
    tipo = _series(texts["tipo"], tipo, errors)
    values = {"tipo": tipo}
    _required(texts, "canal", IAsiento["canal"].constraint, values, errors)
    _interesado(texts, values, errors)
    _required(
        texts, "interesado_name", IAsiento["interesado_name"].validate, values, errors
    )
    _resumen(data, values, errors)
    _organos(texts, values, errors)
    procedure = _procedure(texts["procedimiento"], values, errors)
    unidad = _unidad(texts["unidad_destino"], tipo, procedure, values, errors)
    _council_side(tipo, unidad, values, errors)
    return values


def _as_named_file(item):
    if isinstance(item, NamedBlobFile):
        return item, {}
    if not isinstance(item, dict):
        raise ValueError
    data = item.get("data")
    # bytes, or a stream (a decoded upload, Zope's multipart upload) that
    # plone.namedfile copies into the blob by chunks.
    if not isinstance(data, bytes) and not hasattr(data, "read"):
        raise ValueError
    return (
        NamedBlobFile(
            data=data,
            filename=item.get("filename") or "",
            contentType=item.get("content_type") or "",
        ),
        item,
    )


def _validate_files(files, tipo, errors):
    prepared = []
    if files is not None and not isinstance(files, (list, tuple)):
        errors["files"] = _(
            "error_register_files_list", default="The files must be a list."
        )
        return prepared
    for position, item in enumerate(files or ()):
        key = f"files[{position}]"
        try:
            named, extra = _as_named_file(item)
        except ValueError:
            errors[key] = _(
                "error_register_file_shape",
                default="Each file needs its data, filename and content type.",
            )
            continue
        filename = (named.filename or "").strip()
        try:
            if not filename:
                raise ValidationError(
                    _("error_register_filename", default="The file has no name.")
                )
            validate_plain_text(filename, FILENAME_MAX_LENGTH)
            check_file(named)
            tipo_documental = (
                extra.get("tipo_documental") or (DEFAULT_TIPO_DOCUMENTAL[tipo])
            )
            codes = [code for code, title in CODE_LISTS["paeria.egov.TipoDocumental"]]
            if tipo_documental not in codes:
                raise ValidationError(
                    _(
                        "error_unknown_code",
                        default="${value} is not an accepted value: use one of "
                        "${codes}.",
                        mapping={
                            "value": str(tipo_documental)[:40],
                            "codes": ", ".join(codes),
                        },
                    )
                )
            title = (extra.get("title") or filename).strip()
            validate_plain_text(title, FILENAME_MAX_LENGTH)
        except (ValidationError, InvalidIdentifier) as error:
            errors[key] = _message(error)
            continue
        prepared.append(
            {"file": named, "title": title, "tipo_documental": tipo_documental}
        )
    return prepared


def validate_registration(data, files, tipo=ENTRADA):
    """(field values, prepared files) or RegistrationError with every problem."""
    errors = {}
    if tipo not in SERIES:
        raise ValueError(f"unknown register series {tipo!r}")
    if not isinstance(data, dict):
        raise RegistrationError(
            {
                "data": _(
                    "error_register_data",
                    default="The entry's data must be an object of fields.",
                )
            }
        )
    values = _validate_fields(data, tipo, errors)
    prepared = _validate_files(files, values["tipo"], errors)
    if errors:
        raise RegistrationError(errors)
    return values, prepared


# -- Registration ----------------------------------------------------------------


def registro_section():
    return api.portal.get()[REGISTRO_ID]


def _add_document(asiento, title, named_file, tipo_documental, origen, moment, **attrs):
    documento = createContent(
        "Documento",
        title=title,
        file=named_file,
        tipo_documental=tipo_documental,
        origen=origen,
        organo=asiento.organo_destino
        if asiento.tipo == ENTRADA
        else asiento.organo_origen,
        estado_elaboracion="EE01",
        fecha_captura=moment,
    )
    for name, value in attrs.items():
        setattr(documento, name, value)
    # Before it is added: its workflow chain (the entry's) is chosen on adding.
    alsoProvides(documento, IRegisteredDocument)
    return addContentToContainer(asiento, documento, checkConstraints=False)


def register_entry(data, files=(), tipo=ENTRADA):
    """Register an entry (or, with ``tipo="salida"``, an exit) and return it.

    ``data`` holds the fields of :data:`GIVEN_FIELDS`; ``files`` is a list of
    NamedBlobFile or of ``{"data": bytes or stream, "filename", "content_type",
    "tipo_documental"?, "title"?}``. Raises :class:`RegistrationError` when
    anything is wrong, before anything is stored.
    """
    values, prepared = validate_registration(data, files, tipo)
    tipo = values["tipo"]
    hold_register(api.portal.get()._p_jar)
    portal = api.portal.get()
    registro = registro_section()
    moment = clock.office_now()
    series = SERIES[tipo]
    number = next_number(portal, series, moment.year)
    numero = format_register_number(series, moment.year, number)
    effective = effective_filing_datetime(moment, site_calendar())

    asiento = createContent("Asiento", **values)
    asiento.id = numero.replace("/", "-").lower()
    asiento.numero = numero
    asiento.title = f"{numero} {values['resumen'][:80]}".strip()
    asiento.fecha_presentacion = moment
    asiento.fecha_efectiva = effective.astimezone(MADRID)
    asiento = addContentToContainer(registro, asiento, checkConstraints=False)

    origen = "ciudadano" if tipo == ENTRADA else "administracion"
    for position, item in enumerate(prepared, start=1):
        # Their capture date (ENI FechaCaptura) is the entry's effective date
        # (LPAC 31.2.b), the date the law holds they were filed on; the
        # receipt below is the portal's own, made at the presentation moment.
        _add_document(
            asiento,
            item["title"],
            item["file"],
            item["tipo_documental"],
            origen,
            asiento.fecha_efectiva,
            posicion_registro=position,
        )

    _add_receipt(asiento, moment)
    asiento.reindexObject()
    return asiento


def _add_receipt(asiento, moment):
    """The entry's receipt: issued by the portal itself, sealed by its CSV
    (TF01) and, when a seal is configured, by the council's seal (PAdES)."""
    csv = unused_csv()
    pdf, sealed = seal_pdf(receipt_pdf(asiento, csv))
    receipt = _add_document(
        asiento,
        receipt_title(asiento),
        NamedBlobFile(
            data=pdf,
            filename=f"justificante-{asiento.getId()}.pdf",
            contentType="application/pdf",
        ),
        RECEIPT_TIPO_DOCUMENTAL,
        "administracion",
        moment,
        id=RECEIPT_ID,
    )
    add_automated_csv_signature(receipt, csv, issuer_name())
    if sealed:
        add_automated_seal_signature(receipt, issuer_name())
    asiento.csv = csv
    asiento.justificante = receipt.getId()
