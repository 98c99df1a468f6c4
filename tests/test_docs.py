"""The docs keep up with the code: every config key, output column (calls, intervals, days,
summary) and distribution kind is documented, every documented default is the schema's,
every relative link in the docs resolves and every page is in the site's nav.
Fast: no simulation is run."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pandas as pd
import pytest

from sim.config.compose import compose
from sim.core.law_schema import allowed_keys
from sim.core.schema import LAW_PATHS, Config
from sim.laws.distributions import KINDS
from sim.model.runner import confidence_table
from sim.outputs.agent_groups import GROUP_INTERVAL_COLUMNS, GROUP_SUMMARY_COLUMNS
from sim.outputs.call_types import TYPE_INTERVAL_COLUMNS, TYPE_SUMMARY_COLUMNS
from sim.outputs.callbacks import CALLBACK_COLUMNS, CALLBACK_KEYS
from sim.outputs.days import DAY_COLUMNS
from sim.outputs.metrics import CALL_COLUMNS, INTERVAL_COLUMNS, SUMMARY_KEYS
from sim.workforce.agents import AGENT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIG_MD = DOCS / "reference" / "config.md"
OUTPUTS_MD = DOCS / "reference" / "outputs.md"


def leaf_keys(cls: type, prefix: str = "") -> list[str]:
    """Dotted paths of every non-dataclass field of the schema, depth first; a time law
    gives its ``kind`` and the keys of its default kind (every kind's keys are in the
    kinds' own tables, :func:`test_every_key_of_every_kind_has_a_table_row`)."""
    hints = typing.get_type_hints(cls)
    keys: list[str] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if f.metadata.get("law"):
            default = f.default_factory()  # type: ignore[misc]
            keys += [f"{prefix}{f.name}.{k}" for k in ("kind", *allowed_keys(default.kind))]
        elif dataclasses.is_dataclass(hint):
            keys += leaf_keys(typing.cast(type, hint), f"{prefix}{f.name}.")
        else:
            keys.append(f"{prefix}{f.name}")
    return keys


def first_cells(text: str) -> set[str]:
    """The backticked names in the first cell of every markdown table row."""
    names: set[str] = set()
    for line in text.splitlines():
        cells = line.strip().split("|")
        if line.lstrip().startswith("|") and len(cells) > 2:
            names.update(re.findall(r"`([^`]+)`", cells[1]))
    return names


CONFIG_KEYS = leaf_keys(Config)
STATS_COLUMNS = list(confidence_table(pd.DataFrame({"x": [1.0, 2.0]})).columns)


def test_schema_walk_finds_nested_keys() -> None:
    assert "center.volume_per_day" in CONFIG_KEYS
    assert "service.talk.mean_s" in CONFIG_KEYS and "service.talk.cv" in CONFIG_KEYS
    assert "redials.delay.kind" in CONFIG_KEYS and "patience.kind" in CONFIG_KEYS
    assert "patience.components" not in CONFIG_KEYS  # not a key of genesys
    assert "service" not in CONFIG_KEYS and "service.talk" not in CONFIG_KEYS
    assert {p + ".kind" for p in LAW_PATHS} <= set(CONFIG_KEYS)


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_every_config_key_is_documented(key: str) -> None:
    assert f"`{key}`" in CONFIG_MD.read_text(encoding="utf-8"), f"{key} missing from {CONFIG_MD}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_distribution_kind_is_documented(kind: str) -> None:
    assert f"`{kind}`" in CONFIG_MD.read_text(encoding="utf-8"), f"kind {kind} missing"


def kind_sections(text: str) -> dict[str, str]:
    """kind -> the text under its ``### `kind` `` heading (one heading may name several)."""
    out: dict[str, str] = {}
    parts = re.split(r"^### (.*)$", text, flags=re.M)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        for kind in re.findall(r"`([a-z_0-9]+)`", heading):
            out[kind] = body
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_key_of_every_kind_has_a_table_row(kind: str) -> None:
    """docs/reference/config.md has one section per kind, with a table row per key of the
    kind (sim/core/law_schema.py) and its unit."""
    sections = kind_sections(CONFIG_MD.read_text(encoding="utf-8"))
    assert kind in sections, f"no '### `{kind}`' section in {CONFIG_MD}"
    rows = {
        cells[1].strip("` "): [c.strip() for c in cells]
        for line in sections[kind].splitlines()
        if line.startswith("|") and len(cells := line.split("|")) > 4
    }
    for key in allowed_keys(kind):
        assert key in rows, f"kind {kind}: no table row for `{key}`"
        assert rows[key][3], f"kind {kind}: `{key}` has no unit"
    assert set(rows) - {"Key", "---"} <= set(allowed_keys(kind)), f"kind {kind}: rows {rows}"


OUTPUT_NAMES = sorted(
    {*CALL_COLUMNS, *INTERVAL_COLUMNS, *DAY_COLUMNS, *AGENT_COLUMNS, *SUMMARY_KEYS,
     *STATS_COLUMNS, "replication", *TYPE_INTERVAL_COLUMNS, *GROUP_INTERVAL_COLUMNS,
     *TYPE_SUMMARY_COLUMNS, *GROUP_SUMMARY_COLUMNS, *CALLBACK_COLUMNS, *CALLBACK_KEYS}
)


@pytest.mark.parametrize("name", OUTPUT_NAMES)
def test_every_output_column_has_a_table_row(name: str) -> None:
    assert name in first_cells(OUTPUTS_MD.read_text(encoding="utf-8")), (
        f"no table row for `{name}` in {OUTPUTS_MD}"
    )


# ------------------------------------------------------------------------------- links
MARKDOWN = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def relative_links(path: Path) -> list[str]:
    """Targets of the inline links and images of a markdown file, outside code."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.M | re.S)  # fenced code blocks
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code
    targets = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I) or target.startswith("#"):
            continue  # http:, https:, mailto: ... and anchors within the page
        targets.append(target)
    return targets


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = [
        t for t in relative_links(path) if not (path.parent / t.split("#")[0]).resolve().exists()
    ]
    assert not broken, f"{path.relative_to(ROOT)}: broken links {broken}"


def test_link_checker_sees_links() -> None:
    links = relative_links(DOCS / "index.md")
    assert "tutorial/first-run.md" in links and "reference/config.md" in links
    assert not any(t.startswith("http") for t in links)


def test_index_links_every_page() -> None:
    linked = {(DOCS / t.split("#")[0]).resolve() for t in relative_links(DOCS / "index.md")}
    pages = {p.resolve() for p in DOCS.rglob("*.md")} - {(DOCS / "index.md").resolve()}
    assert not pages - linked, f"pages not linked from docs/index.md: {sorted(pages - linked)}"


# ------------------------------------------------------------------ documented defaults
def _value_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _same(doc: str, value: object) -> bool:
    """A documented default equals a schema value (numbers compared as numbers)."""
    doc = doc.strip('"')
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(doc) == float(value)
        except ValueError:
            return False
    return doc == _value_text(value)


def _documented_defaults() -> dict[str, str]:
    """key -> the Default cell of its row in config.md (column 4 of every key table)."""
    rows: dict[str, str] = {}
    for line in CONFIG_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        keys = re.findall(r"^`([^`]+)`$", cells[1]) if len(cells) > 5 else []
        if keys and keys[0] in CONFIG_KEYS:
            rows[keys[0]] = cells[4]
    return rows


def _get(obj: object, key: str) -> object:
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


DOCUMENTED_DEFAULTS = _documented_defaults()
_CLI = compose([])  # what the `callsim` command runs without overrides


def test_defaults_table_is_found() -> None:
    assert len(DOCUMENTED_DEFAULTS) > 60
    assert DOCUMENTED_DEFAULTS["center.busyness_var"].startswith("`0.01`; library: `0.0`")


@pytest.mark.parametrize("key", sorted(DOCUMENTED_DEFAULTS))
def test_documented_default_matches_the_schema(key: str) -> None:
    """The Default column says what `callsim` uses (sim/config/yaml/), and 'library: X' what a
    dict without the key gets (the dataclass default of sim/core/schema.py); lists and other
    values written in prose are not compared."""
    cell = DOCUMENTED_DEFAULTS[key]
    cli, lib = _get(_CLI, key), _get(Config(), key)
    first = re.match(r"^`([^`]*)`", cell)
    if first is None or isinstance(cli, list | tuple | dict):
        pytest.skip(f"default of {key} is a list or prose, not compared: {cell[:40]}")
    assert _same(first.group(1), cli), f"{key}: documented {first.group(1)}, configs give {cli!r}"
    library = re.search(r"library: `([^`]*)`", cell)
    if library:
        assert _same(library.group(1), lib), f"{key}: library {library.group(1)}, schema {lib!r}"
    else:
        assert _same(first.group(1), lib), (
            f"{key}: the schema default {lib!r} differs from configs ({cli!r}): "
            "document it as 'library: ...'"
        )


# ------------------------------------------------------------------------ site nav
def _nav_pages() -> set[str]:
    """The .md files named in the `nav` of mkdocs.yml (the lines `- Title: path.md`)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?([\w./-]+\.md)\s*$", text, flags=re.M))


def test_nav_lists_every_page() -> None:
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    nav = _nav_pages()
    assert "index.md" in nav and "tutorial/first-run.md" in nav
    assert not pages - nav, f"pages missing from the nav of mkdocs.yml: {sorted(pages - nav)}"
    assert not nav - pages, f"nav entries without a page: {sorted(nav - pages)}"
