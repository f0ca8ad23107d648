"""A threading HTTP server for test fakes that stays quiet when a client hangs up mid-request.

The standard server prints a traceback to stderr for every connection a client resets. A command under
test that gives up on a download (a 404, a refused pin) may close its connection early, and that traceback
would land in the stderr a test reads for the command's own one-line error.
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset, aborted, broken pipe: the client left
            return
        super().handle_error(request, client_address)
