"""Task specs: what to learn on a graph, declared in YAML instead of code.

A spec names the kind of task, the labels and relationship types it concerns, the label and
feature properties, the split and the models. The built-in presets (``recommend``, ``fraud``)
describe the marketplace graph; a user points ``cartograph train --task my.yaml`` at their own
graph loaded through the mapping file. Example (MovieLens-style ratings)::

    name: movielens
    kind: link_prediction
    source: User
    target: Movie
    interaction: {relationship: RATED}        # or {event: Order, via: [PLACED, CONTAINS]}
    split: {kind: temporal, valid_frac: 0.1, test_frac: 0.1}
    models: [popularity, item-knn, bpr-mf, lightgcn, kg-lightgcn]
    write_back: {relationship: RECOMMENDED, top_k: 20}

Every identifier is checked against Cypher's identifier rules on load, because labels and
relationship types end up in query text (they cannot be parameters).

``runner`` names the code that runs the task (``gnn.tasks.runner.REGISTRY``); by default ``link``
for link prediction and ``node`` for node classification. ``train`` is typed per kind: the
trainer's own config (``gnn.train.TrainConfig`` for link prediction,
``gnn.classify_spec.TrainConfig`` for node classification), so a typo is ``[E144]`` naming the
valid keys, not a traceback from deep inside a trainer. A node task's ``models:`` picks among the
registered zoo (``gnn.classify_spec.NODE_MODELS``; an unknown name is ``[E146]``), and
``seeds: N`` runs the zoo on N seeds and reports mean and std.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cartograph.errors import CartographError, ConfigError
from gnn import classify_spec
from gnn import train as bpr
from graph.records import check_identifier

PRESETS = Path(__file__).resolve().parent.parent / "presets"
TaskKind = Literal["link_prediction", "node_classification"]
# The config each kind's trainer consumes, which is also what the spec's ``train:`` becomes.
TRAIN_CONFIGS: dict[str, type[Any]] = {
    "link_prediction": bpr.TrainConfig,
    "node_classification": classify_spec.TrainConfig,
}
DEFAULT_RUNNERS: dict[str, str] = {"link_prediction": "link", "node_classification": "node"}
TrainBlock = bpr.TrainConfig | classify_spec.TrainConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interaction(_Strict):
    """How a source-target link is observed: a direct relationship, or a path through a timed
    event node (``(User)-[:PLACED]->(Order)-[:CONTAINS]->(Product)``)."""

    relationship: str | None = None
    event: str | None = None
    via: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Interaction:
        direct = self.relationship is not None
        path = self.event is not None and self.via is not None
        if direct == path:
            raise ValueError("give either `relationship` or both `event` and `via`")
        return self


class Split(_Strict):
    """``temporal``: global cut times by a time property (with a gap and a label delay for
    classification); ``given``: a ``split`` property holding train/valid/test."""

    kind: Literal["temporal", "given"] = "temporal"
    time_property: str = "created_at"
    valid_frac: float = Field(default=0.1, gt=0, lt=0.5)
    test_frac: float = Field(default=0.1, gt=0, lt=0.5)
    gap_days: float = Field(default=0.0, ge=0)
    label_delay_days: float = Field(default=0.0, ge=0)
    label_time_property: str | None = None
    property: str = "split"


class WriteBack(_Strict):
    """Where ``cartograph score`` puts results: a relationship for link tasks, a property pair
    for classification tasks."""

    relationship: str = "RECOMMENDED"
    top_k: int = Field(default=20, ge=1, le=1000)
    score_property: str = "risk_score"
    model_property: str = "risk_model"


class Tune(_Strict):
    """A bounded hyperparameter search per model family on the valid period (Optuna TPE).
    ``trials`` per family; ``time_budget_s`` caps the whole search (split evenly over the
    families), after which each family keeps its best trial so far. With a time budget the
    number of trials depends on the machine; with ``trials`` alone the search is repeatable."""

    trials: int = Field(default=20, ge=1, le=500)
    time_budget_s: float | None = Field(default=None, gt=0)


class TaskSpec(_Strict):
    """One learning task on a graph; see the module docstring for an example."""

    name: str
    kind: TaskKind
    runner: str | None = None
    description: str = ""
    # link prediction
    source: str | None = None
    target: str | None = None
    interaction: Interaction | None = None
    static_relationships: tuple[str, ...] | None = None
    drop_labels: tuple[str, ...] | None = None
    # what the export reads (default: every label and relationship type of the database)
    labels: tuple[str, ...] | None = None
    relationships: tuple[str, ...] | None = None
    node_properties: dict[str, list[str]] | None = None
    ks: tuple[int, ...] = (10, 20)
    refit: Literal["train", "train+valid", "all"] | None = None  # served model's data
    ablations: tuple[Literal["content"], ...] = ()  # opt-in re-runs without content features
    # node classification
    label: str | None = None
    label_property: str | None = None
    feature_properties: tuple[str, ...] | None = None
    # both
    split: Split = Field(default_factory=lambda: Split())
    models: tuple[str, ...] | None = None
    seeds: int = Field(default=1, ge=1, le=20)
    tune: Tune | None = None
    write_back: WriteBack = Field(default_factory=lambda: WriteBack())
    seed: int | None = None
    train: TrainBlock = Field(default_factory=dict, validate_default=True)

    @field_validator("train", mode="before")
    @classmethod
    def _train_for_kind(cls, value: Any, info: ValidationInfo) -> Any:
        """The ``train:`` mapping as the kind's trainer config; unknown keys named."""
        config = TRAIN_CONFIGS.get(info.data.get("kind", ""))
        if config is None or not isinstance(value, dict):
            return value
        valid = sorted(f.name for f in dataclasses.fields(config))
        unknown = sorted(set(value) - set(valid))
        if unknown:
            raise PydanticCustomError(
                "unknown_train_key",
                "unknown key {key} (valid: {valid})",
                {"key": repr(unknown[0]), "valid": ", ".join(valid)},
            )
        try:
            return config(**value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PydanticCustomError(
                "train_value", "{where}: {msg}", {"where": where, "msg": first["msg"]}
            ) from None

    @property
    def runner_name(self) -> str:
        """``runner``, or the default of the task's kind."""
        return self.runner or DEFAULT_RUNNERS[self.kind]

    @field_validator("source", "target", "label")
    @classmethod
    def _label_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _ident(v, "label")
        return v

    @model_validator(mode="after")
    def _link_only(self) -> TaskSpec:
        """``refit`` and ``ablations`` steer the link-prediction runner only."""
        if self.kind != "link_prediction" and (self.refit is not None or self.ablations):
            raise ValueError("`refit` and `ablations` apply to link_prediction tasks only")
        return self

    @model_validator(mode="after")
    def _complete(self) -> TaskSpec:
        if self.kind == "link_prediction":
            if not (self.source and self.target and self.interaction):
                raise ValueError("link_prediction needs `source`, `target` and `interaction`")
            rels = [self.interaction.relationship, *(self.interaction.via or ())]
            for rel in [r for r in rels if r] + [self.write_back.relationship]:
                _ident(rel, "relationship type")
            if self.interaction.event:
                _ident(self.interaction.event, "label")
            if self.seeds != 1 or self.tune is not None:
                raise ValueError("`seeds` and `tune` are for node_classification tasks")
        else:
            if not (self.label and self.label_property):
                raise ValueError("node_classification needs `label` and `label_property`")
            unknown = [m for m in self.models or () if m not in classify_spec.NODE_MODELS]
            if unknown:
                raise PydanticCustomError(
                    "unknown_model",
                    "unknown model {model} (registered: {valid})",
                    {"model": repr(unknown[0]), "valid": ", ".join(classify_spec.NODE_MODELS)},
                )
            for prop in (
                self.label_property,
                self.write_back.score_property,
                self.write_back.model_property,
            ):
                _ident(prop, "property")
        return self


def _ident(name: str, what: str) -> None:
    """``check_identifier`` as a validation error, so the message names the spec's field."""
    try:
        check_identifier(name, what)
    except CartographError as exc:
        raise ValueError(exc.message if hasattr(exc, "message") else str(exc)) from None


def with_seeds(spec: TaskSpec, seeds: int | None) -> TaskSpec:
    """``spec`` with ``--seeds N`` applied (node-classification tasks; ``None`` keeps it)."""
    if seeds is None:
        return spec
    if spec.kind != "node_classification" or not 1 <= seeds <= 20:
        raise ConfigError(
            f"--seeds {seeds}: repeated seeds are for node-classification tasks, 1 to 20 "
            f"(task {spec.name!r} is {spec.kind})",
            code="E147",
        )
    return spec.model_copy(update={"seeds": seeds})


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


def load_task(name_or_path: str | Path) -> TaskSpec:
    """A preset by name (``recommend``, ``fraud``) or a spec file; errors name the field."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PRESETS / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(
                f"unknown task {name_or_path!r}: use one of {', '.join(preset_names())} "
                "or a path to a task spec YAML file",
                code="E140",
            )
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"task spec {path} does not exist", code="E141") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"task spec {path} is not valid YAML: {exc}", code="E142") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"task spec {path} must be a mapping at the top level", code="E142")
    try:
        return TaskSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "unknown_train_key":
            raise ConfigError(f"task spec {path}: train: {first['msg']}", code="E144") from None
        if first["type"] == "unknown_model":
            raise ConfigError(f"task spec {path}: models: {first['msg']}", code="E146") from None
        raise ConfigError(f"task spec {path}: field {where}: {first['msg']}", code="E143") from exc
