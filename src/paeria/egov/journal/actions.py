"""The journal's actions: each one's id (stored in its entries, so never
renamed) and its label, in one table.

docs/journal.md lists the same actions ("What is journalled");
``tests/test_journal.TestActionTable`` checks both ways that the table and
that list agree.
"""

from dataclasses import dataclass
from paeria.egov import _
from zope.i18nmessageid import Message


CREATED = "created"
MODIFIED = "modified"
TRANSITION = "transition"
LOCAL_ROLES = "local_roles"
MOVED = "moved"
RENAMED = "renamed"
REMOVED = "removed"
DOWNLOAD = "download"
VIEW_CONTENT = "view_content"
ENI_EXPORT = "eni_export"
ENI_IMPORT = "eni_import"
# Who handles an expediente changed (expedientes/assignment.py).
ASSIGNED = "assigned"
# A file that no longer matches its fingerprint was refused (integrity/).
INTEGRITY_FAILURE = "integrity_failure"
# A certificate signature (signing/), and a signing key locked by wrong PINs.
SIGNED = "signed"
SIGNING_KEY_LOCKED = "signing_key_locked"


@dataclass(frozen=True)
class Action:
    id: str
    label: Message


TABLE = (
    Action(CREATED, _("journal_action_created", default="Created")),
    Action(MODIFIED, _("journal_action_modified", default="Modified")),
    Action(TRANSITION, _("journal_action_transition", default="Workflow transition")),
    Action(LOCAL_ROLES, _("journal_action_local_roles", default="Sharing changed")),
    Action(MOVED, _("journal_action_moved", default="Moved")),
    Action(RENAMED, _("journal_action_renamed", default="Renamed")),
    Action(REMOVED, _("journal_action_removed", default="Deleted")),
    Action(DOWNLOAD, _("journal_action_download", default="Downloaded")),
    Action(VIEW_CONTENT, _("journal_action_view_content", default="Content viewed")),
    Action(ENI_EXPORT, _("journal_action_eni_export", default="ENI export")),
    Action(ENI_IMPORT, _("journal_action_eni_import", default="ENI import")),
    Action(ASSIGNED, _("journal_action_assigned", default="Reassigned")),
    Action(
        INTEGRITY_FAILURE,
        _("journal_action_integrity_failure", default="Integrity check failed"),
    ),
    Action(SIGNED, _("journal_action_signed", default="Signed with a certificate")),
    Action(
        SIGNING_KEY_LOCKED,
        _("journal_action_signing_key_locked", default="Signing key locked"),
    ),
)

# The ids, in the table's order (the filters' choices).
ACTIONS = tuple(action.id for action in TABLE)
LABELS = {action.id: action.label for action in TABLE}
