"""Content policy is configuration: ``policy:`` in ``_site.yml``, checked by ``openshelf validate``.

The schema asks each text for one language at least; a guide that promises both says so in its
settings, and a library whose guide is in one language leaves the policy out (its fork's tests do
not go red for what the docs allow).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from openshelf.cli import main
from openshelf.guide.load import load_guide
from support import SITE, write_guide

CHINESE_ONLY = """\
id: nav
title: {zh: 导航}
entries:
  - id: zhongguo-zhiwang
    title: {zh: 中国知网}
    url: https://www.cnki.net/
    description: {zh: 学术文献总库。}
    category: databases
    access: institutional
  - id: pubmed
    title: {zh: PubMed 医学文献, en: PubMed}
    url: https://pubmed.ncbi.nlm.nih.gov/
    description: {zh: 医学文献。, en: Medical literature.}
    category: databases
    access: free
"""


def validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(root), *args])
    return result.exit_code, result.output


def test_without_a_policy_one_language_is_enough(tmp_path: Path) -> None:
    code, output = validate(write_guide(tmp_path / "g", {"nav.yml": CHINESE_ONLY}))
    assert code == 0, output
    assert "warning" not in output


def test_required_languages_are_errors_naming_file_line_entry_and_field(tmp_path: Path) -> None:
    site = SITE + "policy:\n  title_languages: [zh, en]\n  description_languages: [en]\n"
    root = write_guide(tmp_path / "g", {"_site.yml": site, "nav.yml": CHINESE_ONLY})
    code, output = validate(root)
    assert code == 1
    lines = [line for line in output.splitlines() if "policy." in line]
    assert len(lines) == 2, output  # the bilingual entry passes; the Chinese-only one misses en twice
    assert lines[0].endswith("g/nav.yml:5:12: error: entry 'zhongguo-zhiwang': title has no en text; "
                             "policy.title_languages in _site.yml requires zh, en"), lines[0]
    assert "g/nav.yml:7:18: error: entry 'zhongguo-zhiwang': description has no en text; policy.description_languages" in lines[1]
    _, diagnostics = load_guide(root)
    assert {(d.entry, d.field, d.code) for d in diagnostics} == {("zhongguo-zhiwang", "title", "policy"),
                                                                  ("zhongguo-zhiwang", "description", "policy")}


def test_a_warning_policy_reports_and_fails_only_when_strict(tmp_path: Path) -> None:
    site = SITE + "policy: {description_languages: [zh, en], severity: warning}\n"
    root = write_guide(tmp_path / "g", {"_site.yml": site, "nav.yml": CHINESE_ONLY})
    code, output = validate(root)
    assert code == 0, output
    assert "warning: entry 'zhongguo-zhiwang': description has no en text" in output
    assert validate(root, "--strict")[0] == 1


def test_an_unknown_policy_key_or_language_is_a_clear_error(tmp_path: Path) -> None:
    site = SITE + "policy:\n  title_languages: [zh, fr]\n  require_everything: true\n"
    code, output = validate(write_guide(tmp_path / "g", {"_site.yml": site, "nav.yml": CHINESE_ONLY}))
    assert code == 1
    assert "_site.yml:6:" in output and "policy.title_languages" in output, output
    assert "require_everything" in output



def test_the_parity_report_compares_numbers_only_where_both_languages_are_written(tmp_path: Path) -> None:
    """A one-language entry (allowed without a policy) has nothing to compare: not flagged as differing."""
    import subprocess
    import sys

    from support import ROOT

    root = write_guide(tmp_path / "g", {"nav.yml": CHINESE_ONLY.replace("学术文献总库。", "收录 8000 多种期刊。")
                                        .replace("description: {zh: 医学文献。, en: Medical literature.}",
                                                 "description: {zh: 3500 万篇文献。, en: 35 million citations.}")})
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "parity_report.py"), str(root)], capture_output=True, text=True,
                         check=True, encoding="utf-8", timeout=60)
    assert "2 entries shown; 0 name different numbers" in out.stderr, out.stderr
    assert "numbers: zh [8000.0] · en []\n" in out.stdout
