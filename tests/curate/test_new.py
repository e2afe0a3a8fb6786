"""openshelf new: flags, prompts, the next free id, comments kept, validation before writing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate import new
from openshelf.curate.append import next_free_id, slugify
from openshelf.guide.load import load_guide
from support import COMMENTED_COLLECTION, write_guide

DBS = COMMENTED_COLLECTION

FLAGS = ["--title-en", "Directory of Open Access Journals", "--title-zh", "开放获取期刊目录", "--url", "https://doaj.org/",
         "--description-en", "Free journals.", "--category", "databases", "--access", "free", "--tags", "open-access; journals"]


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "guides", {"dbs.yml": DBS})


def invoke(guides: Path, *args: str, input: str | None = None) -> object:
    return CliRunner().invoke(main, ["new", "--guides", str(guides), "--collection", "dbs", *args], input=input)


def test_new_from_flags_appends_canonical_entry(guides: Path) -> None:
    result = invoke(guides, *FLAGS, "--no-input")
    assert result.exit_code == 0, result.output
    assert "added entry 'directory-of-open-access-journals' at " in result.stderr
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert text.endswith("""\
    access: institutional   # through your library

  - id: directory-of-open-access-journals
    title:
      zh: 开放获取期刊目录
      en: Directory of Open Access Journals
    url: https://doaj.org/
    description:
      en: Free journals.
    category: databases
    tags: [open-access, journals]
    access: free
    status: active
    last_verified:
""")
    assert text.startswith(DBS.split("entries:", maxsplit=1)[0])
    assert "# ---- Chinese databases" in text
    assert CliRunner().invoke(main, ["validate", str(guides)]).exit_code == 0
    assert CliRunner().invoke(main, ["fmt", "--check", str(guides)]).exit_code == 0


def test_new_id_of_a_chinese_only_title_is_its_pinyin_and_unique(guides: Path) -> None:
    args = ["--title-zh", "中国知网", "--url", "https://www.cnki.net/kns", "--description-zh", "又一个。", "--category", "databases",
            "--access", "institutional", "--no-input"]
    assert invoke(guides, *args).exit_code == 0
    assert invoke(guides, *[a.replace("/kns", "/kcms") for a in args]).exit_code == 0
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "  - id: zhong-guo-zhi-wang\n" in text and "  - id: zhong-guo-zhi-wang-2\n" in text  # not cnki-2 from the host


def test_missing_required_fields_is_a_usage_error_without_input(guides: Path) -> None:
    result = invoke(guides, "--title-en", "X", "--no-input")
    assert result.exit_code == 2
    assert "--url" in result.stderr and "--category" in result.stderr and "--access" in result.stderr
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_prompts_for_missing_fields_in_a_terminal(guides: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(new, "interactive", lambda: True)
    answers = "\n".join(["PubMed 中文", "PubMed", "pubmed.gov", "https://pubmed.ncbi.nlm.nih.gov/", "", "Biomedical literature.", "nope",
                         "databases", "free"]) + "\n"
    result = invoke(guides, input=answers)
    assert result.exit_code == 0, result.output
    assert "url must start with http:// or https://" in result.output  # asked again
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "  - id: pubmed\n" in text and "    url: https://pubmed.ncbi.nlm.nih.gov/\n" in text


def test_no_prompt_when_not_a_terminal(guides: Path) -> None:
    result = invoke(guides, "--title-en", "X")  # CliRunner's stdin is not a TTY
    assert result.exit_code == 2


def test_bad_values_are_usage_errors(guides: Path) -> None:
    result = invoke(guides, *[("javascript:alert(1)" if a == "https://doaj.org/" else a) for a in FLAGS], "--no-input")
    assert result.exit_code == 2
    assert "--url: url must start with http:// or https://" in result.stderr
    result = invoke(guides, *FLAGS, "--id", "cnki", "--no-input")
    assert result.exit_code == 2 and "id 'cnki' is already used at" in result.stderr
    result = CliRunner().invoke(main, ["new", "--guides", str(guides), "--collection", "nope", *FLAGS, "--no-input"])
    assert result.exit_code == 2 and "no collection 'nope'" in result.stderr


def test_a_bad_tag_is_named_in_its_message(guides: Path) -> None:
    """A word that gives no slug (no Latin letters, digits or Chinese) is refused, by name, once."""
    result = invoke(guides, *FLAGS, "--tags", "мир, open-access, ★, мир", "--no-input")
    assert result.exit_code == 2
    messages = result.stderr.split("Error: ", 1)[1].strip().split("; ")
    assert [m.split(" must be")[0] for m in messages] == ["--tags: 'мир'", "--tags: '★'"], messages  # each once, by name


WORDS = "电子书；地图；Open Access；maps"


def _add_by_flags(guides: Path, tmp_path: Path) -> Any:
    return invoke(guides, *FLAGS[:-2], "--tags", WORDS, "--no-input")


def _add_by_issue(guides: Path, tmp_path: Path) -> Any:
    answers = {"collection": "dbs", "title-en": FLAGS[1], "url": FLAGS[5], "description-en": FLAGS[7], "category": FLAGS[9],
               "access": FLAGS[11], "tags": WORDS}
    body = "".join(f"### {key} [{key}]\n\n{value}\n\n" for key, value in answers.items())
    return CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)


def _add_by_import(guides: Path, tmp_path: Path) -> Any:
    sheet = tmp_path / "words.csv"
    sheet.write_text("title_en,url,description_en,category,access,tags\n"
                     f"{FLAGS[1]},{FLAGS[5]},{FLAGS[7]},{FLAGS[9]},{FLAGS[11]},{WORDS}\n", encoding="utf-8")
    return CliRunner().invoke(main, ["import", str(sheet), "--collection", "dbs", "--guides", str(guides)])


@pytest.mark.parametrize("add", [_add_by_flags, _add_by_issue, _add_by_import], ids=["new --tags", "new --from-issue", "import"])
def test_tags_written_as_words_follow_one_rule_on_every_path(guides: Path, tmp_path: Path, add: Any) -> None:
    """`new --tags` refused Chinese words (电子书 'must be a slug') which `import` and the issue form turned into slugs.
    All three follow new.worded_tags now: a label from _site.yml gives its slug, other words become slugs (pinyin for
    Chinese), and each says which labels to paste into _site.yml so that readers see the words."""
    site = guides / "_site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "tags:\n  ebooks: {zh: 电子书, en: E-books}\n", encoding="utf-8")
    result = add(guides, tmp_path)
    assert result.exit_code == 0, result.output
    guide, _ = load_guide(guides)
    assert guide is not None and guide.by_id["directory-of-open-access-journals"].tags == ["ebooks", "di-tu", "open-access", "maps"]
    block = '  di-tu: {zh: "地图"}\n  open-access: {en: "Open Access"}\n'
    assert "paste this under 'tags:' (a top-level key; add it if missing):\n" + block in result.stderr


def test_invalid_guide_is_not_written(guides: Path) -> None:
    result = invoke(guides, *FLAGS, "--category", "unknown-category", "--no-input")
    assert result.exit_code == 1
    assert "category 'unknown-category' is not defined" in result.stderr
    assert "dbs.yml:" in result.stderr and "openshelf-" not in result.stderr  # reported as the real file
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_dry_run_writes_nothing(guides: Path) -> None:
    result = invoke(guides, *FLAGS, "--no-input", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "- id: directory-of-open-access-journals" in result.stdout
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_ids_and_lists() -> None:
    assert slugify("Ünïcode — test: a/b") == "unicode-test-a-b"
    assert next_free_id("", "https://www.nhc.gov.cn/x", []) == "nhc"
    assert next_free_id("重庆图书馆", "https://mp.weixin.qq.com/s/x", []) == "chong-qing-tu-shu-guan"  # heteronyms read by phrase
    assert next_free_id("COVID-19 疫情地图", "", []) == "covid-19-yi-qing-di-tu"
    assert next_free_id("Привет", "https://t.me/x", []) == "t"  # neither Latin nor Chinese: the host
    assert next_free_id("CNKI", "", ["cnki", "cnki-2"]) == "cnki-3"
    assert new.split_list("a; b, c；d") == ["a", "b, c", "d"]
    assert new.split_list("a, b，c") == ["a", "b", "c"]


def test_a_how_to_needs_no_url_but_anything_else_does(guides: Path) -> None:
    flags = ["--title-en", "Campus VPN", "--description-en", "Ask your library.", "--category", "databases",
             "--access", "institutional", "--no-input"]
    refused = invoke(guides, *flags)
    assert refused.exit_code == 2 and "missing --url" in refused.output
    result = invoke(guides, *flags, "--kind", "how-to")
    assert result.exit_code == 0, result.output
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "  - id: campus-vpn\n    title:\n      en: Campus VPN\n    kind: how-to\n    description:" in text
