"""The Gherkin specification stays traceable to the user's article and consistent with itself.

Why: the features are the product's specification of the article
(docs/wrike-onelogin-scim-article.txt). These checks keep that promise without running a
single scenario: every sentence of the article is either mapped to scenarios that exist or
explicitly judged not to state a behaviour; every tag is documented (it becomes a pytest
marker under --strict-markers); every step sentence matches exactly one pattern of the step
vocabulary, so step definitions stay few and parse patterns cannot mis-match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
ARTICLE = ROOT / "docs" / "wrike-onelogin-scim-article.txt"
TRACEABILITY = FEATURES / "TRACEABILITY.md"
TAGS = FEATURES / "TAGS.md"
STEPS = FEATURES / "STEPS.md"

NOT_BEHAVIOUR_HEADING = "# Sentences that state no behaviour"


@dataclass
class Scenario:
    ref: str  # features/<area>/<file>.feature: <Scenario name>
    tags: set[str]
    steps: list[tuple[str, str]]  # (kind, text) with the placeholders of each example row filled


@dataclass
class Traceability:
    mapped: dict[str, list[str]] = field(default_factory=dict)
    not_behaviour: dict[str, str] = field(default_factory=dict)


def _rows(scenario: dict) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for examples in scenario.get("examples", []):
        header = [c["value"] for c in examples["tableHeader"]["cells"]]
        for row in examples.get("tableBody", []):
            rows.append(dict(zip(header, (c["value"] for c in row["cells"]), strict=True)))
    return rows or [{}]


def _fill(text: str, row: dict[str, str]) -> str:
    for name, value in row.items():
        text = text.replace(f"<{name}>", value)
    return text


def _steps(steps: list[dict], row: dict[str, str]) -> list[tuple[str, str]]:
    kinds = {"Context": "Given", "Action": "When", "Outcome": "Then"}
    out: list[tuple[str, str]] = []
    kind = "Given"
    for step in steps:
        kind = kinds.get(step["keywordType"], kind)
        out.append((kind, _fill(step["text"], row)))
    return out


def _walk(
    rel: str, children: list[dict], tags: set[str], background: list[dict], out: list[Scenario]
) -> None:
    for child in children:
        if "background" in child:
            background = background + child["background"]["steps"]
        elif "rule" in child:
            rule = child["rule"]
            rule_tags = tags | {t["name"] for t in rule["tags"]}
            _walk(rel, rule["children"], rule_tags, background, out)
        elif "scenario" in child:
            sc = child["scenario"]
            own = tags | {t["name"] for t in sc["tags"]}
            for ex in sc.get("examples", []):
                own |= {t["name"] for t in ex["tags"]}
            steps = [s for row in _rows(sc) for s in _steps(background + sc["steps"], row)]
            out.append(Scenario(f"{rel}: {sc['name']}", own, steps))


@cache
def scenarios() -> tuple[Scenario, ...]:
    found: list[Scenario] = []
    for path in sorted(FEATURES.rglob("*.feature")):
        document = Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))
        feature = document["feature"]
        feature_tags = {t["name"] for t in feature["tags"]}
        _walk(path.relative_to(ROOT).as_posix(), feature["children"], feature_tags, [], found)
    return tuple(found)


def article_sentences() -> list[str]:
    """The article's sentences: one per line, bullets and numbering dropped, lines split at
    sentence ends. Headings and list items count as sentences too, so each is judged."""
    units: list[str] = []
    for line in ARTICLE.read_text(encoding="utf-8").splitlines():
        text = re.sub(r"^(•|\d+\.)\s*", "", line.strip())
        if text:
            units.extend(re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text))
    return units


@cache
def traceability() -> Traceability:
    trace = Traceability()
    sentence: str | None = None
    in_not_behaviour = False
    for raw in TRACEABILITY.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line.startswith("# "):
            in_not_behaviour = line == NOT_BEHAVIOUR_HEADING
            sentence = None
        elif line.startswith("## "):
            assert line.startswith('## "') and line.endswith('"'), f"unquoted sentence: {line}"
            assert not in_not_behaviour, f"mapped sentence in the no-behaviour section: {line}"
            sentence = line[4:-1]
            assert sentence not in trace.mapped, f"sentence listed twice: {sentence}"
            trace.mapped[sentence] = []
        elif line.startswith("- ") and in_not_behaviour:
            match = re.fullmatch(r'- "(.+)": (.+)', line)
            assert match, f"expected '- \"<sentence>\": <reason>', got: {line}"
            trace.not_behaviour[match[1]] = match[2]
        elif line.startswith("- ") and sentence is not None:
            trace.mapped[sentence].append(line[2:].strip())
    return trace


@cache
def step_patterns() -> list[tuple[set[str], str, re.Pattern[str]]]:
    patterns = []
    for line in STEPS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"- (Given/When|Given|When|Then) `([^`]+)` — \S", line)
        if match:
            kinds = set(match[1].split("/"))
            parts = re.split(r"\{[a-z_]+\}", match[2])
            regex = "(.+)".join(re.escape(p) for p in parts)
            patterns.append((kinds, match[2], re.compile(regex)))
    return patterns


def test_the_article_copy_is_present() -> None:
    assert article_sentences(), f"{ARTICLE} is empty or missing"


def test_every_listed_sentence_is_verbatim_in_the_article() -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    trace = traceability()
    missing = [s for s in [*trace.mapped, *trace.not_behaviour] if s not in article]
    assert not missing, f"not found verbatim in {ARTICLE.name}: {missing}"


def test_every_listed_sentence_names_at_least_one_scenario() -> None:
    empty = [s for s, refs in traceability().mapped.items() if not refs]
    assert not empty, f"sentences without a scenario: {empty}"


def test_every_listed_scenario_exists() -> None:
    existing = {s.ref for s in scenarios()}
    unknown = sorted({ref for refs in traceability().mapped.values() for ref in refs} - existing)
    assert not unknown, f"scenarios named in TRACEABILITY.md but not found: {unknown}"


def test_every_article_sentence_is_mapped_or_judged_not_a_behaviour() -> None:
    trace = traceability()
    judged = set(trace.mapped) | set(trace.not_behaviour)
    unjudged = [s for s in article_sentences() if s not in judged]
    assert not unjudged, f"article sentences neither mapped nor judged: {unjudged}"
    both = set(trace.mapped) & set(trace.not_behaviour)
    assert not both, f"sentences both mapped and judged not a behaviour: {both}"


def test_every_tag_used_is_listed_in_tags_md() -> None:
    listed = set(re.findall(r"^- `(@[A-Za-z_][A-Za-z0-9_]*)`:", TAGS.read_text(), re.M))
    used = {tag for s in scenarios() for tag in s.tags}
    assert used, "no tags found in the feature files"
    assert not used - listed, f"tags used but not listed in TAGS.md: {sorted(used - listed)}"


def test_scenario_names_are_unique_across_the_features() -> None:
    # pytest-bdd names each test function after its scenario; bound together in one module,
    # two scenarios of the same name would collide.
    names = [re.sub(r"\W+", "_", s.ref.split(": ", 1)[1].lower()) for s in scenarios()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"duplicate scenario names: {duplicates}"


@pytest.mark.parametrize("kind", ["Given", "When", "Then"])
def test_every_step_matches_exactly_one_pattern_of_the_vocabulary(kind: str) -> None:
    patterns = [(text, rx) for kinds, text, rx in step_patterns() if kind in kinds]
    problems: set[str] = set()
    for scenario in scenarios():
        for step_kind, text in scenario.steps:
            if step_kind != kind:
                continue
            matches = [p for p, rx in patterns if rx.fullmatch(text)]
            if len(matches) != 1:
                problems.add(f"{scenario.ref}: {kind} {text!r} matches {matches}")
    assert not problems, "\n".join(sorted(problems))


def test_every_pattern_of_the_vocabulary_is_used() -> None:
    used = {
        text
        for kinds, text, rx in step_patterns()
        for scenario in scenarios()
        for step_kind, step in scenario.steps
        if step_kind in kinds and rx.fullmatch(step)
    }
    unused = [text for _, text, _ in step_patterns() if text not in used]
    assert not unused, f"patterns in STEPS.md that no scenario uses: {unused}"
