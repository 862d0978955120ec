"""Uploads measured from outside: the server's resident memory around one
request, and big JSON bodies made chunk by chunk (never whole in the client's
memory). Used by tests/test_upload_memory.py and bench/upload_memory.py."""

from pathlib import Path
import base64
import json
import os
import socket
import threading
import time


MB = 1024 * 1024
# Random bytes after a PDF header: the file sniffing accepts it as a PDF,
# and no text extractor finds text in it (what is measured is the upload).
PDF_HEADER = b"%PDF-1.4\n"
RAW_CHUNK = 3 * 256 * 1024  # a multiple of 3: each chunk encodes on its own


def status_kb(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class PeakMemory:
    """The growth of a process's resident memory during a block: the peak
    (VmHWM, reset at the start by writing 5 to clear_refs; or VmRSS sampled
    every 10 ms where that is not allowed) minus VmRSS at the start."""

    def __init__(self, pid):
        self.pid = pid
        self.growth_mb = None

    def __enter__(self):
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.sampler = None
        except OSError:
            self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.baseline = status_kb(self.pid, "VmRSS")
        self.peak = self.baseline
        self.running = True
        if self.sampler is not None:
            self.sampler.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, status_kb(self.pid, "VmRSS"))
            time.sleep(0.01)

    def __exit__(self, *exc_info):
        self.running = False
        if self.sampler is None:
            self.peak = status_kb(self.pid, "VmHWM")
        else:
            self.sampler.join()
        self.growth_mb = (self.peak - self.baseline) / 1024


def _random_chunks(size):
    """``size`` bytes: the PDF header, then random bytes, chunk by chunk."""
    yield PDF_HEADER
    left = size - len(PDF_HEADER)
    while left > 0:
        chunk = os.urandom(min(RAW_CHUNK, left))
        left -= len(chunk)
        yield chunk


def _base64_chunks(size):
    pending = b""
    for chunk in _random_chunks(size):
        pending += chunk
        cut = len(pending) - len(pending) % 3
        yield base64.b64encode(pending[:cut])
        pending = pending[cut:]
    yield base64.b64encode(pending)


def base64_length(size):
    return (size + 2) // 3 * 4


class JsonUpload:
    """A JSON body whose file objects' data is ``size`` random bytes in
    base64, produced chunk by chunk: ``fields`` around them, the files at
    ``path`` (a list of keys: ``["files"]`` makes ``{"files": [file, …]}``,
    ``["file"]`` with one size makes ``{"file": file}``, ``["documentos",
    "dni"]`` makes ``{"documentos": {"dni": file}}``)."""

    def __init__(self, fields, path, sizes, filename="documento.pdf"):
        self.sizes = sizes
        self.parts = []  # bytes, or a size to encode
        template = {
            "encoding": "base64",
            "filename": filename,
            "content-type": "application/pdf",
            "data": "\x00",
        }
        file_json = json.dumps(template).encode()
        before, after = file_json.split(b'"\\u0000"')
        files = []
        for size in sizes:
            files += [before + b'"', size, b'"' + after]
        as_list = path[-1] == "files"
        inner = [b"[", *_joined(files, 3), b"]"] if as_list else files
        body = dict(fields)
        marker = "\x01files\x01"
        node = body
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = marker
        head, tail = json.dumps(body).encode().split(b'"\\u0001files\\u0001"')
        self.parts = [head, *inner, tail]

    def __len__(self):
        return sum(
            base64_length(part) if isinstance(part, int) else len(part)
            for part in self.parts
        )

    def __iter__(self):
        for part in self.parts:
            if isinstance(part, int):
                yield from _base64_chunks(part)
            else:
                yield part


def _joined(parts, group):
    """``parts`` in groups of ``group`` separated by commas."""
    joined = []
    for start in range(0, len(parts), group):
        if start:
            joined.append(b",")
        joined += parts[start : start + group]
    return joined


def declared_only(port, path, length, auth_header, timeout=20):
    """Send headers declaring a ``length`` body and two bytes of it; return
    (status line, seconds until the answer) or (None, seconds) when the
    server waited for the rest."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: {auth_header}\r\nAccept: application/json\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {length}\r\n\r\n{{}}"
            ).encode()
        )
        try:
            answer = sock.recv(4096)
        except TimeoutError:
            return None, time.monotonic() - started
    status = answer.split(b"\r\n", 1)[0].decode() if answer else None
    return status, time.monotonic() - started
