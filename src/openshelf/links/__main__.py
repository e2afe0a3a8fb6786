"""``python -m openshelf.links`` = ``openshelf links`` (used by scripts/bench_links.py)."""

from openshelf.links.cli import links

if __name__ == "__main__":
    links(prog_name="openshelf links")
