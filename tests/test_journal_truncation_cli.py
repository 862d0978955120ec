"""`paeria-instance journal-verify` and `make journal-verify` on a stopped
portal whose expedientes' chains were cut short, reordered or replaced
directly in the database (length and head set right, so that each chain's own
links hold): exit status 1 (make: 2, naming the command's 1) and the chain
named (issue 17, finding 4). `journal-seal` prints the global head to anchor."""

from tests.portal import created_instance
from tests.portal import instance_environment
from tests.portal import run
from tests.portal import run_instance
from tests.test_make_exit_status import make
import json
import os
import pytest
import re
import sys


TAMPER_SCRIPT = """
import json, os, uuid, transaction
from zope.component.hooks import setSite
from paeria.egov.journal import storage

site = app.Plone
setSite(site)
catalog = site.portal_catalog
brains = catalog.unrestrictedSearchResults(portal_type="Expediente")
uid = sorted(brain.UID for brain in brains)[int(os.environ["WHICH"])]
(brain,) = catalog.unrestrictedSearchResults(UID=uid)
chain = storage.group_chain(brain._unrestrictedGetObject(), uid)
last = chain.length - 1
how = os.environ["TAMPER"]
if how in ("remove-last", "remove-last-two"):
    count = 1 if how == "remove-last" else 2
    for index in range(chain.length - count, chain.length):
        del chain.entries[index]
    chain.length -= count
    kept = chain.entries.get(chain.length - 1)
    chain.head = kept.hash if kept is not None else storage.GENESIS
elif how == "reorder-last-two":
    first, second = chain.entries[last - 1], chain.entries[last]
    chain.entries[last - 1], chain.entries[last] = second, first
    second.index, first.index = last - 1, last
    chain.relink_from(last - 1)
elif how == "forge-last":
    original = chain.entries[last]
    forged = storage.Entry(dict(original.content, id=uuid.uuid4().hex, user="x"))
    forged.index = last
    chain.entries[last] = forged
    chain.relink_from(last)
if how != "reorder-last-two":  # (reordered: each entry's hashed chain_index tells)
    assert storage.verify_group_chain(chain)[1] is None  # its own links hold
transaction.commit()
print(json.dumps({"chain": uid, "length": chain.length}))
app._p_jar.db().close()
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A stopped FileStorage instance with the demo data (four expedientes)."""
    return created_instance(tmp_path_factory.mktemp("truncation"), DEMO=1)


def tamper(home, which, how):
    script = os.path.join(home, "tamper.py")
    with open(script, "w") as out:
        out.write(TAMPER_SCRIPT)
    zope_conf = os.path.join(home, "etc", "zope.conf")
    result = run(
        [sys.executable, "-m", "Zope2.utilities.zconsole", "run", zope_conf, script],
        env={**instance_environment(), "WHICH": str(which), "TAMPER": how},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])["chain"]


def test_journal_seal_prints_the_head_to_anchor(home):
    sealed = run_instance("journal-seal", home)
    assert sealed.returncode == 0, sealed.stderr
    anchored = re.search(
        r"Global chain: (\d+) entries, head ([0-9a-f]{64})\.", sealed.stdout
    )
    assert anchored, sealed.stdout
    verified = run_instance("journal-verify", home)
    assert verified.returncode == 0, verified.stderr
    assert f"{anchored[1]} entries, head {anchored[2]}." in verified.stdout


@pytest.mark.parametrize(
    ("which", "how"),
    [
        (0, "remove-last"),
        (1, "remove-last-two"),
        (2, "reorder-last-two"),
        (3, "forge-last"),
    ],
)
def test_each_tampered_chain_is_named(home, which, how):
    chain = tamper(home, which, how)
    verified = run_instance("journal-verify", home)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert f"BROKEN chain {chain} at entry " in verified.stderr
    # The global chain itself was not touched.
    assert "BROKEN chain global" not in verified.stderr


def test_make_journal_verify_names_every_chain(home):
    made = make("journal-verify", home)
    assert made.returncode == 2, made.stdout[-2000:] + made.stderr[-2000:]
    assert "paeria-instance journal-verify exited with status 1" in made.stderr
    assert len(set(re.findall(r"BROKEN chain ([0-9a-f]{32}) ", made.stderr))) == 4
