"""The cluster's HAProxy: where it is installed and its configuration."""

from paeria.egov.instance.config import ConfigurationError
import os
import shutil


HEALTH_VIEW = "@@ok"
BACKEND = "zope"
# Health checks: a process that stops answering is out of the rotation after
# FALL failed checks (at most ~FALL * interval plus the check timeout); one
# that comes back is in again after RISE good ones.
CHECK_INTERVAL_MS = 2000
FALL = 2
RISE = 2


def find_haproxy():
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    search = os.pathsep.join(
        [os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/local/sbin"]
    )
    path = shutil.which("haproxy", path=search)
    if path is None:
        raise ConfigurationError(
            "HAProxy is not installed: `apt-get install haproxy` (Debian's "
            "package; the cluster runs its own HAProxy, not the system service)."
        )
    return path


#: haproxy.cfg; named substitutions: ``host`` and ``port`` (the balancer's),
#: ``socket_path`` (the admin socket), ``backend`` (its name), ``site`` and
#: ``health_view`` (the checked URL), ``check`` and ``observe`` (the health
#: checks), ``threads`` (requests at once per process) and ``servers``.
HAPROXY_CFG_TEMPLATE = """# Written by `paeria-instance cluster`; edit the environment.
global
    maxconn 4096
    stats socket {socket_path} mode 600 level admin
    # Requests under way get this long to finish when the cluster stops.
    hard-stop-after 30s
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 5m
    timeout server 5m
    timeout queue 2m
    timeout check 10s
    # A request that cannot reach its process goes to another one.
    retries 3
    option redispatch 1
    # ...and so does a read whose process died before answering (see the
    # backend: writes are never replayed).
    retry-on conn-failure empty-response

frontend portal
    bind {host}:{port}
    default_backend {backend}

backend {backend}
    balance leastconn
    # A write may have been committed by a process that died before answering:
    # replaying it could do it twice, so its client gets 502 instead.
    http-request disable-l7-retry unless METH_GET
    # Only the balancer's word counts (processes listen on 127.0.0.1).
    http-request set-header X-Forwarded-For %[src]
    option httpchk
    http-check send meth GET uri /{site}/{health_view} ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    # maxconn: no more requests at once than a process has threads; the rest
    # wait in HAProxy's queue, where a free process takes them. observe: a
    # process that refuses a connection (it died) is out at once, without
    # waiting for the checks; otherwise the least busy process, to which the
    # retries go, would be the dead one, which fails every request instantly.
    default-server {check} maxconn {threads} {observe}
{servers}
"""


def haproxy_config(settings, backends, socket_path):
    """HAProxy's configuration: ``backends`` (each with its ``name`` and
    ``settings``) behind ``settings``' host and port, health-checked, the admin
    socket at ``socket_path``."""
    interval = CHECK_INTERVAL_MS
    return HAPROXY_CFG_TEMPLATE.format(
        host=settings.host,
        port=settings.port,
        socket_path=socket_path,
        backend=BACKEND,
        site=settings.site_id,
        health_view=HEALTH_VIEW,
        check=(
            f"check inter {interval} fastinter {interval // 2} "
            f"downinter {interval} fall {FALL} rise {RISE}"
        ),
        observe="observe layer4 error-limit 1 on-error mark-down",
        threads=settings.threads,
        servers="\n".join(
            f"    server {b.name} 127.0.0.1:{b.settings.port}" for b in backends
        ),
    )
