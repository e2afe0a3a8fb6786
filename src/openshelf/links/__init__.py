"""Link health: check every URL in the guides, remember what was seen, report it.

Stages, one module each:

- ``verdict``   the verdict type shared by every stage (and the site)
- ``guard``     which addresses may be fetched (no loopback, private, link-local, metadata)
- ``rules``     per-host and per-pattern rules from ``guides/_links.yml``
- ``extract``   guide entries -> URLs with every place they stand
- ``guideload`` the guide loaded and validated (as ``openshelf validate`` does) before any request
- ``changed``   ``--only-changed REV``: the URLs a git revision did not have
- ``limits``    the continuation-first limiter and host interleaving
- ``check``     the async engine: URL -> ``Outcome`` with a verdict
- ``runner``    one run: policy (login-only entries, ``--max-age``, N runs), shards
- ``store``     the state file (memory between runs), merge of shard states, site helpers
- ``report``    text / json / github / markdown formatters
- ``cli``       the ``openshelf links`` click group (and ``merge``)
"""
