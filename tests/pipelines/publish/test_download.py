"""Remote sources from a local HTTP server: 200, 404, 500, short body, checksum mismatch."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.pipelines.publish.util import add_dataset, cli, live_snapshot, polygons

BODY = polygons(3).encode()
NEW_BODY = polygons(4).encode()


class Handler(BaseHTTPRequestHandler):
    """Serves the test routes; ``server.body`` is what /data.geojson answers."""

    def do_GET(self) -> None:
        body: bytes = self.server.body  # type: ignore[attr-defined]
        if self.path == "/data.geojson":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/short.geojson":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[:100])
        elif self.path == "/etag.geojson":
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            self.server.requests.append(self.headers.get("If-None-Match"))  # type: ignore[attr-defined]
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/error.geojson":
            self.send_error(500, "Internal Server Error")
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    """A local HTTP server on 127.0.0.1 in a thread."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.body = BODY  # type: ignore[attr-defined]
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _remote(settings: Settings, server: ThreadingHTTPServer, path: str,
            sha: str | None = None) -> Settings:
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    extra = f"  url: {url}\n" + (f"  sha256: '{sha}'\n" if sha else "")
    add_dataset(settings, "fern", polygons(1), extra="outputs: [gpkg, csv]\n", source_extra=extra)
    return settings.model_copy(update={"source_mode": "remote"})


def _set_url(settings: Settings, server: ThreadingHTTPServer, path: str,
             sha: str | None = None) -> None:
    decl = settings.datasets_dir / "fern" / "dataset.yml"
    lines = [ln for ln in decl.read_text().splitlines() if not ln.startswith(("  url:",
                                                                               "  sha256:"))]
    text = "\n".join(lines) + "\n"
    extra = f"  url: http://127.0.0.1:{server.server_address[1]}{path}\n"
    if sha:
        extra += f"  sha256: '{sha}'\n"
    decl.write_text(text.replace("  format: GeoJSON\n", "  format: GeoJSON\n" + extra))


def test_download_publishes_and_checks_sha(settings: Settings,
                                           server: ThreadingHTTPServer) -> None:
    remote = _remote(settings, server, "/data.geojson", hashlib.sha256(BODY).hexdigest())
    [result] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert result.status == "published", result.message
    manifest = Store(remote.data_dir).live_manifest("fern")
    assert manifest is not None and manifest.feature_count == 3
    assert manifest.sources[0].name == "data.geojson"
    assert manifest.sources[0].sha256 == hashlib.sha256(BODY).hexdigest()
    sources = remote.data_dir / "sources" / "fern"
    assert (sources / "data.geojson").read_bytes() == BODY
    assert not list(sources.glob(".*.download"))
    # the same body again: unchanged; a new body: published
    [again] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert again.status == "unchanged"
    server.body = NEW_BODY  # type: ignore[attr-defined]
    _set_url(remote, server, "/data.geojson")
    [newer] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert newer.status == "published" and "4 written" in newer.message


@pytest.mark.parametrize(
    ("path", "sha", "words"),
    [
        ("/missing.geojson", None, ["HTTP 404", "missing.geojson"]),
        ("/error.geojson", None, ["HTTP 500", "error.geojson"]),
        ("/short.geojson", None, ["short download", "100 of", "short.geojson"]),
        ("/data.geojson", "0" * 64, ["SHA-256", "differs from the declared", "data.geojson"]),
    ],
)
def test_remote_errors_change_nothing(settings: Settings, server: ThreadingHTTPServer,
                                      path: str, sha: str | None, words: list[str]) -> None:
    remote = _remote(settings, server, "/data.geojson")
    [first] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert first.status == "published", first.message
    before = live_snapshot(remote, "fern")
    good_source = (remote.data_dir / "sources" / "fern" / "data.geojson").read_bytes()
    server.body = NEW_BODY  # type: ignore[attr-defined]
    _set_url(remote, server, path, sha)
    result = cli(remote, "refresh", "fern")
    assert result.returncode == 1
    text = " ".join(result.stderr.split())
    assert "✗ fern: failed" in text and "fern:" in text and "Traceback" not in text
    for word in words:
        assert word in text, f"{word!r} missing from {text}"
    assert live_snapshot(remote, "fern") == before
    sources = remote.data_dir / "sources" / "fern"
    assert not [p.name for p in sources.iterdir() if p.name.startswith(".") and
                not p.name.startswith((".checksums", ".remote.json"))]
    # a failed download never replaces the source of the same name
    assert (sources / "data.geojson").read_bytes() == good_source
    [folder] = (remote.data_dir / "quarantine" / "fern").iterdir()
    report = (folder / "error.txt").read_text()
    assert "url: http://127.0.0.1:" in report and words[0] in report
    kept = sorted(p.name for p in folder.iterdir())
    if path == "/short.geojson":
        assert kept == ["error.txt", "short.geojson"]
        assert (folder / "short.geojson").read_bytes() == NEW_BODY[:100]
    elif sha:
        assert (folder / "data.geojson").read_bytes() == NEW_BODY
    else:
        assert kept == ["error.txt"]


def test_unchanged_remote_is_not_downloaded_again(settings: Settings,
                                                  server: ThreadingHTTPServer) -> None:
    """The second refresh asks with If-None-Match, gets 304, and publishes nothing new."""
    remote = _remote(settings, server, "/etag.geojson")
    [first] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert first.status == "published", first.message
    [second] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert second.status == "unchanged"
    requests: list[str | None] = server.requests  # type: ignore[attr-defined]
    assert requests[0] is None and requests[1] is not None and requests[1].startswith('"')
    server.body = NEW_BODY  # type: ignore[attr-defined]
    [third] = run_many(load_all(remote.datasets_dir, ["fern"]), remote)
    assert third.status == "published"
    manifest = Store(remote.data_dir).live_manifest("fern")
    assert manifest is not None and manifest.feature_count == 4
