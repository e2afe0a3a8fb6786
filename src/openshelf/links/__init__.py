"""Link health: check every URL in the guides, remember what was seen, report it.

Stages, one module each:

- ``guard``   which addresses may be fetched (no loopback, private, link-local, metadata)
- ``rules``   per-host and per-pattern rules from ``guides/_links.yml``
- ``extract`` guide entries -> URLs with every place they stand
- ``guideload`` a big guide validated in a child process while a plain scan's URLs are checked
- ``changed`` ``--only-changed REV``: the URLs a git revision did not have
- ``limits``  the continuation-first limiter and host interleaving
- ``check``   the async engine: URL -> ``Outcome`` with a verdict
- ``runner``  one run: policy (login-only entries, ``--max-age``, N runs), shards
- ``store``   the state file (memory between runs), merge of shard states, site helpers
- ``report``  text / json / github / markdown formatters
- ``cli``     the ``openshelf links`` click group (and ``merge``)
"""

from __future__ import annotations

VERDICTS = ("ok", "redirected", "broken", "transient", "blocked", "skipped")

__all__ = ["VERDICTS"]
