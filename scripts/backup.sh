#!/usr/bin/env bash
# Online backup and restore of a paeria.egov instance (`make backup`, `make restore`).
#
#   scripts/backup.sh backup  [--home DIR] [--backup-dir DIR] [--full]
#   scripts/backup.sh restore [--home DIR] [--backup-dir DIR] [--date yyyy-mm-dd-hh-mm-ss]
#                             [--dump FILE] [--force]
#
# The storage is chosen as the instance chooses it: RELSTORAGE_DSN set (or
# STORAGE=postgres, its default database) means RelStorage on that PostgreSQL
# database (pg_dump / pg_restore, blobs included, as they live in the
# database); otherwise the FileStorage in var/filestorage
# with its blobs in var/blobstorage (repozo, then the blob directory).
#
# Settings from the environment (the options above override them):
#   INSTANCE_HOME_DIR  the instance folder holding var/ (default: the current one)
#   BACKUP_DIR         where backups are kept (default: <home>/var/backups)
#   FULL=1             backup: force a full repozo backup instead of an incremental one
#   FORCE=1            restore: replace the data an instance already has
#   DATE=...           restore (FileStorage): the state as of this UTC time
#   DUMP=FILE          restore (RelStorage): this dump instead of the newest one
#
# Backups run while the portal serves requests; restores need it stopped.
# See docs/operations.md.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(dirname "$here")"

die() {
    echo "error: $*" >&2
    exit 2
}

say() {
    echo "$*"
}

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

now() {
    date +%s.%N
}

elapsed_since() {
    awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f", end - start }'
}

human_size() {
    du -sh "$1" 2>/dev/null | cut -f1
}

[[ $# -ge 1 ]] || usage
action="$1"
shift

home="${INSTANCE_HOME_DIR:-.}"
backup_dir="${BACKUP_DIR:-}"
full="${FULL:-0}"
force="${FORCE:-0}"
date_spec="${DATE:-}"
dump="${DUMP:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --home) home="${2:?--home needs a folder}"; shift 2 ;;
        --backup-dir) backup_dir="${2:?--backup-dir needs a folder}"; shift 2 ;;
        --full) full=1; shift ;;
        --force) force=1; shift ;;
        --date) date_spec="${2:?--date needs yyyy-mm-dd[-hh[-mm[-ss]]]}"; shift 2 ;;
        --dump) dump="${2:?--dump needs a file}"; shift 2 ;;
        -h|--help) usage 0 ;;
        *) die "unknown option $1 (see scripts/backup.sh --help)" ;;
    esac
done

case "$action" in
    backup|restore) ;;
    -h|--help) usage 0 ;;
    *) usage ;;
esac

if [[ "$action" == restore ]]; then
    # Restoring is how a new machine's instance gets its data.
    mkdir -p "$home" || die "cannot create the instance folder $home"
fi
[[ -d "$home" ]] || die "the instance folder $home does not exist"
home="$(cd "$home" && pwd)"
var="$home/var"
backup_dir="${backup_dir:-$var/backups}"
dsn="${RELSTORAGE_DSN:-}"
# STORAGE=postgres alone means the instance's default database (instance/config.py).
if [[ -z "$dsn" && "${STORAGE:-}" == postgres ]]; then
    dsn="host=127.0.0.1 port=5432 dbname=paeria user=postgres"
fi
truthy() { [[ "$1" =~ ^(1|yes|true|on)$ ]]; }

# repozo comes with ZODB, installed in the checkout's virtualenv.
find_repozo() {
    if [[ -x "$checkout/.venv/bin/repozo" ]]; then
        echo "$checkout/.venv/bin/repozo"
    elif command -v repozo >/dev/null; then
        command -v repozo
    else
        die "repozo (part of ZODB) is not installed: run \`make install\` first"
    fi
}

need() {
    command -v "$1" >/dev/null || die "$1 is not installed: $2"
}

# Copy a blob directory into another, keeping what the target already has:
# committed blob files never change (each revision is a new file), so copying
# only what is new is complete, and blobs a pack removed since stay available
# to restore an older repozo state.
copy_blobs() {
    local from="$1" to="$2"
    mkdir -p "$to"
    if command -v rsync >/dev/null; then
        rsync -a --exclude=/tmp/ "$from/" "$to/"
    else
        cp -a "$from/." "$to/" && rm -rf "$to/tmp"
    fi
}

# -- FileStorage ---------------------------------------------------------------

filestorage_backup() {
    local datafs="$var/filestorage/Data.fs" blobs="$var/blobstorage"
    local repository="$backup_dir/filestorage" blob_copy="$backup_dir/blobstorage"
    local repozo started mode args
    repozo="$(find_repozo)"
    [[ -f "$datafs" ]] || die "there is no database to back up: $datafs does not exist"
    mkdir -p "$repository" "$blob_copy" || die "cannot create $backup_dir"
    started="$(now)"
    # 1. Data.fs first. repozo opens it read-only (no lock: the portal keeps
    #    serving) and copies it up to the last committed transaction.
    mode="incremental (full when none can be made)"
    args=(-B -r "$repository" -f "$datafs")
    if truthy "$full"; then
        args+=(-F)
        mode="full"
    fi
    # repozo names its files by the second (UTC): a second backup within the
    # same second as the last one would share its name and, being sorted
    # before the .fs, be ignored by the restore. Wait for the next second.
    while compgen -G "$repository/$(date -u +%Y-%m-%d-%H-%M-%S).*" >/dev/null; do
        sleep 0.2
    done
    say "Backing up $datafs into $repository ($mode)…"
    "$repozo" "${args[@]}" || die "repozo could not back up $datafs"
    # 2. Blobs after: every blob the backed-up transactions refer to was
    #    committed before them, so it is in var/blobstorage now. The other
    #    order could miss the blobs of transactions committed in between.
    if [[ -d "$blobs" ]]; then
        say "Copying the blobs of $blobs into $blob_copy…"
        copy_blobs "$blobs" "$blob_copy" || die "could not copy the blobs into $blob_copy"
    fi
    say "Backup done in $(elapsed_since "$started") s: database $(human_size "$repository"), blobs $(human_size "$blob_copy"), in $backup_dir."
}

filestorage_restore() {
    local datafs="$var/filestorage/Data.fs" blobs="$var/blobstorage"
    local repository="$backup_dir/filestorage" blob_copy="$backup_dir/blobstorage"
    local repozo started
    repozo="$(find_repozo)"
    compgen -G "$repository/*.fs" >/dev/null \
        || die "no repozo backup in $repository: run \`make backup\` or set BACKUP_DIR"
    # A serving portal holds an exclusive lock on Data.fs.lock (zc.lockfile).
    if [[ -e "$datafs.lock" ]] && command -v flock >/dev/null \
        && ! flock -n "$datafs.lock" true; then
        die "the portal is running on $datafs: stop it before restoring"
    fi
    if [[ -e "$datafs" ]] || [[ -n "$(ls -A "$blobs" 2>/dev/null)" ]]; then
        truthy "$force" || die "$var already holds a database ($datafs, $blobs): \
restore into a fresh instance, or set FORCE=1 to replace it (stop the portal first)"
        say "FORCE=1: replacing the database in $var."
    fi
    started="$(now)"
    mkdir -p "$var/filestorage" "$blobs" || die "cannot create $var"
    rm -f "$datafs" "$datafs.index" "$datafs.tmp" "$datafs.lock"
    local args=(-R -w -r "$repository" -o "$datafs")
    [[ -n "$date_spec" ]] && args+=(-D "$date_spec")
    say "Restoring $datafs from $repository${date_spec:+ as of $date_spec UTC}…"
    "$repozo" "${args[@]}" || die "repozo could not restore from $repository"
    if [[ -d "$blob_copy" ]]; then
        say "Restoring the blobs into $blobs…"
        find "$blobs" -mindepth 1 -delete
        copy_blobs "$blob_copy" "$blobs" || die "could not copy the blobs into $blobs"
    fi
    say "Restore done in $(elapsed_since "$started") s: check it with \
\`make journal-verify check-consistency\` before \`make start\` (docs/operations.md)."
}

# -- RelStorage on PostgreSQL ---------------------------------------------------

relstorage_backup() {
    local target="$backup_dir/relstorage" file started
    need pg_dump "install the PostgreSQL client (same major version as the server or newer)"
    mkdir -p "$target" || die "cannot create $target"
    file="$target/paeria-$(date -u +%Y%m%dT%H%M%SZ).dump"
    started="$(now)"
    say "Dumping the RelStorage database into $file…"
    # One consistent snapshot (pg_dump reads in one repeatable-read
    # transaction), blob chunks included: the portal keeps serving.
    if ! pg_dump --format=custom --dbname="$dsn" --file="$file.partial"; then
        rm -f "$file.partial"
        die "pg_dump could not dump the database of RELSTORAGE_DSN"
    fi
    mv "$file.partial" "$file"
    say "Backup done in $(elapsed_since "$started") s: $(human_size "$file") in $file."
}

relstorage_restore() {
    local target="$backup_dir/relstorage" tables started
    need pg_restore "install the PostgreSQL client"
    need psql "install the PostgreSQL client"
    if [[ -z "$dump" ]]; then
        dump="$(ls -1 "$target"/paeria-*.dump 2>/dev/null | sort | tail -n 1 || true)"
        [[ -n "$dump" ]] || die "no dump in $target: run \`make backup\` or set BACKUP_DIR or DUMP"
    fi
    [[ -f "$dump" ]] || die "the dump $dump does not exist"
    tables="$(psql "$dsn" -XtAc \
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" \
        || die "cannot connect to PostgreSQL with RELSTORAGE_DSN (create the empty database first)"
    local clean=()
    if [[ "$tables" != "0" ]]; then
        truthy "$force" || die "the database of RELSTORAGE_DSN is not empty ($tables tables): \
restore into a new empty database, or set FORCE=1 to replace its content (stop the portal first)"
        say "FORCE=1: replacing the content of the database."
        clean=(--clean --if-exists)
    fi
    started="$(now)"
    say "Restoring $dump into the database of RELSTORAGE_DSN…"
    pg_restore --dbname="$dsn" --no-owner --no-privileges --exit-on-error \
        --single-transaction "${clean[@]}" "$dump" \
        || die "pg_restore could not restore $dump (nothing was changed)"
    # The local blob cache may hold blobs of the replaced database.
    if [[ -d "$var/blobcache" ]]; then
        find "$var/blobcache" -mindepth 1 -delete
    fi
    say "Restore done in $(elapsed_since "$started") s: check it with \
\`make journal-verify check-consistency\` before \`make start\` (docs/operations.md)."
}

if [[ -n "$dsn" ]]; then
    [[ -z "$date_spec" ]] || die "DATE chooses a repozo (FileStorage) state; \
with RelStorage choose the dump with DUMP=FILE"
    "relstorage_$action"
else
    "filestorage_$action"
fi
