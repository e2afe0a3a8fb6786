"""The curators' write path: canonical form, new entries, spreadsheets in and out, stale entries, issue forms."""
