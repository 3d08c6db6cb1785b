"""Report data model of a resilience assessment (one town, one scenario suite).

Sections follow the issue's outline: summary, indicator scorecard with the weights used,
recovery, town ranking, methods and data versions. Titles carry English and Chinese.
Figures are specs (id, kind, title, file name); :mod:`scenarios.engine.report.figures`
draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scenarios.engine.comparison import RankEntry
from scenarios.engine.errors import ReportError
from scenarios.engine.indicator_tree import IndicatorTree
from scenarios.engine.recovery_mc import RecoveryBands
from scenarios.engine.scoring import Scorecard

Cell = str | float | int
#: Table cell of an indicator that does not apply to the town (e.g. gas without a gas network).
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, slots=True)
class Table:
    """A table: column headers (en, zh) and rows of cells."""

    id: str
    columns_en: tuple[str, ...]
    columns_zh: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """A figure to draw: ``kind`` in {"recovery_bands", "scorecard", "ranking"}."""

    id: str
    kind: str
    title_en: str
    title_zh: str
    filename: str


@dataclass(frozen=True, slots=True)
class Section:
    """A report section with paragraphs, tables and figures."""

    id: str
    title_en: str
    title_zh: str
    paragraphs_en: tuple[str, ...]
    paragraphs_zh: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    figures: tuple[FigureSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportModel:
    """A resilience assessment report for one town and run."""

    town: str
    run_id: str
    tree_version: str
    sections: tuple[Section, ...]

    def figures(self) -> tuple[FigureSpec, ...]:
        """All figure specs in section order."""
        return tuple(f for s in self.sections for f in s.figures)


#: Column headers (English, Chinese) of the report tables.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "leaves": (
        ("indicator", "name", "名称", "run output", "value", "unit", "score", "weight"),
        ("指标", "name", "名称", "运行输出", "数值", "单位", "得分", "权重"),
    ),
    "nodes": (
        ("node", "name", "名称", "score", "grade", "weight"),
        ("节点", "name", "名称", "得分", "等级", "权重"),
    ),
    "recovery": (
        ("system", "loss mean (% d)", "loss p84 (% d)", "t90 mean (d)", "t100 p84 (d)"),
        (
            "系统",
            "韧性损失均值（%·天）",
            "韧性损失84%（%·天）",
            "恢复至90%均值（天）",
            "完全恢复84%（天）",
        ),
    ),
    "ranking": (("rank", "town", "score", "grade"), ("名次", "城镇", "得分", "等级")),
    "versions": (("item", "version"), ("项目", "版本")),
}
METHODS_EN = (
    "Indicator system after GB/T 40947-2021; AHP weights (Saaty 1980), CR < 0.1; resilience loss "
    "after Bruneau et al. (2003), doi:10.1193/1.1623497."
)
METHODS_ZH = (
    "指标体系参照 GB/T 40947-2021；层次分析法（Saaty 1980），CR < 0.1；"
    "韧性损失参照 Bruneau 等（2003）。"
)


def _table(table_id: str, rows: tuple[tuple[Cell, ...], ...]) -> Table:
    en, zh = COLUMNS[table_id]
    return Table(table_id, en, zh, rows)


def _scorecard_section(tree: IndicatorTree, card: Scorecard) -> Section:
    leaves = tuple(
        (
            s.node_id,
            tree.node(s.node_id).name_en,
            tree.node(s.node_id).name_zh,
            s.output_key,
            round(s.value, 6) if s.applicable else NOT_APPLICABLE,
            s.unit,
            round(s.score, 2) if s.applicable else NOT_APPLICABLE,
            round(s.global_weight, 4),
        )
        for s in card.leaves
    )
    nodes = tuple(
        (
            n.node_id,
            n.name_en,
            n.name_zh,
            round(n.score, 2) if n.applicable else NOT_APPLICABLE,
            n.grade,
            round(n.global_weight, 4),
        )
        for n in card.nodes
    )
    figure = FigureSpec(
        "scorecard",
        "scorecard",
        "Scores by object and capacity",
        "各对象与能力得分",
        "scorecard.png",
    )
    return Section(
        "scorecard",
        "Indicator scorecard",
        "指标评分",
        (f"Scored on indicator tree {card.tree_version}; weights from AHP (CR < 0.1).",),
        (f"采用指标体系 {card.tree_version} 评分；权重由层次分析法确定（CR < 0.1）。",),
        (_table("leaves", leaves), _table("nodes", nodes)),
        (figure,),
    )


def _recovery_section(bands: RecoveryBands) -> Section:
    keys = (
        "loss_pct_days_mean",
        "loss_pct_days_p84",
        "time_to_90_days_mean",
        "time_to_100_days_p84",
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (n, *(round(v[k], 2) for k in keys)) for n, v in bands.summary().items()
    )
    n = bands.loss_pct_days.shape[0]
    figure = FigureSpec(
        "recovery", "recovery_bands", "Functionality Q(t)", "功能曲线 Q(t)", "recovery.png"
    )
    return Section(
        "recovery",
        "Recovery of functionality",
        "功能恢复",
        (f"{n} Monte Carlo realisations (seed {bands.seed}); bands: 10th-90th percentiles.",),
        (f"蒙特卡洛模拟 {n} 次（随机种子 {bands.seed}）；阴影为10%-90%分位。",),
        (_table("recovery", rows),),
        (figure,),
    )


def _ranking_section(ranking: Sequence[RankEntry]) -> Section:
    rows = tuple((r.rank, r.town, round(r.score, 2), r.grade) for r in ranking)
    return Section(
        "ranking",
        "Town ranking",
        "城镇排名",
        ("Towns ranked by their mean score over the same scenario suite.",),
        ("按同一情景集的平均得分排名。",),
        (_table("ranking", rows),),
        (FigureSpec("ranking", "ranking", "Town ranking", "城镇排名", "ranking.png"),),
    )


def _summary_section(town: str, tree: IndicatorTree, card: Scorecard) -> Section:
    g = tree.grade_of(card.total)
    return Section(
        "summary",
        "Summary",
        "摘要",
        (f"{town}: resilience score {card.total:.1f} / 100, grade {g.grade} ({g.label_en}).",),
        (f"{town}：韧性得分 {card.total:.1f}/100，等级 {g.grade}（{g.label_zh}）。",),
    )


def _methods_section(tree: IndicatorTree, card: Scorecard, versions: Mapping[str, str]) -> Section:
    rows = (("indicator tree", tree.version), ("run", card.run_id), *sorted(versions.items()))
    return Section(
        "methods",
        "Methods and data versions",
        "方法与数据版本",
        (METHODS_EN,),
        (METHODS_ZH,),
        (_table("versions", rows),),
    )


def build_report(
    *,
    town: str,
    tree: IndicatorTree,
    scorecard: Scorecard,
    bands: RecoveryBands | None = None,
    ranking: Sequence[RankEntry] = (),
    versions: Mapping[str, str] | None = None,
) -> ReportModel:
    """Build the report model of one town's scored run.

    Raises
    ------
    ReportError
        The scorecard was scored on another tree version, or the town is not in the ranking.
    """
    if scorecard.tree_version != tree.version:
        raise ReportError(
            f"scorecard uses tree {scorecard.tree_version}; rescore on {tree.version}"
        )
    if ranking and town not in {r.town for r in ranking}:
        raise ReportError(f"town {town!r} is not in the ranking; rank it with the other towns")
    sections = [_summary_section(town, tree, scorecard), _scorecard_section(tree, scorecard)]
    if bands is not None:
        sections.append(_recovery_section(bands))
    if ranking:
        sections.append(_ranking_section(ranking))
    sections.append(_methods_section(tree, scorecard, versions or {}))
    return ReportModel(town, scorecard.run_id, tree.version, tuple(sections))
