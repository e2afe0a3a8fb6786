"""OpenShelf: curated YAML collections → validated → a bilingual, searchable static guide."""

__version__ = "0.1.0"
