"""The plugin collects garbage less often for the whole build, every edition included, and restores the setting after."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from openshelf.gcpolicy import THRESHOLD
from support import FIXTURE_GUIDE, make_project

HOOK = '''
import gc, json
from pathlib import Path

def on_page_content(html, page, config, files):
    with Path(__file__).with_name("seen.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps([config.site_dir, page.file.src_uri, gc.get_threshold()[0]]) + "\\n")
    return html
'''


def test_fewer_collections_during_every_edition_then_restored(tmp_path: Path) -> None:
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    project = make_project(tmp_path, FIXTURE_GUIDE, hooks=[str(tmp_path / "hook.py")])
    before = gc.get_threshold()
    assert before[0] != THRESHOLD
    build(load_config(str(project), site_dir=str(tmp_path / "site")), dirty=False)
    assert gc.get_threshold() == before
    seen = [json.loads(line) for line in (tmp_path / "seen.jsonl").read_text(encoding="utf-8").splitlines()]
    sites = {site for site, _, _ in seen}
    assert sites == {str(tmp_path / "site"), str(tmp_path / "site" / "en")}, sites  # both editions converted pages
    assert {threshold for _, _, threshold in seen} == {THRESHOLD}
