"""EPANET import through the shell: counts, placement, idempotency, rejection."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from twin.demo import NET1
from twin.models import LifelineNetwork, NetworkLink, NetworkNode, Town

pytestmark = pytest.mark.django_db


def test_net1_imports_with_its_junctions_pipes_and_placement() -> None:
    call_command("import_epanet", str(NET1), town="net1-town", lat=31.0, lon=103.6)
    network = LifelineNetwork.objects.get(town__slug="net1-town")
    assert network.kind == "water"
    types = sorted(network.nodes.values_list("component_type", flat=True))
    assert types.count("junction") == 9 and types.count("reservoir") == 1
    assert types.count("tank") == 1
    assert network.links.filter(component_type="pipe").count() == 12
    assert network.links.filter(component_type="pump").count() == 1
    node = network.nodes.get(key="10")  # Net1 junction 10 sits at (20, 70) local units
    assert node.location.y == pytest.approx(31.0 + 70 / 111_000, abs=2e-5)
    assert node.location.x > 103.6


def test_reimport_updates_without_duplicates() -> None:
    for _ in range(2):
        call_command("import_epanet", str(NET1), town="net1-town", lat=31.0, lon=103.6)
    assert LifelineNetwork.objects.count() == 1
    assert NetworkNode.objects.count() == 11
    assert NetworkLink.objects.count() == 13


def test_local_network_without_placement_is_rejected_and_writes_nothing() -> None:
    with pytest.raises(CommandError) as info:
        call_command("import_epanet", str(NET1), town="nowhere")
    assert info.value.returncode == 2
    assert "--lat and --lon" in str(info.value)
    assert not Town.objects.exists()


def test_malformed_inp_exits_2_with_one_line(manage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.inp"
    bad.write_text("[JUNCTIONS]\n J1 not-a-number\n[PIPES]\n P1 J1 J9 100 x y\n")
    result = manage("import_epanet", str(bad), "--town", "x", "--epsg", "3857")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "broken.inp" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
