"""``manage.py nltha_towns`` on two tiny demonstration towns: the table counts the stored arrays.

Two generated towns at size factor 0.005, one time history per building, chunks in this process.
In the first town one building has an unknown structural system (no model input) and another's
OpenSees analysis diverges, so both failure paths show up in the counts. Runs skip the lifeline,
recovery, emergency and report steps (not needed for the buildings' results) to stay fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from scenarios import services, suite
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import StepFailed, run_directory
from scenarios.steps import hazard as hazard_module
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from scenarios.steps.nltha import N_NLTHA, nltha_realisations
from structures.engine.response import AnalysisFailed
from structures.engine.response import chunk as chunk_module
from twin import services as twin_services
from twin.models import Building, Town
from twin.towns import town_build

pytestmark = pytest.mark.django_db
SLUGS = ("tangshan-lunan", "yingxiu-hillside")
SIZE_FACTOR = 0.005
HAZARD_REALISATIONS = 3


@dataclass(frozen=True)
class Written:
    text: str
    runs: dict[str, int]  # town slug -> run pk
    bad_building: str  # global id of the building without a model input
    diverging: str  # global id of the building whose time history fails


def _no_data(key: str) -> Path:
    raise AssertionError(f"a generated town needs no package data ({key})")


@pytest.fixture(scope="module")
def written(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Written]:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("doc") / "ten-towns-nltha.md"
    out.write_text(
        "# header kept\n\n<!-- nltha-towns-table:start -->\nold\n"
        "<!-- nltha-towns-table:end -->\n\nfooter kept\n"
    )
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(services, "STEPS", [("hazard", hazard_step), ("buildings", buildings_step)])
        mp.setenv("TWIN_DASK_SCHEDULER", "inprocess")
        workdir = tmp_path_factory.mktemp("towns")
        for slug in SLUGS:
            town_build(
                slug=slug, data=_no_data, workdir=workdir, size_factor=SIZE_FACTOR, workers=1
            )
        first = Building.objects.filter(town__slug=SLUGS[0]).order_by("id")
        bad = first[0]
        Building.objects.filter(pk=bad.pk).update(structural_system="XX9")
        diverging = first[1].global_id
        real = chunk_module.run_time_history

        def diverges(model, motion, **kwargs):  # type: ignore[no-untyped-def]
            if model.id == diverging:
                raise AnalysisFailed("no convergence after Newton dt/2, Newton dt/16", 3.2)
            return real(model, motion, **kwargs)

        mp.setattr(chunk_module, "run_time_history", diverges)
        call_command(
            "nltha_towns",
            towns=list(SLUGS),
            realisations=HAZARD_REALISATIONS,
            nltha_realisations=1,
            write=str(out),
        )
        runs = {
            slug: ScenarioRun.objects.filter(scenario__town__slug=slug).latest("pk").pk
            for slug in SLUGS
        }
        yield Written(out.read_text(), runs, bad.global_id, diverging)
        Town.objects.filter(slug__in=SLUGS).delete()


def table_rows(text: str, header_start: str) -> dict[str, list[str]]:
    """Rows (town -> cells) of the markdown table whose header begins with ``header_start``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def stored(run_pk: int, name: str) -> dict[str, np.ndarray]:
    with np.load(run_directory(ScenarioRun.objects.get(pk=run_pk)) / f"{name}.npz") as data:
        return {k: data[k] for k in data.files}


def test_every_building_is_analysed_or_failed_with_a_counted_reason(written: Written) -> None:
    rows = table_rows(written.text, "| town | buildings |")
    assert set(rows) == set(SLUGS)
    for slug, cells in rows.items():
        buildings, analysed, failed = (int(c) for c in cells[:3])
        nltha = stored(written.runs[slug], "nltha")
        folder = run_directory(ScenarioRun.objects.get(pk=written.runs[slug]))
        failures = json.loads((folder / "nltha-failures.json").read_text())
        skipped = json.loads((folder / "buildings-skipped.json").read_text())
        assert buildings == Building.objects.filter(town__slug=slug).count() > 2
        assert analysed == int(nltha["analysed"].sum())
        assert failed == len(failures) + len(skipped)
        assert analysed + failed == buildings
        assert int(cells[4]) == 1  # time histories per building
        solved = [int(x) for x in re.findall(r"\d+", cells[5])]  # "n" or "n + m batch"
        assert sum(solved) == analysed  # one analysis per analysed building
        assert solved[0] == int((nltha["solver"][nltha["analysed"]] == 0).sum())  # OpenSees
        assert float(cells[7]) > 0  # analyses per second
    cells = rows[SLUGS[0]]
    assert cells[2] == "2"
    assert "time history: no convergence after Newton dt/2, Newton dt/16 (1)" in cells[3]
    assert "no model input: unknown Hazus type 'XX9' (1)" in cells[3]
    folder = run_directory(ScenarioRun.objects.get(pk=written.runs[SLUGS[0]]))
    assert list(json.loads((folder / "nltha-failures.json").read_text())) == [written.diverging]
    assert rows[SLUGS[1]][2:4] == ["0", "–"]


def test_drift_and_damage_states_are_those_of_the_stored_time_histories(
    written: Written,
) -> None:
    rows = table_rows(written.text, "| town | median peak drift")
    for slug, cells in rows.items():
        nltha, buildings = (
            stored(written.runs[slug], "nltha"),
            stored(written.runs[slug], "buildings"),
        )
        ok = nltha["analysed"]
        assert nltha["peak_drift_ratio"].shape[1] == 1  # the scenario option, not N_NLTHA
        assert buildings["damage_state"].shape[1] == HAZARD_REALISATIONS
        drift = np.nanmax(nltha["peak_drift_ratio"][ok, 0], axis=1)
        assert float(cells[0]) == pytest.approx(100 * np.median(drift), abs=5e-4)
        assert float(cells[1]) == pytest.approx(100 * np.percentile(drift, 90), abs=5e-4)
        factor = nltha["scale_factor"][ok, 0]
        low, high = (int(c) for c in cells[2].split(" / "))
        assert (low, high) == (int((factor == 0.25).sum()), int((factor == 4.0).sum()))
        states = [int(c) for c in cells[3:9]]
        assert states == np.bincount(buildings["damage_state"][ok, 0], minlength=6).tolist()
        assert sum(states) == int(ok.sum())
        assert int(cells[9]) == states[5]  # one motion: collapsed buildings = collapse pairs


def test_star_counts_add_up_to_the_rated_buildings(written: Written) -> None:
    rows = table_rows(written.text, "| town | overall")
    for slug, cells in rows.items():
        stars = stored(written.runs[slug], "buildings")["stars"]
        overall = [int(c) for c in cells[:4]]  # 3, 2, 1, 0 stars
        assert overall == [int((stars == s).sum()) for s in (3, 2, 1, 0)]
        assert (
            sum(overall) == stars.size == int(stored(written.runs[slug], "nltha")["analysed"].size)
        )
        ratings = stored(written.runs[slug], "ratings")
        assert np.array_equal(ratings["stars"], stars)
        for cell in cells[4:7]:
            assert sum(int(x) for x in cell.split("/")) == stars.size
        cost = [int(x) for x in cells[4].split("/")]
        assert cost == [int((ratings["repair_cost_ratio"] == s).sum()) for s in (3, 2, 1, 0)]
        # the overall grade is the lowest indicator: never more top grades than any indicator has
        assert overall[0] <= min(int(cell.split("/")[0]) for cell in cells[4:7])


def test_the_table_replaces_only_the_marked_block_and_states_the_run(written: Written) -> None:
    assert written.text.startswith("# header kept\n")
    assert written.text.rstrip().endswith("footer kept")
    assert "\nold\n" not in written.text
    note = re.search(r"_Suite `reference-v1` event `near-large`.*_", written.text)
    assert note is not None and "1 time history per building" in note.group(0)
    assert "load average" in note.group(0)


def test_nltha_runs_stay_out_of_the_suite_ranking(written: Written) -> None:
    towns = Town.objects.filter(slug__in=SLUGS)
    assert suite.latest_suite_runs(towns) == {}
    run = ScenarioRun.objects.get(pk=written.runs[SLUGS[0]])
    assert run.scenario.analysis == "nltha"
    assert run.scenario.options["nltha_realisations"] == 1


def test_the_time_history_count_option_is_checked(written: Written) -> None:
    town = Town.objects.get(slug=SLUGS[1])
    scenario = suite.nltha_scenario(town, nltha_realisations=2)
    assert nltha_realisations(scenario) == 2
    assert nltha_realisations(Scenario(town=town, options={})) == N_NLTHA
    with pytest.raises(StepFailed, match="nltha_realisations must be a whole number"):
        nltha_realisations(Scenario(town=town, options={"nltha_realisations": "many"}))
    with pytest.raises(ValueError, match="at least 1"):
        suite.nltha_scenario(town, nltha_realisations=0)
    with pytest.raises(CommandError, match="no towns \\['atlantis'\\]"):
        call_command("nltha_towns", towns=["atlantis"])
    twin_services.town_get_or_create(slug="nowhere")
    with pytest.raises(CommandError, match="nowhere: town nowhere has no origin"):
        call_command("nltha_towns", towns=["nowhere"])


def test_motions_are_scaled_to_the_gmpe_sa1_not_a_fallback(written: Written) -> None:
    """SA(1.0 s) is the GMPE's field ("SA(1)"), so Sa(T1) targets are not ~PGA/95 (clip 0.25)."""
    assert hazard_module._name(["PGA", "SA(0.3)", "SA(1)"], "1.0") == "SA(1)"
    assert hazard_module._name(["PGA", "SA(0.3)", "SA(1)"], "0.3") == "SA(0.3)"
    assert hazard_module._name(["PGA", "PGV"], "1.0") == ""
    for run_pk in written.runs.values():
        hazard, nltha = stored(run_pk, "hazard"), stored(run_pk, "nltha")
        ratio = np.median(hazard["building_sa10_g"] / hazard["building_pga_g"])
        assert 0.1 < ratio < 3.0  # Zhao (2006), Mw 7.2-7.9 within ~15 km
        assert np.mean(nltha["scale_factor"] > 0.25) > 0.5
