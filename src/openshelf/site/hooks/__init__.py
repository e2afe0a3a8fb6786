"""MkDocs hooks that ``openshelf build`` names in a staged project's ``mkdocs.yml`` (``hooks:``), where the plugin is not."""
