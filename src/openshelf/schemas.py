"""Every JSON Schema file ``openshelf schema`` writes into ``guides/_schema/`` (and ``openshelf init`` into a new
guide): the guide's files, the federation's formats and files, and the link checker's rules, each generated from
its models by the stage that owns them."""

from __future__ import annotations

from openshelf.federation.schema import schema_files as federation_schema_files
from openshelf.guide.schema import schema_files as guide_schema_files
from openshelf.links.rules import schema_files as links_schema_files


def all_schema_files() -> dict[str, str]:
    """File name → JSON text, for every schema file."""
    return {**guide_schema_files(), **federation_schema_files(), **links_schema_files()}
