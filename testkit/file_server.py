"""A file server on 127.0.0.1, plain http or https, with redirects: where a download command fetches from in
tests, as it would from a web server.

With `tls=True` it serves https with a self-signed certificate for 127.0.0.1, written to `cert_file`: a
client trusts it when SSL_CERT_FILE points at that file (httpx reads it), so nothing is switched off in the
code under test. Every request is recorded, so a test can tell that nothing was fetched.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from testkit.quiet_http import QuietThreadingHTTPServer


class FileServer:
    """`with FileServer({"/a.pt": data}, tls=True) as server:`, then fetch server.url + "/a.pt"."""

    def __init__(self, files: Mapping[str, bytes] | None = None, *, tls: bool = False) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        self.redirects: dict[str, str] = {}  # path -> Location, answered 302
        self.requests: list[str] = []  # the paths asked for, in order
        self.tls = tls
        self.cert_file: Path | None = None
        self.url = ""
        self._server: QuietThreadingHTTPServer | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]

    def start(self) -> FileServer:
        served = self

        class Handler(_Handler):
            server_of = served

        server = QuietThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if self.tls:
            self._folder = tempfile.TemporaryDirectory(prefix="file-server-")
            self.cert_file, key_file = _self_signed(Path(self._folder.name))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert_file, key_file)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, name="file-server", daemon=True).start()
        self._server = server
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_of: FileServer

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        served = self.server_of
        served.requests.append(path)
        if path in served.redirects:
            self._send(302, b"", {"Location": served.redirects[path]})
        elif path in served.files:
            self._send(200, served.files[path], {"Content-Type": "application/octet-stream"})
        else:
            self._send(404, b"not found", {"Content-Type": "text/plain"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


_KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)

# An authority's usages: it signs (its handshake and its own certificate), nothing else.
_AUTHORITY_USAGES = ("digital_signature", "key_cert_sign")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority, and its key, as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            # An authority's usages: it signs (its handshake and its own certificate), nothing else.
            x509.KeyUsage(
                **{usage: usage in ("digital_signature", "key_cert_sign") for usage in _KEY_USAGES}
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file
