"""`openshelf init DIR`: a new guide repository for another library, from flags or prompts, and from a built wheel."""

from __future__ import annotations

import os
import subprocess
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from mkdocs.utils.yaml import yaml_load
from test_workflows import USES_LINE, load, makefile_targets, problems_in_command, simple_commands, steps, tool

from openshelf import __version__
from openshelf.cli import main
from openshelf.curate import init, new
from openshelf.curate.fmt import format_file
from openshelf.curate.issueform import generate
from openshelf.federation.assemble import load_federated
from openshelf.federation.config import SourcesFile
from openshelf.guide.load import load_guide
from support import ROOT, UV, offline_env, wheel_venv

FLAGS = ("--no-input", "--name-zh", "示例大学图书馆读者指南", "--name-en", "Example University Library Guide",
         "--publisher-zh", "示例大学图书馆", "--publisher-en", "Example University Library")


def run_init(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["init", *args], input=input)


@pytest.fixture
def made(tmp_path: Path) -> Path:
    result = run_init(str(tmp_path / "guide"), *FLAGS)
    assert result.exit_code == 0, result.output
    return tmp_path / "guide"


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- what it writes -------------------------------------------------------------------------------


def test_the_new_guide_is_valid_formatted_and_up_to_date(made: Path) -> None:
    guide, diagnostics = load_guide(made / "guides")
    assert guide is not None and diagnostics == []
    site = guide.site
    assert site.id == "example-university-library-guide" and site.languages == ["zh", "en"]
    assert (site.title.zh, site.title.en) == ("示例大学图书馆读者指南", "Example University Library Guide")
    assert site.publisher is not None and site.publisher.en == "Example University Library"
    # the starter services: the library's own, with no address of their own and no made-up one
    assert [e.id for e in guide.entries] == ["document-delivery", "reference-service", "novelty-search", "thesis-services",
                                             "information-literacy-courses", "library-news"]
    assert all(e.kind == "how-to" and e.url is None and e.provider == site.publisher for e in guide.entries)
    assert {e.category for e in guide.entries} == set(site.categories)
    # every tag the starter uses is named: a guide that subscribes to one that names its tags is warned of an
    # unnamed one, and `make test` validates with --strict
    assert {t for e in guide.entries for t in e.tags} == set(site.tags) and all(label.zh and label.en for label in site.tags.values())
    text = "\n".join(p.read_text(encoding="utf-8") for p in (made / "guides").glob("*.yml"))
    assert "http" not in text and "TODO" not in text and "@@" not in text
    for path in (made / "guides").glob("*.yml"):  # `openshelf fmt --check` passes
        assert format_file(path).changed is False, path.name
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(made)
        result = CliRunner().invoke(main, ["schema", "--check"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (made / "guides" / "_schema").iterdir()} >= {"site.schema.json", "collection.schema.json", "sources.schema.json"}
    form = (made / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml").read_text(encoding="utf-8")
    assert generate(form, guide) == form  # `openshelf issueform --check` passes
    assert "本馆服务 · Our library's services [services]" in form and "通知与推送 · News and notices [notices]" in form
    assert not (made / "guides" / "_sources.yml").exists()
    assert not any("@@" in p.read_text(encoding="utf-8") for p in made.rglob("*") if p.is_file())


def test_the_spreadsheet_template_imports_back(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`openshelf import --help` names guides/templates/resources.csv: the new guide has one, in the import columns."""
    template = made / "guides" / "templates" / "resources.csv"
    assert template.read_text(encoding="utf-8").startswith("\ufeffid,title_zh,title_en,kind,url,")
    monkeypatch.chdir(made)
    result = CliRunner().invoke(main, ["import", "guides/templates/resources.csv", "--collection", "services", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would import 0 entries; 1 duplicate(s) skipped; 0 bad row(s) skipped" in result.stderr


def test_mkdocs_yml_builds_the_guide_with_the_plugin(made: Path) -> None:
    with (made / "mkdocs.yml").open(encoding="utf-8") as handle:
        config = yaml_load(handle)
    assert config["site_name"] == "示例大学图书馆读者指南 · Example University Library Guide"
    assert config["theme"]["language"] == "zh" and config["site_url"] == "http://127.0.0.1:8000/"
    assert {"openshelf": {"guides_dir": "guides", "strict": False}} in config["plugins"]
    # An About page per edition: the main language's is about.md, the other's about.en.md (a site per language).
    assert "本指南用 **OpenShelf** 生成" in (made / "docs" / "about.md").read_text(encoding="utf-8")
    assert "This guide is built with **OpenShelf**" in (made / "docs" / "about.en.md").read_text(encoding="utf-8")


def test_the_makefile_pins_this_release_and_the_constraints_its_dependencies(made: Path) -> None:
    makefile = (made / "Makefile").read_text(encoding="utf-8")
    assert f"OPENSHELF_SPEC ?= openshelf=={__version__}\n" in makefile
    assert '--constraint constraints.txt "$(OPENSHELF_SPEC)"' in makefile
    assert {"site", "test", "venv", "serve", "sources"} <= makefile_targets(made / "Makefile")
    ours = (ROOT / "Makefile").read_text(encoding="utf-8")
    uv_version = next(line for line in makefile.splitlines() if line.startswith("UV_VERSION :="))
    assert uv_version in ours.splitlines(), "the same uv as this repository's Makefile"
    pins = [line for line in (made / "constraints.txt").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert f"mkdocs=={metadata.version('mkdocs')}" in pins and f"pydantic=={metadata.version('pydantic')}" in pins
    assert f"pagefind-bin-extended=={metadata.version('pagefind-bin-extended')}" in pins  # through pagefind[extended]
    names = {pin.split("==")[0] for pin in pins}
    assert "openshelf" not in names and "pytest" not in names and "zensical" not in names  # not the test or zensical extras


def test_an_english_only_guide_has_no_chinese_text(tmp_path: Path) -> None:
    result = run_init(str(tmp_path / "g"), "--no-input", "--name-en", "Riverside Library Guide", "--languages", "en",
                      "--url", "https://guide.riverside.example/", "--license", "CC-BY-4.0")
    assert result.exit_code == 0, result.output
    guide, diagnostics = load_guide(tmp_path / "g" / "guides")
    assert guide is not None and diagnostics == []
    assert guide.site.id == "riverside-library-guide" and guide.site.languages == ["en"] and guide.site.license == "CC-BY-4.0"
    assert guide.site.url == "https://guide.riverside.example/" and guide.site.publisher is None
    texts = [guide.site.title, *guide.site.categories.values(), *(e.title for e in guide.entries), *(e.description for e in guide.entries)]
    assert all(t.zh is None and t.en for t in texts)
    config = yaml_load((tmp_path / "g" / "mkdocs.yml").open(encoding="utf-8"))
    assert config["theme"]["language"] == "en" and config["site_url"] == "https://guide.riverside.example/"
    about = (tmp_path / "g" / "docs" / "about.md").read_text(encoding="utf-8")
    assert about.startswith("# About this guide\n") and 'lang="zh"' not in about
    assert sorted(p.name for p in (tmp_path / "g" / "docs").iterdir()) == ["about.md"]  # one edition, one About page
    assert guide.site.description is not None and guide.site.description.en == (
        "A guide for readers: the library's services and the scholarly resources it recommends.")


def test_subscribe_writes_the_sources_file(tmp_path: Path) -> None:
    result = run_init(str(tmp_path / "g"), *FLAGS, "--subscribe", "https://shared.example.org/downloads/openshelf.json")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "g" / "guides" / "_sources.yml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=_schema/sources.schema.json\n")
    assert yaml.safe_load(text) == {"sources": [{"id": "shared-example-org", "url": "https://shared.example.org/downloads/openshelf.json"}]}
    SourcesFile.model_validate(yaml.safe_load(text))
    # Until `make sources` fetches it, the guide says what to run (builds never use the network).
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path / "g")
        guide, diagnostics = load_federated(Path("guides"))
    assert guide is None and [d.message for d in diagnostics] == [
        "source 'shared-example-org': no snapshot guides/_sources/shared-example-org.json: run 'openshelf sources update "
        "shared-example-org' to fetch it (builds never use the network)"]
    assert "make sources" in result.stderr


# --- refusals ---------------------------------------------------------------------------------------


def test_a_non_empty_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_init(str(tmp_path), *FLAGS)
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert files_under(tmp_path) == {"notes.txt": b"mine"}
    result = run_init(str(tmp_path / "notes.txt"), *FLAGS)
    assert result.exit_code == 2 and "not a folder" in result.stderr
    assert files_under(tmp_path) == {"notes.txt": b"mine"}


@pytest.mark.parametrize(("args", "message"), [
    (("--id", "My Library"), "--id: 'My Library' is not a slug"),
    (("--languages", "zh,fr"), "fr: a guide is written in zh and/or en"),
    (("--url", "guide.example.org"), "--url: url must start with http:// or https://"),
    (("--subscribe", "ftp://shared.example.org/x.json"), "--subscribe: url must start with http:// or https://"),
    (("--name-en", 'Riverside" onmouseover="x'), "--name-en: 'Riverside\" onmouseover=\"x' has a line break or one of < > \""),
    (("--publisher-zh", "河畔<script>"), "--publisher-zh: '河畔<script>' has a line break"),
    (("--name-zh", "河畔\n图书馆"), "--name-zh: '河畔\\n图书馆' has a line break"),
    (("--license", "x" * 101), "license: String should have at most 100 characters"),
    (("--publisher-en", "L" * 10_001), "publisher.en: String should have at most 10000 characters"),
    (("--subscribe", "http://10.0.0.5/openshelf.json", "--allow-host", "10.0.0.5:web"), "--allow-host: bad port in '10.0.0.5:web'"),
    (("--allow-host", "10.0.0.5"), "--allow-host: only a subscription (--subscribe) fetches anything"),
])
def test_bad_values_are_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_init(str(tmp_path / "g"), *FLAGS, *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output and not (tmp_path / "g").exists()
    assert list(tmp_path.iterdir()) == []


def test_without_input_a_name_and_an_id_are_required(tmp_path: Path) -> None:
    result = run_init(str(tmp_path / "g"), "--no-input", "--publisher-en", "Somewhere")
    assert result.exit_code == 2 and "--name-zh: the guide needs a name in zh or en" in result.stderr
    result = run_init(str(tmp_path / "g"), "--no-input", "--name-zh", "某馆指南")  # no Latin letters for an id
    assert result.exit_code == 2 and "missing --id" in result.stderr
    result = run_init(str(tmp_path / "g"), "--no-input")  # no name at all: that is the problem to name, not the id
    assert result.exit_code == 2 and "the guide needs a name in zh or en" in result.stderr and "missing --id" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = []

    def failing(path: Path, text: str) -> None:
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        written.append(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")

    monkeypatch.setattr(init, "write_atomic", failing)
    result = run_init(str(tmp_path / "g"), *FLAGS)
    assert result.exit_code == 1 and "cannot create" in result.stderr and "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_working_directory_is_filled_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_init(".", *FLAGS)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "guides" / "_site.yml").is_file() and (tmp_path / ".github" / "workflows" / "ci.yml").is_file()
    assert not [p for p in tmp_path.parent.iterdir() if p.name.startswith(f".{tmp_path.name}.init-")]


# --- prompts ----------------------------------------------------------------------------------------


def test_prompts_ask_for_what_the_flags_do_not_give(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(new, "interactive", lambda: True)
    answers = ["zh,klingon", "zh,en",        # languages, asked again after a bad one
               "", "",                       # no name: asked again
               "河畔图书馆指南", "Riverside Library Guide", "河畔图书馆", "Riverside Library",
               "Not A Slug", "",             # a bad id, then the default made from the English name
               "https://guide.riverside.example/", ""]  # site address; no subscription
    result = run_init(str(tmp_path / "g"), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "klingon: a guide is written in zh and/or en" in result.output
    assert "a name in at least one language is needed" in result.output and "'Not A Slug' is not a slug" in result.output
    guide, diagnostics = load_guide(tmp_path / "g" / "guides")
    assert guide is not None and diagnostics == []
    assert guide.site.id == "riverside-library-guide" and guide.site.url == "https://guide.riverside.example/"
    assert guide.site.publisher is not None and guide.site.publisher.zh == "河畔图书馆"
    assert not (tmp_path / "g" / "guides" / "_sources.yml").exists()


def test_flags_given_are_not_asked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(new, "interactive", lambda: True)
    result = run_init(str(tmp_path / "g"), *FLAGS[1:], "--languages", "en", "--id", "riverside", "--url", "https://r.example/",
                      "--subscribe", "https://shared.example.org/openshelf.json", input="")
    assert result.exit_code == 0, result.output
    assert "?" not in result.output and ": " not in result.output.split("created")[0]  # no prompt was shown


# --- the workflows it writes ------------------------------------------------------------------------


def test_the_workflows_pass_actionlint_and_zizmor(made: Path) -> None:
    workflows = sorted((made / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["ci.yml", "links-pr.yml", "links-weekly.yml", "sources.yml", "suggest-resource.yml"]
    proc = subprocess.run([tool("actionlint"), "-no-color", *map(str, workflows)], cwd=made, capture_output=True, text=True,
                          check=False, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    proc = subprocess.run([tool("zizmor"), "--offline", "--no-progress", "--color", "never", str(made / ".github" / "workflows")],
                          cwd=made, capture_output=True, text=True, check=False, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_workflows_call_only_its_make_targets_and_openshelf(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(made)
    targets = makefile_targets(made / "Makefile")
    problems = []
    for path in (made / ".github" / "workflows").glob("*.yml"):
        workflow = load(path)
        assert workflow["permissions"] == {} and all("permissions" in j and "timeout-minutes" in j for j in workflow["jobs"].values())
        for job_id, step in steps(workflow):
            assert "${{" not in (step.get("run") or ""), f"{path.name}: {job_id}: an expression inside run:"
            for words in simple_commands(step.get("run") or ""):
                problems += [f"{path.name}: {job_id}: {p}" for p in problems_in_command(words, targets)]
    assert not problems, "\n".join(problems)
    ci = load(made / ".github" / "workflows" / "ci.yml")
    runs = [s.get("run") for job in ci["jobs"].values() for s in job["steps"]]
    assert "make test" in runs and "make site" in runs and "openshelf validate --format github guides" in runs
    assert [s["uses"].split("@")[0] for s in ci["jobs"]["deploy"]["steps"]] == ["actions/deploy-pages"]


def test_the_actions_are_pinned_as_in_this_repository() -> None:
    """The starter reuses the commit SHAs this repository's own workflows pin, with their version comments."""
    ours = {line.strip().removeprefix("- ") for p in (ROOT / ".github" / "workflows").glob("*.yml")
            for line in p.read_text(encoding="utf-8").splitlines() if USES_LINE.match(line)}
    starter = init.STARTER / "github" / "workflows"
    theirs = {line.strip().removeprefix("- ") for p in starter.glob("*.yml")
              for line in p.read_text(encoding="utf-8").splitlines() if USES_LINE.match(line)}
    assert theirs and theirs <= ours, theirs - ours
    # The suggestion and weekly link workflows are this repository's own, and its issue form asks the same questions.
    for name in ("suggest-resource.yml", "links-weekly.yml", "sources.yml"):
        ours_file = ROOT / ".github" / "workflows" / name
        assert (starter / name).read_bytes() == ours_file.read_bytes(), f"cp {ours_file.relative_to(ROOT)} {starter.relative_to(ROOT)}/"

    def questions(path: Path) -> list[tuple[str, str, str]]:
        return [(item["type"], item.get("id", ""), item["attributes"].get("label", "")) for item in load(path)["body"]]

    form = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml"
    assert questions(init.STARTER / "github" / "ISSUE_TEMPLATE" / "suggest-resource.yml") == questions(form)


def test_pinned_requirements_follow_extras_and_markers() -> None:
    pins = init.pinned_requirements()
    names = [p.split("==")[0] for p in pins]
    assert names == sorted(set(names))  # each once, by name
    assert f"click=={metadata.version('click')}" in pins
    assert all(not p.startswith(("pytest==", "playwright==", "openshelf==")) for p in pins)


# --- from a built wheel, in an empty folder ---------------------------------------------------------


def test_from_a_built_wheel_init_then_make_site_and_make_test_pass(tmp_path: Path) -> None:
    """The acceptance: wheel → fresh venv → `openshelf init` in an empty folder → the new repo's own make site / make test.

    uv runs offline (UV_OFFLINE): every package comes from its cache, filled by `make venv`, so no
    network is used; the new repository installs OpenShelf from the wheel (OPENSHELF_SPEC).
    """
    env = offline_env()
    wheel, venv = wheel_venv(tmp_path, env)
    (sdist,) = (tmp_path / "dist").glob("openshelf-*.tar.gz")

    # Every file of the package that is not Python is in the wheel (the site's assets and overrides, the starter).
    package = ROOT / "src" / "openshelf"
    data = {p.relative_to(package.parent).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert {"openshelf/site/assets/openshelf.css", "openshelf/site/overrides/main.html", "openshelf/curate/starter/Makefile"} <= data
    assert data <= set(zipfile.ZipFile(wheel).namelist())
    assert sdist.stat().st_size > 0

    work = tmp_path / "empty"
    work.mkdir()
    proc = subprocess.run([str(venv / "bin" / "openshelf"), "init", "library-guide", *FLAGS], cwd=work, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repo = work / "library-guide"
    # The installed wheel alone validates and builds it (no file of this repository is read).
    for command in (["openshelf", "validate", "--strict"], ["openshelf", "build", "-d", "built"]):
        proc = subprocess.run([str(venv / "bin" / command[0]), *command[1:]], cwd=repo, env=env, capture_output=True, text=True,
                              check=False, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (repo / "built" / "services" / "index.html").is_file()

    for target in ("site", "test"):
        proc = subprocess.run(["make", target, f"OPENSHELF_SPEC={wheel}", f"UV={UV}"], cwd=repo, env=env,
                              capture_output=True, text=True, check=False, timeout=600)
        assert proc.returncode == 0, f"make {target}:\n{proc.stdout}{proc.stderr}"
    # a site per language: the Chinese edition at the root, the English one under en/
    assert "示例大学图书馆读者指南" in (repo / "site" / "index.html").read_text(encoding="utf-8")
    assert "Example University Library Guide" in (repo / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert "This guide is built with" in (repo / "site" / "en" / "about" / "index.html").read_text(encoding="utf-8")
    assert "ok: 1 collection, 6 entries" in proc.stderr and "2 file(s) already formatted" in proc.stderr
    installed = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c", "import openshelf; print(openshelf.__file__)"],
                               capture_output=True, text=True, check=True, timeout=60).stdout
    assert installed.startswith(str(repo / ".venv")), installed  # the wheel, not this checkout


def test_a_subscription_is_fetched_at_once_through_the_guard(tmp_path: Path) -> None:
    """With --subscribe, init fetches the subscribed guide (openshelf sources update) so the new guide builds;
    a fetch that fails (here: the guard refuses a private address) is a warning, the guide is made all the same."""
    from browser import serve

    export = tmp_path / "public"
    export.mkdir()
    served = CliRunner().invoke(main, ["export", str(ROOT / "tests" / "fixtures" / "guide"), "--format", "json"])
    (export / "openshelf.json").write_text(served.stdout, encoding="utf-8")
    with serve(export) as base:
        result = run_init(str(tmp_path / "guide"), *FLAGS, "--subscribe", f"{base}openshelf.json")
    assert result.exit_code == 0, result.output
    assert "private" in result.stderr and "make sources" in result.stderr
    assert (tmp_path / "guide" / "guides" / "_sources.yml").is_file()
    assert not (tmp_path / "guide" / "guides" / "_sources" / "lock.json").exists()  # nothing half-fetched


def test_a_source_is_named_after_the_subscribed_guides_own_id(tmp_path: Path) -> None:
    """Issue: init named each source after its address's host (127-0-0-1, 127-0-0-1-2 …). A source is named after the
    id the subscribed guide gives itself in its export, made unique against the new guide's id and the sources before
    it; --allow-host is written into each source's allow_hosts, and each export is fetched once."""
    from support_sources import export_server, make_export

    body = make_export(tmp_path / "shared")  # the guide 'shared'
    with export_server() as server:
        server.serve("/a/openshelf.json", body)
        server.serve("/b/openshelf.json", body)
        urls = [server.url("/a/openshelf.json"), server.url("/b/openshelf.json")]
        result = run_init(str(tmp_path / "guide"), *FLAGS, "--id", "shared", "--subscribe", urls[0], "--subscribe", urls[1],
                          "--allow-host", server.host)
        requested = [path for path, _ in server.requests]
    assert result.exit_code == 0, result.output
    guides = tmp_path / "guide" / "guides"
    assert yaml.safe_load((guides / "_sources.yml").read_text(encoding="utf-8")) == {"sources": [
        {"id": "shared-2", "url": urls[0], "allow_hosts": [server.host]},
        {"id": "shared-3", "url": urls[1], "allow_hosts": [server.host]}]}
    assert sorted(requested) == ["/a/openshelf.json", "/b/openshelf.json"]  # read for its id and written from the one download
    for url in urls:  # a slow host may keep it waiting up to the timeout: it says what it waits for
        assert f"fetching {url} (at most 60 s)" in result.stderr
    assert sorted(p.name for p in (guides / "_sources").iterdir()) == ["lock.json", "shared-2.json", "shared-3.json"]
    assert (guides / "_sources" / "shared-2.json").read_bytes() == body
    guide, diagnostics = load_federated(guides)
    assert guide is not None, [d.format() for d in diagnostics]


def test_a_source_whose_export_cannot_be_read_is_named_after_its_host(tmp_path: Path) -> None:
    from support_sources import export_server

    with export_server() as server:
        server.serve("/openshelf.json", b"<html>not an export</html>")
        result = run_init(str(tmp_path / "guide"), *FLAGS, "--subscribe", server.url("/openshelf.json"), "--allow-host", server.host)
    assert result.exit_code == 0, result.output
    sources = yaml.safe_load((tmp_path / "guide" / "guides" / "_sources.yml").read_text(encoding="utf-8"))["sources"]
    assert [s["id"] for s in sources] == ["127-0-0-1"]
    assert "source '127-0-0-1': failed, no snapshot yet" in result.stderr and "not a JSON document" in result.stderr
    assert "make sources" in result.stderr and not (tmp_path / "guide" / "guides" / "_sources").exists()


def test_unique_ids_stay_valid() -> None:
    assert init.unique_id("shared", {"shared", "shared-2"}) == "shared-3"
    long = "a" * 60 + "-b-c"
    made = init.unique_id(long, {long})
    assert made.endswith("-2") and len(made) <= 64 and made != long


def test_no_fetch_makes_the_subscription_without_a_request(tmp_path: Path) -> None:
    result = run_init(str(tmp_path / "guide"), *FLAGS, "--no-fetch", "--subscribe", "http://127.0.0.1:9/none.json")
    assert result.exit_code == 0, result.output
    assert "make sources" in result.stderr and "private" not in result.stderr


def test_a_new_guide_subscribed_to_this_repositorys_guide_passes_validate_strict(tmp_path: Path) -> None:
    """What `make test` of a new guide runs (`validate --strict`) passes for a fresh `init --subscribe` of the
    default guide: the starter entries clash with none of its entries (no near-duplicate title, no shared id)."""
    from support_sources import export_server

    exported = CliRunner().invoke(main, ["export", str(ROOT / "guides"), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    with export_server() as server:
        server.serve("/downloads/openshelf.json", exported.stdout.encode("utf-8"))
        url = server.url("/downloads/openshelf.json")
        result = run_init(str(tmp_path / "guide"), *FLAGS, "--no-fetch", "--subscribe", url, "--allow-host", server.host)
        assert result.exit_code == 0, result.output
        guides = tmp_path / "guide" / "guides"
        updated = CliRunner().invoke(main, ["sources", "update", "--guides", str(guides)])
        assert updated.exit_code == 0, updated.output
    validated = CliRunner().invoke(main, ["validate", "--strict", str(guides)])
    assert validated.exit_code == 0, validated.output
    assert "warning" not in validated.output


def test_a_guide_whose_subscription_init_fetched_passes_its_issue_form_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adoption review: README's path, `openshelf init DIR --subscribe URL` (fetched at once) then `make test`, failed
    at once: `openshelf issueform --check` found the form, written before the fetch, without the categories the
    subscribed guide defines.  init now regenerates it after a fetch, and `make sources` does after each update."""
    from support_sources import export_server

    exported = CliRunner().invoke(main, ["export", str(ROOT / "guides"), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    with export_server() as server:
        server.serve("/downloads/openshelf.json", exported.stdout.encode("utf-8"))
        result = run_init(str(tmp_path / "guide"), *FLAGS, "--subscribe", server.url("/downloads/openshelf.json"),
                          "--allow-host", server.host)
    assert result.exit_code == 0, result.output
    assert "make sources" not in result.stderr  # fetched
    monkeypatch.chdir(tmp_path / "guide")
    checked = CliRunner().invoke(main, ["issueform", "--check"])
    assert checked.exit_code == 0, checked.output
    form = Path(".github/ISSUE_TEMPLATE/suggest-resource.yml").read_text(encoding="utf-8")
    assert "[remote-access]" in form and "[document-delivery]" in form
    recipe = Path("Makefile").read_text(encoding="utf-8").split("\nsources:", 1)[1].split("\n\n", 1)[0]
    assert recipe.splitlines()[1:] == ["\t$(BIN)/openshelf sources update", "\t$(BIN)/openshelf issueform"]
