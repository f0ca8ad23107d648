"""A fake Hugging Face hub on 127.0.0.1 with just the endpoints huggingface_hub uses to download a repository.

- `GET /api/models/{repo}` and `/api/models/{repo}/revision/{rev}`: model info, with the commit `sha`.
- `GET /api/models/{repo}/tree/{rev}`: the file list, with git blob ids and, for large files, LFS sha256.
- `HEAD|GET /{repo}/resolve/{rev}/{path}`: the file, with the headers huggingface_hub reads (X-Repo-Commit,
  ETag, and for LFS files X-Linked-Etag, X-Linked-Size), and Range requests answered 206 with Content-Range.

LFS files are redirected (302) to a second listener on another port, as the real hub redirects them to a CDN
on another host: the client must follow the Location and must not send its token there. Errors carry the
hub's X-Error-Code header, so huggingface_hub raises the same exception types as against the real hub. A
gated repository answers 401 without a token and 403 for a token whose account has not accepted the terms;
an unknown token gets 401 "Invalid credentials". Faults on demand: cut a download mid-file (optionally
answering 503 for that file afterwards, until `restore()`), serve bytes that do not match the checksum, or
list a checksum or a commit id that is not one (a hostile hub's "../../file").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from testkit.quiet_http import QuietThreadingHTTPServer

LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx", ".gguf", ".model")
LFS_MIN_SIZE = 10 * 1024 * 1024  # the hub stores files of 10 MB and more in LFS


def git_blob_id(data: bytes) -> str:
    """The git object id of a file, which the hub reports as `oid` for non-LFS files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class HubFile:
    path: str
    data: bytes
    lfs: bool
    blob_id: str
    sha256: str

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.blob_id


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, HubFile]
    sha: str
    gated: bool = False
    granted: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Request:
    server: str  # "hub" or "cdn"
    method: str
    path: str
    range: str | None
    authorized: bool


@dataclass
class _Cut:
    after: int
    then_down: bool


class FakeHub:
    """Start with `with FakeHub() as hub:` (or start/stop); point HF_ENDPOINT at `hub.url`."""

    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.tokens: set[str] = set()  # tokens of known accounts; others get 401 "Invalid credentials"
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._cuts: dict[tuple[str, str], _Cut] = {}
        self._down: set[tuple[str, str]] = set()
        self._corrupt: set[tuple[str, str]] = set()
        self._listed: dict[
            tuple[str, str], str
        ] = {}  # checksums the file list shows instead of the real ones
        self._listed_commits: dict[str, str] = {}
        self._servers: list[QuietThreadingHTTPServer] = []
        self.url = ""
        self.cdn_url = ""

    # ------------------------------------------------------------------ setup

    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, bytes],
        *,
        gated: bool = False,
        granted: Iterable[str] = (),
    ) -> HubRepo:
        entries = {}
        for path, data in files.items():
            lfs = path.endswith(LFS_SUFFIXES) or len(data) >= LFS_MIN_SIZE
            entries[path] = HubFile(path, data, lfs, git_blob_id(data), hashlib.sha256(data).hexdigest())
        ids = b"".join(f.blob_id.encode() for f in entries.values())
        sha = hashlib.sha1(repo_id.encode() + ids).hexdigest()
        repo = HubRepo(repo_id, entries, sha, gated, set(granted))
        self.tokens.update(repo.granted)
        self.repos[repo_id] = repo
        return repo

    def add_folder(self, repo_id: str, folder: Path, **kwargs: object) -> HubRepo:
        """Every file under `folder` except dotfiles, at its relative path."""
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        }
        return self.add_repo(repo_id, files, **kwargs)  # type: ignore[arg-type]

    def cut(self, repo_id: str, path: str, after: int, then_down: bool = False) -> None:
        """The next GET of the file sends `after` bytes and drops the connection; with `then_down`, every
        later request for the file's content answers 503 until `restore()`."""
        self._cuts[(repo_id, path)] = _Cut(after, then_down)

    def corrupt(self, repo_id: str, path: str) -> None:
        """Serve the file with some bytes flipped: right size, wrong checksum."""
        self._corrupt.add((repo_id, path))

    def misreport(self, repo_id: str, path: str | None, value: str) -> None:
        """List `value` as the file's checksum (its LFS oid, or its git oid), or with `path` None, as the
        repository's commit in its model info; the files stay served under their real ids."""
        if path is None:
            self._listed_commits[repo_id] = value
        else:
            self._listed[(repo_id, path)] = value

    def restore(self) -> None:
        self._down.clear()
        self._corrupt.clear()

    def content_requests(self, path: str, since: int = 0) -> list[Request]:
        """GETs for the file's bytes (of its resolve URL, or of its CDN blob for an LFS file), from the
        `since`-th request on."""
        blobs = {f"/blobs/{repo.files[path].sha256}" for repo in self.repos.values() if path in repo.files}
        return [
            r
            for r in self.requests[since:]
            if r.method == "GET"
            and (r.path in blobs or ("/resolve/" in r.path and r.path.split("/", 5)[-1] == path))
        ]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeHub:
        hub = self._serve("hub")
        cdn = self._serve("cdn")
        self.url = f"http://127.0.0.1:{hub.server_address[1]}"
        self.cdn_url = f"http://127.0.0.1:{cdn.server_address[1]}"
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, role: str) -> QuietThreadingHTTPServer:
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        Handler.role = role
        server = QuietThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"fake-hub-{role}", daemon=True).start()
        self._servers.append(server)
        return server

    # ------------------------------------------------------------------ used by the handler

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _find_blob(self, sha256: str) -> tuple[HubRepo, HubFile] | None:
        for repo in self.repos.values():
            for f in repo.files.values():
                if f.lfs and f.sha256 == sha256:
                    return repo, f
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: FakeHub
    role: str

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    # ------------------------------------------------------------------ plumbing

    def _token(self) -> str | None:
        value = self.headers.get("Authorization", "")
        return value.removeprefix("Bearer ").strip() or None

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: object, headers: Mapping[str, str] | None = None) -> None:
        self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})

    def _error(
        self, status: int, code: str | None, message: str, extra: Mapping[str, str] | None = None
    ) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Message": message, **(extra or {})}
        if code:
            headers["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), headers)

    # ------------------------------------------------------------------ routes

    def do_HEAD(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def _route(self) -> None:
        raw_path = urlsplit(self.path).path
        token = self._token()
        self.hub._record(
            Request(self.role, self.command, unquote(raw_path), self.headers.get("Range"), token is not None)
        )
        if token is not None and token not in self.hub.tokens:
            self._error(401, None, "Invalid credentials in Authorization header")
            return
        segments = [unquote(s) for s in raw_path.strip("/").split("/")]
        if self.role == "cdn":
            self._cdn(segments)
        elif segments[:2] == ["api", "models"] and len(segments) >= 4:
            self._api(segments[2:])
        elif len(segments) >= 5 and segments[2] == "resolve":
            self._resolve("/".join(segments[:2]), segments[3], "/".join(segments[4:]), token)
        else:
            self._error(404, None, "Not found")

    def _repo(self, repo_id: str, revision: str) -> HubRepo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
            return None
        if revision not in ("main", repo.sha):
            self._error(404, "RevisionNotFound", "Invalid rev id: " + revision)
            return None
        return repo

    def _api(self, segments: list[str]) -> None:
        repo_id, tail = "/".join(segments[:2]), segments[2:]
        revision = tail[1] if len(tail) >= 2 and tail[0] in ("revision", "tree") else "main"
        repo = self._repo(repo_id, revision)
        if repo is None:
            return
        if tail and tail[0] == "tree":
            entries = []
            for f in repo.files.values():
                listed = self.hub._listed.get((repo.repo_id, f.path))
                oid = listed if listed is not None and not f.lfs else f.blob_id
                entry: dict[str, object] = {"type": "file", "oid": oid, "size": len(f.data)}
                entry["path"] = f.path
                if f.lfs:
                    lfs_oid = listed if listed is not None else f.sha256
                    entry["lfs"] = {"oid": lfs_oid, "size": len(f.data), "pointerSize": 134}
                entries.append(entry)
            self._json(entries)
            return
        self._json(
            {
                "_id": repo.sha[:24],
                "id": repo.repo_id,
                "modelId": repo.repo_id,
                "sha": self.hub._listed_commits.get(repo.repo_id, repo.sha),
                "private": False,
                "disabled": False,
                "gated": "manual" if repo.gated else False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "lastModified": "2025-01-01T00:00:00.000Z",
                "siblings": [{"rfilename": path} for path in repo.files],
            }
        )

    def _resolve(self, repo_id: str, revision: str, path: str, token: str | None) -> None:
        repo = self._repo(repo_id, revision)
        if repo is None:
            return
        if repo.gated and token is None:
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            self._error(401, "GatedRepo", message)
            return
        if repo.gated and token not in repo.granted:
            message = (
                f"Access to model {repo_id} is restricted and you are not in the authorized list. "
                f"Visit https://huggingface.co/{repo_id} to ask for access."
            )
            self._error(403, "GatedRepo", message)
            return
        hub_file = repo.files.get(path)
        if hub_file is None:
            commit = {"X-Repo-Commit": repo.sha}
            self._error(404, "EntryNotFound", f"{path} does not exist on {revision}", commit)
            return
        headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{hub_file.etag}"'}
        if hub_file.lfs:
            headers.update(
                {
                    "Location": f"{self.hub.cdn_url}/blobs/{hub_file.sha256}",
                    "X-Linked-Etag": f'"{hub_file.sha256}"',
                    "X-Linked-Size": str(len(hub_file.data)),
                }
            )
            self._send(302, b"", headers)
            return
        self._content(repo, hub_file, headers)

    def _cdn(self, segments: list[str]) -> None:
        found = self.hub._find_blob(segments[1]) if len(segments) == 2 and segments[0] == "blobs" else None
        if found is None:
            self._error(404, None, "Not found")
            return
        repo, hub_file = found
        self._content(repo, hub_file, {"ETag": f'"{hub_file.sha256}"'})

    def _content(self, repo: HubRepo, hub_file: HubFile, headers: dict[str, str]) -> None:
        key = (repo.repo_id, hub_file.path)
        if key in self.hub._down:
            self._error(503, None, "Service Unavailable")
            return
        data = hub_file.data
        if key in self.hub._corrupt:
            middle = len(data) // 2
            data = data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :]
        start, end = 0, len(data) - 1
        status = 200
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes="):
            first, _, last = wanted.removeprefix("bytes=").partition("-")
            start = int(first or 0)
            end = min(int(last), len(data) - 1) if last else len(data) - 1
            if start >= len(data):
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        self.send_response(status)
        for name, value in {
            **headers,
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(end - start + 1),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        cut = self.hub._cuts.pop(key, None) if self.command == "GET" else None
        if cut is not None and start < cut.after <= end:
            self.wfile.write(data[start : cut.after])
            self.wfile.flush()
            if cut.then_down:
                self.hub._down.add(key)
            # Drop the connection with the body unfinished: the client sees fewer bytes than Content-Length.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data[start : end + 1])
