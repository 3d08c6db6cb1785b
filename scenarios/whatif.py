"""What-if runs: the same scenario with a retrofit option, diffed indicator by indicator.

A retrofit option is data (``RETROFITS``). It never touches the town's CIM rows: the variant
scenario carries it in ``Scenario.options["retrofit"]`` and the buildings step applies it to
its in-memory inputs (``structures.selectors.apply_retrofit``). The variant keeps the base
scenario's seed, so both runs draw the same ground motions and the same damage-state random
numbers; with fragility medians that only rise, a retrofitted building's damage state never
exceeds its base state in any realisation (common random numbers). See docs/scenarios/whatif.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scenarios.engine.comparison import ScoreDiff, diff_scorecards
from scenarios.models import Scenario, ScenarioRun
from scenarios.suite import run_reusing, scorecard
from structures import selectors as structure_selectors
from twin.models import Town

# School retrofit programme (校舍安全工程, 2009-2011) in data: masonry schools (EDU1, URM* and
# RM*) strengthened to reinforced masonry at the high-code design level (GB 50223-2008 puts
# schools in the "key" class, measures one degree above the site intensity). Unreinforced
# masonry maps to reinforced masonry of the same height class.
MASONRY_SCHOOLS: dict[str, Any] = {
    "occupancy_in": ["EDU1"],
    "system_prefixes": ["URM", "RM"],
    "system_map": {"URML": "RM1L", "URMM": "RM1M"},
    "design_level": "HC",
    "isolate": False,
}
RETROFITS: dict[str, dict[str, Any]] = {
    "retrofit-masonry-schools": {
        "id": "retrofit-masonry-schools",
        "label": "Retrofit all masonry schools (reinforced masonry, high-code)",
        **MASONRY_SCHOOLS,
    },
    "isolate-masonry-schools": {
        "id": "isolate-masonry-schools",
        "label": "Retrofit and base-isolate all masonry schools",
        **MASONRY_SCHOOLS,
        "isolate": True,  # acts in NLTHA runs; fragility runs see the strengthening only
    },
}


class WhatIfError(ValueError):
    """A what-if cannot be set up; the message says what to change."""


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A base run, its retrofit variant, the buildings the option touched and the diff."""

    base: ScenarioRun
    variant: ScenarioRun
    retrofitted: int
    diff: ScoreDiff


def retrofit_option(option_id: str) -> dict[str, Any]:
    """The retrofit option called ``option_id``."""
    if option_id not in RETROFITS:
        raise WhatIfError(f"unknown retrofit option {option_id!r}; choose from {sorted(RETROFITS)}")
    return RETROFITS[option_id]


def retrofit_targets(town: Town, option_id: str) -> list[int]:
    """Ids of the buildings of ``town`` the option changes (read only)."""
    option = retrofit_option(option_id)
    before = structure_selectors.town_buildings(town)
    after = structure_selectors.apply_retrofit(before, option)
    return [i for i, a, b in zip(before.ids, after.inputs, before.inputs, strict=True) if a != b]


def variant_scenario(base: Scenario, option_id: str) -> Scenario:
    """The base scenario with the retrofit option (created once, reused by name)."""
    option = retrofit_option(option_id)
    fields = {
        f.name: getattr(base, f.name)
        for f in base._meta.concrete_fields
        if f.name not in {"id", "name", "created_at", "options"}
    }
    fields["options"] = {**(base.options or {}), "retrofit": option}
    name = f"{base.name} | what-if: {option_id}"[:200]
    scenario, _ = Scenario.objects.update_or_create(
        town=base.town, name=name, defaults={k: v for k, v in fields.items() if k != "town"}
    )
    return Scenario.objects.select_related("town").get(pk=scenario.pk)


def whatif_run(*, base: Scenario, option_id: str) -> WhatIf:
    """Run (or reuse) the base scenario and its retrofit variant and diff their scorecards."""
    if (base.options or {}).get("retrofit"):
        raise WhatIfError("the base scenario already carries a retrofit; pick the plain one")
    targets = retrofit_targets(base.town, option_id)
    base_run = run_reusing(Scenario.objects.select_related("town").get(pk=base.pk))
    variant_run = run_reusing(variant_scenario(base, option_id))
    for run in (base_run, variant_run):
        if run.status != ScenarioRun.Status.SUCCEEDED:
            raise WhatIfError(f"run {run.pk} {run.status}: {run.error}")
    diff = diff_scorecards(scorecard(base_run), scorecard(variant_run))
    return WhatIf(base_run, variant_run, len(targets), diff)
