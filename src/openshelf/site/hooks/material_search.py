"""Material's search box over Pagefind's index, without Material's own index: the one helper that the plugin calls
and that ``openshelf build`` names as a hook in a staged project (MkDocs loads this file by its path, so it
imports nothing of OpenShelf)."""

from __future__ import annotations

from typing import Any


def mute_material_search(config: Any) -> bool:
    """Keep Material's search plugin for its header and search box, but stop it indexing; False if it is not there.

    Material shows the search box only while its ``search`` plugin is enabled; OpenShelf's
    template swaps the box's form so Material's script never fetches its index, and this drops
    the plugin's indexing events (jieba segmentation and a whole-site JSON index) from the build.
    """
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None:
        return False
    for event in ("page_context", "post_build"):
        handlers = config.plugins.events.get(event, [])
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]
    return True


def on_config(config: Any) -> None:
    """The hook: a staged project searched by Pagefind (``openshelf build --engine mkdocs``) mutes Material's index."""
    mute_material_search(config)
