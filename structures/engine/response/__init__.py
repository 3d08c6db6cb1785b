"""Structural response engine: MDOF shear models, OpenSees analyses, batch solver, damage and loss.

Pure Python (numpy, scipy, openseespy, ifcopenshell) - never Django. SI units (m, kg, N, s)
except where a name says otherwise (``_g``, ``_in``). See docs/structures/*.md.
"""

from structures.engine.response.batch import BatchResult, run_batch
from structures.engine.response.commands import (
    OpsCommand,
    apply_commands,
    matrix_model_commands,
    render_script,
    shear_model_commands,
)
from structures.engine.response.damage import exceedance, sample_states, state_probabilities
from structures.engine.response.design_levels import building_design_level, design_level_for
from structures.engine.response.errors import AnalysisFailed, StructuralModelError
from structures.engine.response.frame import (
    FrameMember,
    FrameModel,
    FrameNode,
    frame_commands,
    frame_from_ifc,
    regular_frame,
)
from structures.engine.response.inputs import (
    BuildingModelInput,
    GroundMotion,
    IsolatorParameters,
    validate_building,
)
from structures.engine.response.losses import LossRealisations, fragility_losses, response_losses
from structures.engine.response.modal import ModalResult, modal_analysis
from structures.engine.response.rating import (
    Rating,
    ResilienceIndicators,
    indicators_at_guarantee,
    rate_building,
)
from structures.engine.response.shear_model import (
    ShearModel,
    elastic_chain_model,
    shear_model_from_building,
)
from structures.engine.response.time_history import ResponseResult, model_script, run_time_history

__all__ = [
    "AnalysisFailed",
    "BatchResult",
    "BuildingModelInput",
    "FrameMember",
    "FrameModel",
    "FrameNode",
    "GroundMotion",
    "IsolatorParameters",
    "LossRealisations",
    "ModalResult",
    "OpsCommand",
    "Rating",
    "ResilienceIndicators",
    "ResponseResult",
    "ShearModel",
    "StructuralModelError",
    "apply_commands",
    "building_design_level",
    "design_level_for",
    "elastic_chain_model",
    "exceedance",
    "fragility_losses",
    "frame_commands",
    "frame_from_ifc",
    "indicators_at_guarantee",
    "matrix_model_commands",
    "modal_analysis",
    "model_script",
    "rate_building",
    "regular_frame",
    "render_script",
    "response_losses",
    "run_batch",
    "run_time_history",
    "sample_states",
    "shear_model_commands",
    "shear_model_from_building",
    "state_probabilities",
    "validate_building",
]
