"""A caching proxy on a loopback port (port 0) that records the PURGE requests it receives,
as Varnish or nginx would take them from wagtail.contrib.frontend_cache's HTTPBackend.

    with PurgeRecorder() as cdn:      # cdn.url for FRONTEND_CACHE_URL
        ...
    cdn.purged                        # [(Host header, path), ...]
"""

import http.server
import threading


class PurgeRecorder(http.server.ThreadingHTTPServer):
    """A caching proxy on a loopback port that records the PURGE requests it receives."""

    def __init__(self):
        self.purged = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                recorder.purged.append((self.headers["Host"], self.path))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
