"""URL normalisation: the form in which two addresses of the same resource compare equal.

A small pure function on :mod:`urllib.parse`; the README says why no library fit the rules.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: Query parameters that only track where a click came from; they never change the resource.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "spm", "isappinstalled", "share_token", "from_source",
})
_WECHAT_FROM = frozenset({"singlemessage", "groupmessage", "timeline"})


def normalise_url(url: str) -> str:
    """The form in which two URLs of the same resource compare equal.

    Scheme and host case, http vs https, default ports, IDN hosts (Unicode or punycode), a
    trailing slash, the fragment, the order of query parameters and tracking parameters
    (``utm_*``, ``fbclid``, ``spm``, WeChat's ``from=singlemessage`` …) are ignored; the path's
    case is kept, because servers often distinguish it.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").rstrip(".").lower()
    if not host.isascii():
        with contextlib.suppress(UnicodeError):  # a name the idna codec refuses stays as written
            host = host.encode("idna").decode("ascii")
    if port not in (None, 80, 443):
        host += f":{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
                   and not (k == "from" and v in _WECHAT_FROM)) if parts.query else []
    path = parts.path
    if "%" in path or not path.isascii():
        path = quote(unquote(path), safe="/:@!$&'()*+,;=~")
    path = path.rstrip("/")
    scheme = parts.scheme.lower()
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, path, urlencode(query), ""))


#: Hosts of general encyclopedias (and their mirrors): an article there explains a thing, it is not the thing,
#: and Wikipedia cannot be opened from mainland China.  A subdomain counts (``zh.m.wikipedia.org``).
ENCYCLOPEDIA_HOSTS = frozenset({
    "wikipedia.org", "wikiwand.com", "baike.baidu.com", "baike.sogou.com", "baike.so.com", "baike.com",
    "britannica.com", "encyclopedia.com",
})


def is_encyclopedia(url: str) -> bool:
    """Whether ``url`` is on a general encyclopedia's host (:data:`ENCYCLOPEDIA_HOSTS`)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in ENCYCLOPEDIA_HOSTS)
