"""Scenarios, their runs (the run row is the truth), and indicator scores with lineage."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator

from twin.models import Town

GMPE_CHOICES = [
    ("BSSA14", "Boore, Stewart, Seyhan & Atkinson (2014), NGA-West2"),
    ("YU2013", "Yu Yanxiang et al. (2013), China (GB 18306-2015 basis)"),
    ("ZHAO2006", "Zhao et al. (2006)"),
]
ANALYSIS_CHOICES = [
    ("fragility", "Fragility curves on intensity measures (fast)"),
    ("nltha", "OpenSees nonlinear time history of every building"),
]


class Scenario(models.Model):
    """An earthquake in a town and how to analyse it."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200)
    epicentre = models.PointField(srid=4326)
    magnitude = models.FloatField(validators=[MinValueValidator(4.0), MaxValueValidator(9.5)])
    depth_km = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(70.0)])
    strike_deg = models.FloatField(default=0.0)
    dip_deg = models.FloatField(default=90.0)
    rake_deg = models.FloatField(default=0.0)
    finite_rupture = models.BooleanField(default=True, help_text="size the rupture from M")
    gmpe = models.CharField(max_length=12, choices=GMPE_CHOICES, default="BSSA14")
    analysis = models.CharField(max_length=12, choices=ANALYSIS_CHOICES, default="fragility")
    realisations = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    seed = models.PositiveIntegerField(default=1)
    time_of_day = models.CharField(
        max_length=3,
        choices=[("2AM", "2 AM (night)"), ("2PM", "2 PM (day)"), ("5PM", "5 PM")],
        default="2PM",
    )
    wind_speed_m_s = models.FloatField(default=3.0, validators=[MinValueValidator(0.0)])
    wind_from_deg = models.FloatField(default=270.0)
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text='run options, e.g. {"retrofit": {...}} for a what-if (scenarios/whatif.py)',
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["town", "name"]

    def __str__(self) -> str:
        return f"{self.name} (M{self.magnitude}, {self.town.slug})"


class ScenarioRun(models.Model):
    """One execution of a scenario: status, step, progress, log, versions, digest, timings."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    input_digest = models.CharField(max_length=64, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="step → seconds")
    outputs = models.JSONField(default=dict, blank=True, help_text="run outputs for indicators")
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="last sign of life")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.scenario} ({self.status})"

    @property
    def town(self) -> Town:
        return self.scenario.town

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED}


class IndicatorScore(models.Model):
    """A node or leaf of the indicator tree scored for one run, with its lineage."""

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="scores")
    node = models.CharField(max_length=120)
    label = models.CharField(max_length=200, blank=True)
    score = models.FloatField()
    grade = models.CharField(max_length=4, blank=True)
    weight = models.FloatField(null=True, blank=True)
    lineage = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "node"], name="score_unique")]
        ordering = ["run", "node"]

    def __str__(self) -> str:
        return f"{self.node}: {self.score:.1f}"


class Drill(models.Model):
    """An emergency drill on a succeeded run: a timeline of injects stepped by planners.

    The plans themselves (every step, routes, after-action report) live in a JSON file in the
    run's folder (``drills/<id>.json``); ``outcome`` keeps a small summary for listings.
    """

    class Status(models.TextChoices):
        PLANNED = "planned"
        RUNNING = "running"
        FINISHED = "finished"

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="drills")
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    start_s = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0)],
        help_text="drill start, seconds after the earthquake",
    )
    clock_s = models.FloatField(default=0.0, help_text="drill time reached, s after the earthquake")
    rescue_teams = models.PositiveIntegerField(
        null=True, blank=True, help_text="search-and-rescue teams (default: the run's)"
    )
    outcome = models.JSONField(default=dict, blank=True, help_text="summary of the plan in force")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"drill {self.pk} on run {self.run_id} ({self.status})"

    @property
    def town(self) -> Town:
        return self.run.scenario.town


class DrillInject(models.Model):
    """One event of a drill's timeline; applied once the drill clock reaches ``time_s``."""

    class Kind(models.TextChoices):
        AFTERSHOCK = "aftershock"
        IGNITION = "ignition"
        ROAD_CLOSURE = "road_closure"
        HOSPITAL_POWER_LOSS = "hospital_power_loss"

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    time_s = models.FloatField(help_text="seconds after the earthquake")
    magnitude = models.FloatField(null=True, blank=True, help_text="aftershock magnitude")
    building = models.ForeignKey(
        "twin.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    road = models.ForeignKey(
        "twin.NetworkLink", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    hospital = models.ForeignKey(
        "twin.Facility", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["drill", "time_s", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.time_s:g} s (drill {self.drill_id})"

    @property
    def town(self) -> Town:
        return self.drill.town
