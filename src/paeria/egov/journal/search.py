"""Reading the journal: :func:`search` by :class:`Filters` (the Auditor's
view, the API and the CSV export), :func:`history` of one group and
:func:`entry_data`, an entry as they show it."""

from BTrees.LLBTree import intersection
from BTrees.LLBTree import LLTreeSet
from BTrees.LLBTree import multiunion
from dataclasses import dataclass
from datetime import datetime
from paeria.egov.journal import storage
from paeria.egov.journal.recording import physical_path
from paeria.egov.journal.recording import uid_of


def entry_data(entry, position=None, with_address=True):
    """An entry as the API, the views and the CSV show it."""
    content = entry.content
    data = {
        "id": content.get("id"),
        "when": content["when"].isoformat(),
        "when_madrid": content.get("when_madrid"),
        "user": content.get("user"),
        "action": content.get("action"),
        "details": content.get("details") or {},
        "uid": content.get("uid"),
        "path": content.get("path"),
        "portal_type": content.get("portal_type"),
        "title": content.get("title"),
        "chain": content.get("chain"),
        "chain_index": entry.index,
        "hash": entry.hash,
        "content_hash": entry.content_hash,
        "sealed": position is not None,
        "position": position,
    }
    if with_address:
        data["address"] = content.get("address")
    return data


def history(expediente):
    """The expediente's chain (or any group's), newest first."""
    chain = storage.group_chain(expediente, uid_of(expediente))
    if chain is None:
        return []
    return [chain.entries[index] for index in range(chain.length - 1, -1, -1)]


@dataclass
class Filters:
    """What the Auditor asks for; ``start`` and ``end`` are dates (inclusive)
    in Europe/Madrid."""

    user: str = None
    object: str = None
    action: str = None
    start: object = None
    end: object = None


class Results:
    """Matching entries, newest first: the unsealed ones (few: the sealer runs
    often), then the sealed ones from the global chain's indexes; entries are
    loaded only for the slice asked for."""

    def __init__(self, pending, positions, chain, check=None):
        self.pending = pending
        self.chain = chain
        if check is not None:
            positions = [
                position for position in positions if check(chain.links[position][0])
            ]
        self.positions = positions

    def __len__(self):
        return len(self.pending) + len(self.positions)

    def _item(self, index):
        if index < len(self.pending):
            return self.pending[index], None
        position = self.positions[index - len(self.pending)]
        return self.chain.links[position][0], position

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __iter__(self):
        for index in range(len(self)):
            yield self._item(index)


def _resolve_object(site, value):
    """(uid, path): a UID as given; a path resolved to its object's UID when
    it still exists, else kept to be matched against the stored paths."""
    value = value.strip()
    if not value.startswith("/"):
        return value, None
    site_path = physical_path(site)
    path = value.rstrip("/") or "/"
    if not (path == site_path or path.startswith(site_path + "/")):
        path = site_path + (path if path != "/" else "")
    try:
        obj = site.unrestrictedTraverse(path.lstrip("/").split("/", 1)[1])
    except Exception:
        # Not found, not traversable: match the stored paths instead.
        obj = None
    uid = uid_of(obj) if obj is not None and obj is not site else None
    if uid is not None:
        return uid, None
    return None, path


def search(site, filters):
    root = storage.journal_root(site)
    if root is None:
        return []
    uid, path = (None, None)
    if filters.object:
        uid, path = _resolve_object(site, filters.object)
    start = filters.start.isoformat() if filters.start else None
    end = filters.end.isoformat() if filters.end else None
    matches = _matcher(filters, uid, path, start, end)
    pending = sorted(
        (entry for _key, _position, entry in storage.unsealed(root) if matches(entry)),
        key=lambda entry: (entry.content["when"], entry.id),
        reverse=True,
    )
    chain = root.chain
    positions = _indexed_positions(chain, filters, uid, start, end)
    return Results(pending, positions, chain, check=matches if path else None)


def _matcher(filters, uid, path, start, end):
    """A predicate telling whether a journal entry passes every filter."""

    def matches(entry):
        content = entry.content
        if filters.user and content.get("user") != filters.user:
            return False
        if filters.action and content.get("action") != filters.action:
            return False
        if uid and uid not in (content.get("uid"), content.get("chain")):
            return False
        if path:
            stored = content.get("path") or ""
            if stored != path and not stored.startswith(path + "/"):
                return False
        day = (content.get("when_madrid") or "")[:10]
        if start and day < start:
            return False
        return not (end and day > end)

    return matches


def _indexed_positions(chain, filters, uid, start, end):
    """Positions in the sealed chain, newest first, that the chain's indexes
    select for the filters (all of them without filters; the path filter is
    not indexed and is checked entry by entry)."""
    sets = []
    if filters.user:
        sets.append(chain.by_user.get(filters.user) or LLTreeSet())
    if filters.action:
        sets.append(chain.by_action.get(filters.action) or LLTreeSet())
    if uid:
        sets.append(chain.by_uid.get(uid) or LLTreeSet())
    if start or end:
        days = list(chain.by_day.values(min=start, max=end))
        sets.append(multiunion(days) if days else LLTreeSet())
    if not sets:
        return range(chain.length - 1, -1, -1)
    selected = sets[0]
    for other in sets[1:]:
        selected = intersection(selected, other)
    return list(reversed(list(selected)))


def parse_day(value, name):
    """A YYYY-MM-DD filter value; ValueError naming the parameter otherwise."""
    if not value:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise ValueError(name)
