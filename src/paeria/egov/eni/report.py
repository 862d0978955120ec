"""The dry run's report (:func:`paeria.egov.eni.importing.import_report`) in
the words of the unit's import form ("Check"): codes with their names, sizes
readable, fingerprints judged, procedures by title, problems in the reader's
language. What REST's ``dryRun`` answers, for staff to read before
importing."""

from paeria.egov import _
from paeria.egov.eni.problems import Problem
from paeria.egov.viewhelpers import readable_size
from paeria.egov.viewhelpers import term_title
from zope.i18n import translate


FINGERPRINT_VERDICTS = {
    "ok": _("eni_check_fingerprint_ok", default="matches"),
    # SHA-1 still matches, but proves less (docs/domain-model.md, "A weak
    # fingerprint"): staff should know before the portal relies on its own.
    "weak": _(
        "eni_check_fingerprint_weak",
        default="matches, but SHA-1 is weak: the portal relies on its own SHA-256",
    ),
}

FINGERPRINT_OVER = {
    "content": _("eni_check_over_content", default="over the content"),
    "document_xml": _(
        "eni_check_over_document_xml", default="over the whole enidoc:documento"
    ),
}


def translated_problems(problems, request) -> list[str]:
    """The problems of an ENI refusal or report in the language of
    ``request``; any that is not a :class:`Problem` is shown as it is."""
    return [
        translate(p.message(), context=request) if isinstance(p, Problem) else str(p)
        for p in problems
    ]


class ReportPresenter:
    """Rows for the template from a dry run's report (a dict)."""

    def __init__(self, report, request, procedures=()):
        self.report = report
        self.request = request
        self._procedures = {term.value: term.title for term in procedures}

    @property
    def importable(self):
        return bool(self.report["importable"])

    @property
    def problems(self):
        return translated_problems(self.report["problems"], self.request)

    @property
    def ignored(self):
        return list(self.report.get("ignored", ()))

    def documents(self):
        """The document of a single document's report (``document_report``)."""
        return [self._document(document) for document in self.report["documents"]]

    def signatures(self, types):
        return ", ".join(
            term_title("paeria.egov.TipoFirma", t, self.request) for t in types
        )

    def expedientes(self):
        return [self._expediente(item) for item in self.report["expedientes"]]

    def _expediente(self, item):
        earlier = item["imported_before"]
        procedure = item["procedimiento"]
        return {
            "identifier": item["identifier"],
            "entry": item["entry"] or "",
            "organos": ", ".join(item["organos"]),
            "classification": item["classification"] or "",
            # A UID the vocabulary does not list is still shown: never hidden.
            "procedure": self._procedures.get(procedure, procedure) or "",
            "earlier": earlier,
            "index_signatures": self.signatures(item["index_signatures"]),
            "documents": [self._document(document) for document in item["documents"]],
        }

    def _document(self, document):
        """A document's row; one read alone (no index) has no order and no
        index fingerprint."""
        code = document["tipo_documental"] or ""
        fingerprint = document.get("fingerprint")
        return {
            "order": document.get("order"),
            "identifier": document["identifier"],
            "type_code": code,
            "type": term_title("paeria.egov.TipoDocumental", code, self.request),
            "format": document["nombre_formato"] or "",
            "size": readable_size(document["size"]),
            "hash_function": document.get("hash_function") or "",
            "fingerprint": fingerprint,
            "verdict": FINGERPRINT_VERDICTS.get(fingerprint, ""),
            "over": FINGERPRINT_OVER.get(document.get("fingerprint_over"), ""),
            "signatures": self.signatures(document["signatures"]),
        }
