"""The build's inputs from outside the guide: where the guide is kept, for the footer's "report a mistake" link."""

from __future__ import annotations

import dataclasses

import pytest

from openshelf.guide.load import load_guide
from openshelf.site.bilingual import footer_report, rendering
from openshelf.site.pipeline import repository
from support import FIXTURE_GUIDE

ACTIONS = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "my-library/guide"}


def test_the_repository_is_the_guides_own_else_the_one_github_actions_builds() -> None:
    guide, _ = load_guide(FIXTURE_GUIDE)
    assert guide is not None and guide.site.repository is None
    assert repository(guide, {}) is None  # a build on a curator's machine: no link
    assert repository(guide, ACTIONS) == "https://github.com/my-library/guide"
    assert repository(guide, {**ACTIONS, "GITHUB_REPOSITORY": "no slash"}) is None
    assert repository(guide, {**ACTIONS, "GITHUB_SERVER_URL": "javascript:alert(1)//"}) is None
    ours = dataclasses.replace(guide, site=guide.site.model_copy(update={"repository": "https://gitee.com/lib/guide"}))
    assert repository(ours, ACTIONS) == "https://gitee.com/lib/guide"  # _site.yml wins


@pytest.mark.parametrize(("where", "link"), [
    ("https://github.com/my-library/guide/", "https://github.com/my-library/guide/issues/new/choose"),  # the issue forms
    ("https://gitee.com/lib/guide", "https://gitee.com/lib/guide"),
])
def test_the_footer_asks_readers_to_report_a_mistake_in_the_editions_language(where: str, link: str) -> None:
    assert footer_report(None) is None
    with rendering("en"):
        assert footer_report(where) == {"text": "Found a mistake or a dead link? Tell us", "link": link}
    with rendering("zh"):
        assert footer_report(where) == {"text": "发现错误或失效链接？请告诉我们", "link": link}
