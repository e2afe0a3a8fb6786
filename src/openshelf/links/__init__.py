"""Link health: check every URL in the guides, remember what was seen, report it.

Stages, one module each:

- ``guard``   which addresses may be fetched (no loopback, private, link-local, metadata)
- ``rules``   per-host and per-pattern rules from ``guides/_links.yml``
- ``extract`` guide entries -> URLs with every place they stand
- ``check``   the async engine: URL -> ``Result`` with a verdict
- ``store``   the state file (memory between runs), merge of shard states
- ``report``  text / json / github / markdown formatters
- ``cli``     the ``openshelf links`` click group
"""

from __future__ import annotations

VERDICTS = ("ok", "redirected", "broken", "transient", "blocked", "skipped")

__all__ = ["VERDICTS"]
