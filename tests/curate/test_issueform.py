"""The "Suggest a resource" issue form → `openshelf new --from-issue` → a valid entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.issueform import DROPDOWNS, generate, option_key, parse
from openshelf.curate.new import FIELDS
from openshelf.guide.load import load_guide
from openshelf.guide.models import ACCESS_LABELS
from support import FIXTURE_GUIDE, ROOT

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml"


def form() -> dict:
    return yaml.safe_load(FORM.read_text(encoding="utf-8"))


def fields() -> list[dict]:
    return [item for item in form()["body"] if item["type"] != "markdown"]


def issue_body(answers: dict[str, str]) -> str:
    """The Markdown GitHub makes of a submitted form: a heading per field, then the answer."""
    parts = []
    for item in fields():
        answer = answers.get(item["id"]) or "_No response_"
        parts.append(f"### {item['attributes']['label']}\n\n{answer}\n")
    return "\n".join(parts)


def test_every_form_field_maps_to_an_option_of_openshelf_new() -> None:
    options = {name for name, _, _ in FIELDS} | {"collection"}
    for item in fields():
        label = item["attributes"]["label"]
        assert label.endswith(f"[{item['id']}]"), label
        assert item["id"] in options, item["id"]


def test_dropdowns_offer_exactly_what_the_guide_accepts() -> None:
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    by_id = {item["id"]: item for item in fields()}
    keys = {name: [option_key(o) for o in by_id[name]["attributes"]["options"]] for name in DROPDOWNS}
    assert keys["category"] == list(guide.site.categories)
    assert keys["access"] == list(ACCESS_LABELS)
    assert keys["collection"] == [c.id for c in guide.collections]
    first = next(iter(guide.site.categories.items()))
    assert by_id["category"]["attributes"]["options"][0] == f"{first[1].zh} · {first[1].en} [{first[0]}]"


def test_the_committed_form_is_what_the_command_generates() -> None:
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    text = FORM.read_text(encoding="utf-8")
    assert generate(text, guide) == text


def test_a_new_category_reaches_the_form_and_a_filled_form_with_it_parses(tmp_path: Path) -> None:
    guides = shutil.copytree(ROOT / "guides", tmp_path / "guides")
    form_copy = tmp_path / "form.yml"
    shutil.copyfile(FORM, form_copy)
    check = ["issueform", "--check", "--guides", str(guides), "-o", str(form_copy)]
    runner = CliRunner()
    assert runner.invoke(main, check).exit_code == 0
    site = guides / "_site.yml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "categories:\n", "categories:\n  covid-apps: {zh: 防疫应用, en: COVID-19 apps}\n", 1), encoding="utf-8")
    before = runner.invoke(main, check)
    assert before.exit_code == 1 and "+        - 防疫应用 · COVID-19 apps [covid-apps]" in before.output, before.output
    assert form_copy.read_text(encoding="utf-8") == FORM.read_text(encoding="utf-8")  # --check writes nothing
    assert runner.invoke(main, ["issueform", "--guides", str(guides), "-o", str(form_copy)]).exit_code == 0
    assert runner.invoke(main, check).exit_code == 0
    options = next(i for i in yaml.safe_load(form_copy.read_text(encoding="utf-8"))["body"] if i.get("id") == "category")["attributes"]["options"]
    assert options[0] == "防疫应用 · COVID-19 apps [covid-apps]"
    body = issue_body({"collection": "免费学术资源 · Free academic resources [databases]", "title-zh": "健康码", "title-en": "Health Code",
                       "url": "https://example.org/app", "description-zh": "一个应用。", "description-en": "An app.", "category": options[0],
                       "access": "免费 · Free [free]"})
    result = runner.invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 0, result.output
    guide, diagnostics = load_guide(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    assert guide.by_id["health-code"].category == "covid-apps"


def test_parse_reads_answers_and_empty_fields() -> None:
    body = "### 网址 · Address [url]\n\nhttps://pubmed.ncbi.nlm.nih.gov/\n\n### 标签 · Tags [tags]\n\n_No response_\n"
    assert parse(body) == {"url": "https://pubmed.ncbi.nlm.nih.gov/", "tags": None}


def test_parse_maps_a_dropdown_label_back_to_its_key_and_leaves_free_text_alone() -> None:
    body = "### 分类 · Category [category]\n\n外文数据库 · International databases [international-databases]\n\n" \
           "### 名称（英文）· Title in English [title-en]\n\nArchive [beta]\n\n### 访问方式 · Access [access]\n\nfree\n"
    assert parse(body) == {"category": "international-databases", "title-en": "Archive [beta]", "access": "free"}


@pytest.fixture
def guides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE_GUIDE, tmp_path / "guides")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "guides"


def test_a_filled_form_becomes_a_valid_entry(guides: Path, tmp_path: Path) -> None:
    body = issue_body({
        "collection": "databases", "title-en": "Europe PMC", "url": "https://europepmc.org/",
        "description-zh": "欧洲生命科学文献数据库。", "description-en": "Life-sciences literature database.",
        "category": "international-databases", "access": "free", "tags": "medicine; journals", "languages": "en",
    })
    result = CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 0, result.output
    guide, diagnostics = load_guide(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    entry = guide.by_id["europe-pmc"]
    assert entry.collection == "databases" and entry.tags == ["medicine", "journals"]


def test_a_bad_form_says_which_field_to_fix(guides: Path) -> None:
    body = issue_body({"collection": "databases", "title-en": "X", "url": "europepmc.org", "description-en": "D",
                       "category": "international-databases", "access": "free"})
    result = CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 2  # a usage error, as for the same value given as an option
    assert result.stderr == "issue form: error: 网址 · Address: url must start with http:// or https:// · 网址须以 http:// 或 https:// 开头\n"


def test_every_problem_of_a_form_at_once_in_both_languages_without_usage_text(guides: Path) -> None:
    body = issue_body({"collection": "databases", "url": "https://example.org/x", "category": "international-databases",
                       "access": "free", "available-from": "2020-02-30"})
    result = CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "issue form: error: 名称（中文）· Title in Chinese / 名称（英文）· Title in English: missing · 必填，请补上",
        "issue form: error: 说明（中文）· Description in Chinese / 说明（英文）· Description in English: missing · 必填，请补上",
        "issue form: error: 开始日期（限时项目）· First day (temporary programs): must be a real date written YYYY-MM-DD, "
        "not '2020-02-30' · 日期请写成 YYYY-MM-DD，例如 2020-03-01",
    ]
    assert "Usage" not in result.output and "--" not in result.stderr


def test_natural_chinese_answers_are_understood(guides: Path) -> None:
    site = guides / "_site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "tags:\n  ebooks: {zh: 电子书, en: E-books}\n", encoding="utf-8")
    body = issue_body({"collection": "databases", "title-zh": "超星电子书", "url": "https://book.example.cn/",
                       "description-zh": "电子图书。", "category": "chinese-databases", "access": "free",
                       "tags": "电子书；借阅", "languages": "中文、英文"})
    result = CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 0, result.output
    guide, diagnostics = load_guide(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    entry = guide.by_id["chao-xing-dian-zi-shu"]
    assert entry.tags == ["ebooks", "jie-yue"]  # a label from _site.yml gives its slug; other Chinese its pinyin
    assert entry.languages == ["zh", "en"]


def test_a_message_quoting_an_answer_stays_on_its_line(guides: Path) -> None:
    """The workflow posts the messages on the issue inside a ```` fence: an answer quoted with its newlines closed the fence,
    and what followed (an @-mention, an image) was the bot's own Markdown."""
    body = issue_body({"collection": "nope\n````\n@octocat ![i](https://tracker.example/x.png)", "title-en": "X",
                       "url": "https://example.org/x", "description-en": "D", "category": "international-databases", "access": "free"})
    result = CliRunner().invoke(main, ["new", "--from-issue", "-", "--no-input", "--guides", str(guides)], input=body)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["issue form: error: 栏目 · Collection: no collection 'nope\\x0a````\\x0a@octocat "
                                          "![i](https://tracker.example/x.png)' in the guide · 这个栏目不存在，请从下拉选项中选择"]
