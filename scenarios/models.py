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
