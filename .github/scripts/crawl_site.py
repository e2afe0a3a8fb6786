"""Crawl a built site's internal links and anchors with linkchecker; exit non-zero when one is broken.

    python .github/scripts/crawl_site.py SITE_DIR [EXTRA LINKCHECKER ARGS ...]

Used by ``make crawl-site`` (and so ``make links-site``).  The site is served on 127.0.0.1 on a free
port for the length of the crawl rather than opened as ``file://``: MkDocs links pages as folders
(``../tags/#tag-x``), and linkchecker 10 skips the anchor check for a folder URL ("AnchorCheck does not
support anchors for directories"), so over ``file://`` a broken anchor would pass.  Every URL outside
the local server is only syntax-checked (``--ignore-url``): no external host is contacted.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "linkcheckerrc"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # linkchecker throttles every host to `maxrequestspersecond` (10 by default) and lifts the
        # limit to the configured value only for a server that sends this header.
        self.send_header("LinkChecker", "openshelf-crawl")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # `format`: the base class's parameter name
        pass


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    site = Path(argv[0])
    if not (site / "index.html").is_file():
        print(f"crawl_site: {site}/index.html not found; build the site first (make site)", file=sys.stderr)
        return 2
    handler = functools.partial(QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{server.server_address[1]}/"
        linkchecker = Path(sys.executable).with_name("linkchecker")
        cmd = [str(linkchecker) if linkchecker.exists() else "linkchecker",
               "--config", str(CONFIG), "--no-status",
               "--ignore-url", f"^(?!{re.escape(root)})",  # everything not on the local server: syntax only
               *argv[1:], root]
        print("crawl_site:", " ".join(cmd), file=sys.stderr, flush=True)
        try:
            code = subprocess.call(cmd)
        finally:
            server.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
