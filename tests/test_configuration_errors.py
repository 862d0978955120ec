"""Bad configuration: one readable line and exit status 2, never a traceback."""

from tests.portal import run_instance
import socket


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def test_wrong_dsn(tmp_path):
    result = run_instance(
        "configure",
        tmp_path,
        RELSTORAGE_DSN="host=127.0.0.1 port=1 dbname=nowhere connect_timeout=3",
    )
    assert_one_line_error(result, "Cannot connect to PostgreSQL with RELSTORAGE_DSN")
    assert not (tmp_path / "etc" / "zope.conf").exists()


def test_malformed_dsn(tmp_path):
    result = run_instance("configure", tmp_path, RELSTORAGE_DSN="this is = not a dsn")
    assert_one_line_error(result, "RELSTORAGE_DSN")


def test_port_already_in_use(tmp_path):
    assert run_instance("configure", tmp_path, PORT=8999).returncode == 0
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        result = run_instance("serve", tmp_path, PORT=port)
    assert_one_line_error(result, f"Port {port}", "already in use")


def test_unwritable_var_directory(tmp_path):
    # A file where var/ should be cannot be written into, even by root.
    (tmp_path / "var").write_text("not a directory")
    result = run_instance("configure", tmp_path)
    assert_one_line_error(result, "is not writable", str(tmp_path / "var"))


def test_invalid_port_value(tmp_path):
    result = run_instance("configure", tmp_path, PORT="eighty")
    assert_one_line_error(result, "PORT must be a number")


def test_serve_before_configure(tmp_path):
    result = run_instance("serve", tmp_path)
    assert_one_line_error(result, "does not exist", "make start")
