"""STORAGE chooses the storage; RELSTORAGE_DSN alone keeps meaning PostgreSQL;
what cannot work is refused in one readable line (the cluster's too)."""

from paeria.egov.instance import cluster
from paeria.egov.instance import haproxy
from paeria.egov.instance.config import ConfigurationError
from paeria.egov.instance.config import DEFAULT_POSTGRES_DSN
from paeria.egov.instance.config import InstanceSettings
from paeria.egov.instance.config import storage_section
from tests.portal import run_instance
from tests.test_configuration_errors import assert_one_line_error
import pytest


def settings(tmp_path, **environ):
    return InstanceSettings.from_environment(tmp_path, environ)


@pytest.mark.parametrize(
    "environ, dsn",
    [
        ({}, ""),
        ({"STORAGE": "filestorage"}, ""),
        ({"STORAGE": "postgres"}, DEFAULT_POSTGRES_DSN),
        ({"STORAGE": " Postgres "}, DEFAULT_POSTGRES_DSN),
        ({"STORAGE": "postgres", "RELSTORAGE_DSN": "dbname=other"}, "dbname=other"),
        ({"RELSTORAGE_DSN": "dbname=other"}, "dbname=other"),
    ],
)
def test_storage_chosen_by_the_environment(tmp_path, environ, dsn):
    chosen = settings(tmp_path, **environ)
    assert chosen.relstorage_dsn == dsn
    assert chosen.storage == ("relstorage" if dsn else "filestorage")
    assert chosen.relstorage_dsn_is_default == (dsn == DEFAULT_POSTGRES_DSN)


def test_postgres_with_a_persistent_cache_per_instance(tmp_path):
    section = storage_section(settings(tmp_path, STORAGE="postgres"))
    assert f"dsn {DEFAULT_POSTGRES_DSN}" in section
    assert "shared-blob-dir false" in section
    assert f"blob-dir {tmp_path.resolve()}/var/blobcache" in section
    assert f"cache-local-dir {tmp_path.resolve()}/var/relstorage-cache" in section
    assert "cache-local-mb 256" in section
    tuned = storage_section(
        settings(tmp_path, STORAGE="postgres", **{"RELSTORAGE_CACHE_MB": "1024"})
    )
    assert "cache-local-mb 1024" in tuned


def test_bad_storage_value(tmp_path):
    result = run_instance("configure", tmp_path, STORAGE="mysql")
    assert_one_line_error(result, "STORAGE must be 'filestorage'", "'mysql'")
    assert not (tmp_path / "etc" / "zope.conf").exists()


def test_filestorage_and_a_dsn_contradict_each_other(tmp_path):
    result = run_instance(
        "configure", tmp_path, STORAGE="filestorage", RELSTORAGE_DSN="dbname=x"
    )
    assert_one_line_error(result, "STORAGE=filestorage and RELSTORAGE_DSN")


def test_bad_cache_size(tmp_path):
    result = run_instance("configure", tmp_path, RELSTORAGE_CACHE_MB="lots")
    assert_one_line_error(result, "RELSTORAGE_CACHE_MB must be a number")


def test_default_dsn_unreachable_says_how_to_create_the_database(tmp_path):
    from dataclasses import replace
    from paeria.egov.instance.prepare import check_database

    default = settings(tmp_path, STORAGE="postgres")
    # The default DSN, its server unreachable (a closed port), whatever this
    # machine's PostgreSQL holds.
    unreachable = replace(
        default, relstorage_dsn=DEFAULT_POSTGRES_DSN.replace("5432", "1")
    )
    with pytest.raises(ConfigurationError) as refused:
        check_database(unreachable)
    assert "STORAGE=postgres's default DSN" in str(refused.value)
    assert "createdb -h 127.0.0.1 -U postgres paeria" in str(refused.value)


def test_cluster_refuses_filestorage(tmp_path):
    result = run_instance("cluster", tmp_path)
    assert_one_line_error(result, "A cluster needs the database in PostgreSQL")
    assert not (tmp_path / "var" / "cluster").exists()


def test_cluster_without_haproxy(tmp_path, monkeypatch):
    monkeypatch.setattr(haproxy.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(ConfigurationError, match="apt-get install haproxy"):
        haproxy.find_haproxy()


@pytest.mark.parametrize("processes", [0, -1, 65])
def test_cluster_process_count(tmp_path, processes):
    with pytest.raises(ConfigurationError, match="number of processes N"):
        cluster.Cluster(settings(tmp_path, STORAGE="postgres"), processes)


def test_cluster_ports_and_homes(tmp_path):
    planned = cluster.Cluster(settings(tmp_path, STORAGE="postgres", PORT="9000"), 3)
    assert [b.settings.port for b in planned.backends] == [9001, 9002, 9003]
    assert [b.settings.home for b in planned.backends] == [
        tmp_path.resolve() / "var" / "cluster" / f"node-{port}"
        for port in (9001, 9002, 9003)
    ]
    assert {b.settings.host for b in planned.backends} == {"127.0.0.1"}
    with pytest.raises(ConfigurationError, match="lower PORT"):
        cluster.Cluster(settings(tmp_path, STORAGE="postgres", PORT="65534"), 2)
