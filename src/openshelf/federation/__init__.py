"""Guides that share: the interchange format, subscriptions to other guides, and their merge.

Stage order: ``guide`` (one library's files) → ``federation`` (other guides' snapshots merged in)
→ ``site`` / ``links`` / ``curate``'s export.
"""
