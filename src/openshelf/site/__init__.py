"""The site: the guide rendered into pages, searched with Pagefind, built by MkDocs or Zensical."""
