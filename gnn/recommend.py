"""Next-purchase recommendation (User → Product): every model on one honest temporal split.

Protocol (see docs/gnn-recommend.md):

1. ``temporal_split`` cuts the purchases at global times ``t1 < t2``.
2. *Valid fold*: train on purchases before ``t1`` with the leakage-checked message graph at
   ``t1``; early-stop on valid Recall@20 (users buying something new in ``[t1, t2)``).
3. *Test fold*: refit from scratch on everything before ``t2`` (graph at ``t2``) for the epoch
   count chosen on valid, then rank the full catalogue for users buying something new after
   ``t2``, masking what they bought before. Hyperparameters were tuned on valid only.
4. A cold-start slice repeats the test ranking for targets nobody bought before ``t2``.

Every model sees the same folds, metrics, seed and device; the result is the report's
``recommend`` entry.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from gnn.baselines import ItemKNN, Popularity, trained_baseline
from gnn.device import peak_memory, reset_peak_memory, seed_everything
from gnn.message_graph import BOUGHT, build_message_graph
from gnn.metrics import evaluate_ranking, evaluate_rankings
from gnn.models.encoder import node_specs
from gnn.models.graph_filter import GraphFilterCF, ItemFilter, KGGraphFilter, item_links
from gnn.models.hetero_sage import HeteroSAGE
from gnn.models.kg_lightgcn import KGLightGCN
from gnn.split import EvalSet, Interactions, SplitConfig, TemporalSplit, eval_set, temporal_split
from gnn.train import Checkpoint, TrainConfig, TrainResult, embedding_scorer, fit_bpr

Scorer = Callable[[Tensor], Tensor]
BASELINES = ("popularity", "item-knn", "gf-cf", "kg-gf", "bpr-mf", "lightgcn")
GNNS = ("kg-lightgcn", "hetero-sage")
ALL_MODELS = BASELINES + GNNS
SELECTION_K = 20  # early stopping and model choice on valid Recall@20 (or the largest K)

# Chosen on the valid fold of small/seed 7 with the same budget per model (docs/gnn-recommend.md
# lists the grid); every model shares dim=64, batch size, epochs budget and patience. These fill
# only what the user's ``train:`` leaves unset (``TrainConfig.resolved``): a given lr always wins.
MODEL_TRAIN: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "bpr-mf": {"lr": 0.005, "emb_reg": 0.03},
        "lightgcn": {"lr": 0.003, "emb_reg": 1e-4},
        "kg-lightgcn": {"lr": 0.01, "emb_reg": 1e-3},
        "hetero-sage": {"lr": 0.003, "emb_reg": 1e-3},
    }
)
MODEL_ARGS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "lightgcn": {"num_layers": 3},
        "kg-lightgcn": {"num_layers": 2, "id_dropout": 0.2},
        "hetero-sage": {"num_layers": 2, "id_dropout": 0.2},
        # the paper's values (Shen et al. 2021), not tuned here; rank capped below min(U, I)
        "gf-cf": {"alpha": 0.3, "rank": 256},
        # GF-CF's values plus the KG filter's weight, chosen on valid among ``betas`` (0 is GF-CF)
        "kg-gf": {"alpha": 0.3, "rank": 256, "betas": (0.0, 0.1, 0.3, 1.0)},
    }
)
KG_FILTER = "kg-gf"


@dataclass(frozen=True)
class RecommendConfig:
    """Which models run and how.

    Args:
        models: names from ``ALL_MODELS``.
        dim: embedding width of every trained model (the same, so capacity is not the story);
            ``train.dim``, when set, wins (it is the spec's ``train: {dim}``).
        ks: cut-offs of the ranking metrics.
        knn_neighbours: neighbours kept per item by ``item-knn`` (tuned on valid).
        train: shared optimisation settings; ``model_train`` fills per model what it leaves
            unset (``lr``, ``emb_reg``), never what it sets.
        model_args: constructor arguments per model (layers, dropout).
        refit: retrain on train + valid before testing (else test the valid-fold model).
        ablate_text: graph models re-run without content features (text tokens, title
            embedding, numeric properties of products and reviews) for the report's ablation;
            none by default (it doubles their cost), a spec asks with ``ablations: [content]``.
        checkpoint_dir: where each fit saves its state after every evaluation, so a killed run
            resumes (a finished fit is read back instead of retrained); ``None``: no files.
    """

    models: tuple[str, ...] = ALL_MODELS
    dim: int = 64
    ks: tuple[int, ...] = (10, 20)
    knn_neighbours: int = 400
    train: TrainConfig = field(default_factory=TrainConfig)
    model_train: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MODEL_TRAIN)
    model_args: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MODEL_ARGS)
    refit: bool = True
    ablate_text: tuple[str, ...] = ()
    checkpoint_dir: Path | None = None


# Models whose inputs include content features: what ``ablations: [content]`` re-runs bare.
CONTENT_MODELS = ("kg-lightgcn",)


@dataclass
class Fold:
    """Everything a model may use when trained up to ``cut``, and what it is tested on."""

    name: str
    cut: float
    train: Interactions
    graph: HeteroData
    positives: Tensor
    eval: EvalSet
    left_out: dict[str, list[str]]


def make_fold(data: HeteroData, split: TemporalSplit, name: str) -> Fold:
    """``valid``: history before ``t1``, targets in ``[t1, t2)``; ``test``: before ``t2``, after."""
    cut, end = (split.t1, split.t2) if name == "valid" else (split.t2, None)
    history = split.interactions.window(None, cut)
    graph, left_out = build_message_graph(data, history, cut, split.config)
    cfg = split.config
    positives = graph[cfg.user, BOUGHT, cfg.item].edge_index
    future = split.interactions.window(cut, end)
    return Fold(
        name, cut, history, graph, positives, eval_set(history, future, split.num_items), left_out
    )


def train_and_evaluate(
    data: HeteroData,
    split_cfg: SplitConfig | None = None,
    model_cfg: RecommendConfig | None = None,
    seed: int = 7,
    device: torch.device | str = "cpu",
) -> dict[str, Any]:
    """Run every configured model on the temporal split; the report's ``recommend`` entry."""
    model_cfg = model_cfg or RecommendConfig()
    device = torch.device(device)
    split = temporal_split(data, split_cfg)
    valid, test = make_fold(data, split, "valid"), make_fold(data, split, "test")
    cold = ~torch.isin(torch.arange(split.num_items), test.train.item)
    cold_eval = test.eval.restrict(cold)
    models = []
    for name in model_cfg.models:
        t0 = time.perf_counter()
        reset_peak_memory(device)
        entry = _run_model(name, split, valid, test, model_cfg, seed, device, cold_eval)
        entry["total_seconds"] = round(time.perf_counter() - t0, 2)
        entry.update(peak_memory(device))
        models.append(entry)
    metric = selection_metric(model_cfg)
    best = max(models, key=lambda m: m["valid_metrics"][metric])["name"]
    selection = {"metric": f"valid {metric}", "best_on_valid": best, **served_note(models, metric)}
    ablation = {}
    for name in model_cfg.ablate_text:
        base = next((m for m in models if m["name"] == name), None)
        if base is None:
            continue
        bare = without_content(data, split.config)
        bare_split = temporal_split(bare, split.config)
        bv, bt = make_fold(bare, bare_split, "valid"), make_fold(bare, bare_split, "test")
        bare_cold = bt.eval.restrict(cold)
        bare_cfg = model_cfg
        if model_cfg.checkpoint_dir is not None:  # its own files: same config, other data
            bare_cfg = dataclasses.replace(
                model_cfg, checkpoint_dir=model_cfg.checkpoint_dir / "without-content"
            )
        entry = _run_model(name, bare_split, bv, bt, bare_cfg, seed, device, bare_cold)
        ablation[name] = {
            "with_content": base["metrics"],
            "without_content": entry["metrics"],
            "removed": "tokens and x of "
            + ", ".join(t for t in content_labels(split.config) if t in data.node_types),
        }
    return {
        "task": "next purchase of a not-yet-bought product (User -> Product)",
        "seed": seed,
        "device": str(device),
        "split": _describe(split, valid, test, cold_eval),
        "selection": selection,
        "models": models,
        "ablation": {"text_features": ablation},
    }


def _run_model(
    name: str,
    split: TemporalSplit,
    valid: Fold,
    test: Fold,
    cfg: RecommendConfig,
    seed: int,
    device: torch.device,
    cold_eval: EvalSet,
) -> dict[str, Any]:
    """Fit on valid (early stopping), refit on test for the chosen epochs, score both."""
    n_items = split.num_items

    def evaluate(scorer: Scorer, ev: EvalSet) -> dict[str, float]:
        return evaluate_ranking(scorer, ev.users, ev.targets, ev.exclude, n_items, cfg.ks)

    kg_filter: dict[str, Any] = {}
    if name == KG_FILTER:  # training-free, but its KG weight is chosen on valid
        valid_scorer, kg_filter = _kg_gf(split, valid, cfg)
        test_scorer, _ = _kg_gf(split, test, cfg, kg_filter["beta"])
        result, model, params, refit = None, None, 0, None
    else:
        gen = seed_everything(seed)
        valid_scorer, result, model = _fit(name, split, valid, cfg, gen, device, None, evaluate)
        test_scorer, params, refit = valid_scorer, _num_params(model), None
    if name != KG_FILTER and (cfg.refit or model is None):
        gen = seed_everything(seed)
        epochs = result.best_epoch if result is not None else None
        test_scorer, refit, _ = _fit(name, split, test, cfg, gen, device, epochs, evaluate)
    entry: dict[str, Any] = {
        "name": name,
        "is_gnn": name in GNNS or name == "lightgcn",
        "metrics": _round(evaluate(test_scorer, test.eval)),
        "valid_metrics": _round(
            kg_filter.pop("valid_metrics", None) or evaluate(valid_scorer, valid.eval)
        ),
        "cold_start": _round(evaluate(test_scorer, cold_eval)) if cold_eval.num_users else {},
        "params": params,
        "train_config": dataclasses.asdict(train_config(name, cfg)) if model else None,
        "model_args": dict(cfg.model_args.get(name, {})),
    }
    if result is not None:
        entry.update(
            curve=result.curve,
            best_epoch=result.best_epoch,
            epochs_run=result.epochs_run,
            stopped=result.stopped,
            seconds_per_epoch=result.seconds_per_epoch,
            fit_seconds=result.wall_seconds,
        )
        if result.resumed_at:
            entry["resumed_at_epoch"] = result.resumed_at
    if refit is not None:  # the test fold's refit for the chosen epochs (a budget may cut it)
        entry["test_refit"] = {
            "epochs_run": refit.epochs_run,
            "stopped": refit.stopped,
            "fit_seconds": refit.wall_seconds,
        }
    if isinstance(model, KGLightGCN):
        entry["relation_weights"] = model.relation_weights()
    if kg_filter:
        entry["kg_filter"] = kg_filter
    return entry


def _fit(
    name: str,
    split: TemporalSplit,
    fold: Fold,
    cfg: RecommendConfig,
    gen: torch.Generator,
    device: torch.device,
    epochs: int | None,
    evaluate: Callable[[Scorer, EvalSet], dict[str, float]],
) -> tuple[Scorer, TrainResult | None, nn.Module | None]:
    """Fit ``name`` on ``fold``; early-stop on ``fold.eval`` unless ``epochs`` is fixed."""
    if name in COUNT_BASELINES:
        return COUNT_BASELINES[name](split, fold, cfg), None, None
    model = build_model(name, fold.graph, split, cfg).to(device)

    metric = selection_metric(cfg)
    train_cfg = train_config(name, cfg)
    # early stopping may watch a seeded sample of the valid users (cheap at scale)
    early_eval = fold.eval.sample(train_cfg.eval_users or fold.eval.num_users, split.config.seed)

    def valid_recall() -> float:
        return evaluate(embedding_scorer(model, fold.graph), early_eval)[metric]

    result = trainer()(
        model,
        fold.graph,
        fold.positives,
        split.num_items,
        train_cfg,
        gen,
        valid_recall,
        epochs,
        metric,
        checkpoint=_checkpoint(name, fold, cfg, train_cfg, epochs),
        label=f"{name} ({fold.name} fold)",
    )
    return embedding_scorer(model, fold.graph), result, model


def _checkpoint(
    name: str, fold: Fold, cfg: RecommendConfig, train_cfg: TrainConfig, epochs: int | None
) -> Checkpoint | None:
    """``<checkpoint_dir>/<model>-<fold>.pt``, signed by everything that shapes the fit, so a
    file from another config or fold is never resumed from."""
    if cfg.checkpoint_dir is None:
        return None
    signature = json.dumps(
        {
            "model": name,
            "fold": fold.name,
            "train": dataclasses.asdict(train_cfg),
            "dim": model_dim(cfg),
            "args": dict(cfg.model_args.get(name, {})),
            "epochs": epochs,
            "positives": [int(fold.positives.shape[1]), int(fold.positives.sum())],
        },
        sort_keys=True,
        default=str,
    )
    return Checkpoint(cfg.checkpoint_dir / f"{name}-{fold.name}.pt", signature)


def trainer() -> Callable[..., TrainResult]:
    """``fit_bpr``, or its DDP twin when this process is one rank of a ``torchrun`` group."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        from gnn.distributed import fit_bpr_ddp

        return fit_bpr_ddp
    return fit_bpr


def build_model(
    name: str, graph: HeteroData, split: TemporalSplit, cfg: RecommendConfig
) -> nn.Module:
    """A fresh, seeded-by-caller model of kind ``name`` for this training graph."""
    builder = MODEL_BUILDERS.get(name)
    if builder is None:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join(KNOWN_MODELS)}")
    return builder(name, graph, split, cfg, dict(cfg.model_args.get(name, {})))


def _user_item(
    name: str, graph: HeteroData, split: TemporalSplit, cfg: RecommendConfig, args: dict[str, Any]
) -> nn.Module:
    """MF or LightGCN on the user-item purchases alone (no content, no other relationships)."""
    edge_type = (split.config.user, BOUGHT, split.config.item)
    layers = args.get("num_layers", 3)
    dim = model_dim(cfg)
    return trained_baseline(name, split.num_users, split.num_items, edge_type, dim, layers)


def _kg_lightgcn(
    name: str, graph: HeteroData, split: TemporalSplit, cfg: RecommendConfig, args: dict[str, Any]
) -> nn.Module:
    sc = split.config
    dim = model_dim(cfg)
    return KGLightGCN(node_specs(graph), list(graph.edge_types), sc.user, sc.item, dim, **args)


def _hetero_sage(
    name: str, graph: HeteroData, split: TemporalSplit, cfg: RecommendConfig, args: dict[str, Any]
) -> nn.Module:
    sc = split.config
    dim = model_dim(cfg)
    return HeteroSAGE(node_specs(graph), list(graph.edge_types), sc.user, sc.item, dim, **args)


def _popularity(split: TemporalSplit, fold: Fold, cfg: RecommendConfig) -> Scorer:
    return Popularity(split.num_items).fit(fold.positives)


def _item_knn(split: TemporalSplit, fold: Fold, cfg: RecommendConfig) -> Scorer:
    return ItemKNN(split.num_users, split.num_items, cfg.knn_neighbours).fit(fold.positives)


def _gf_cf(split: TemporalSplit, fold: Fold, cfg: RecommendConfig) -> Scorer:
    args = dict(cfg.model_args.get("gf-cf", {}))
    return GraphFilterCF(split.num_users, split.num_items, **args).fit(fold.positives)


def _kg_gf(
    split: TemporalSplit,
    fold: Fold,
    cfg: RecommendConfig,
    beta: float | None = None,
) -> tuple[Scorer, dict[str, Any]]:
    """``kg-gf`` on ``fold``: GF-CF plus the item-item filter over the static relationships of
    the items in the fold's graph (those ``split.config.static_rel_types`` names, as for
    KG-LightGCN). ``beta=None`` (the valid fold) tries every weight of ``betas`` on
    ``fold.eval`` and keeps the best (the smallest on ties: 0 is GF-CF itself); the test fold
    gets the weight chosen on valid. Without static item relations it is GF-CF, said so."""
    args = dict(cfg.model_args.get(KG_FILTER, {}))
    betas = tuple(float(b) for b in args.pop("betas", (0.0, 0.1, 0.3, 1.0)))
    model = kg_filter_model(split, fold.graph, fold.positives, cfg)
    info: dict[str, Any] = {"relations": model.relations, "entities": model.num_entities}
    if beta is None:
        metric = selection_metric(cfg)
        tried = betas if model.num_entities else (0.0,)
        ev = fold.eval
        by_beta = evaluate_rankings(  # one scoring pass for every weight
            lambda users: model.scores_by_beta(users, tried),
            ev.users, ev.targets, ev.exclude, split.num_items, cfg.ks,
        )  # fmt: skip
        curve = {str(b): round(by_beta.get(b, {}).get(metric, 0.0), 4) for b in tried}
        beta = max(tried, key=lambda b: (curve[str(b)], -b))
        info["valid_" + metric] = curve
        info["valid_metrics"] = by_beta.get(beta, {})
        if not model.num_entities:
            info["note"] = "no static item relationships in the graph: kg-gf is gf-cf"
    model.beta = beta
    info["beta"] = beta
    return model, info


def kg_filter_model(
    split: TemporalSplit, graph: HeteroData, positives: Tensor, cfg: RecommendConfig
) -> KGGraphFilter:
    """``kg-gf`` fitted on ``positives`` with the static item links of ``graph`` (weight 0:
    the caller sets the one chosen on valid); ``relations`` says which relations made it."""
    args = dict(cfg.model_args.get(KG_FILTER, {}))
    args.pop("betas", None)
    sc = split.config
    links, relations = item_links(graph, sc.item, sc.static_rel_types, exclude=(sc.user,))
    model = KGGraphFilter(split.num_users, split.num_items, links, beta=0.0, **args)
    model.fit(positives)
    model.relations = relations
    return model


def fit_item_filter(
    name: str,
    split: TemporalSplit,
    graph: HeteroData,
    positives: Tensor,
    cfg: RecommendConfig,
    beta: float = 0.0,
) -> ItemFilter:
    """A training-free model fitted on ``positives`` as the :class:`ItemFilter` it is served
    as (``kg-gf`` with its weight ``beta``, chosen on valid)."""
    if name == KG_FILTER:
        model = kg_filter_model(split, graph, positives, cfg)
        model.beta = beta
        return model.as_filter()
    fold = Fold("final", 0.0, split.interactions, graph, positives, _NO_EVAL, {})
    fitted = COUNT_BASELINES[name](split, fold, cfg)
    if isinstance(fitted, Popularity):
        return fitted.as_filter(split.num_users)
    if isinstance(fitted, ItemKNN | GraphFilterCF):
        return fitted.as_filter()
    raise ValueError(f"{name} is not a training-free model")


_NO_EVAL = EvalSet(
    torch.zeros(0, dtype=torch.long), torch.zeros((2, 0), dtype=torch.long),
    torch.zeros((2, 0), dtype=torch.long),
)  # fmt: skip
# Training-free models: fitted in one pass on the fold's purchases (counts, a closed-form graph
# filter), no epochs; served as the ``ItemFilter`` they are (``fit_item_filter``).
COUNT_BASELINES: Mapping[str, Callable[[TemporalSplit, Fold, RecommendConfig], Scorer]] = (
    MappingProxyType({"popularity": _popularity, "item-knn": _item_knn, "gf-cf": _gf_cf})
)
# kg-gf is training-free too, but fitted by ``_kg_gf`` (its weight is chosen on valid).
TRAINING_FREE = (*COUNT_BASELINES, KG_FILTER)
# Embedding models: trained by BPR, their embeddings are what an artefact stores and serves.
# Every model is servable (``gnn.served``): the one best on valid is refit and served.
MODEL_BUILDERS: Mapping[str, Callable[..., nn.Module]] = MappingProxyType(
    {
        "bpr-mf": _user_item,
        "lightgcn": _user_item,
        "kg-lightgcn": _kg_lightgcn,
        "hetero-sage": _hetero_sage,
    }
)
EMBEDDING_MODELS = tuple(MODEL_BUILDERS)
KNOWN_MODELS = (*TRAINING_FREE, *EMBEDDING_MODELS)


def served_note(models: list[dict[str, Any]], metric: str) -> dict[str, str]:
    """Which model serves: the best on valid among *all* models (training-free filters are
    served from their matrices, ``gnn.served``), ties to the earlier in the list."""
    if not models:
        return {"served": "none (no model ran)"}
    best = max(models, key=lambda m: m["valid_metrics"][metric])
    return {"served": best["name"]}


def selection_metric(cfg: RecommendConfig) -> str:
    """``recall@20`` when 20 is among the cut-offs, else recall at the largest one."""
    return f"recall@{SELECTION_K if SELECTION_K in cfg.ks else max(cfg.ks)}"


def train_config(name: str, cfg: RecommendConfig) -> TrainConfig:
    """The shared ``train`` config with the model's tuned values filling only unset fields."""
    return cfg.train.resolved(cfg.model_train.get(name, {}))


def model_dim(cfg: RecommendConfig) -> int:
    """Embedding width: the ``train: {dim}`` of a spec when set, else ``cfg.dim``."""
    return cfg.train.dim if cfg.train.dim is not None else cfg.dim


def _num_params(model: nn.Module | None) -> int:
    return sum(p.numel() for p in model.parameters()) if model is not None else 0


def _round(metrics: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in metrics.items()}


def _describe(split: TemporalSplit, valid: Fold, test: Fold, cold: EvalSet) -> dict[str, Any]:
    """The split's cut times and counts plus who is evaluated and what the graphs hold."""
    out = split.describe()
    out["eval"] = {
        fold.name: {"users": fold.eval.num_users, "targets": fold.eval.num_targets}
        for fold in (valid, test)
    }
    out["eval"]["test_cold_start"] = {"users": cold.num_users, "targets": cold.num_targets}
    out["message_graph"] = {
        fold.name: {
            "nodes": {t: int(fold.graph[t].num_nodes) for t in fold.graph.node_types},
            "edges": {"-".join(et): int(fold.graph[et].num_edges) for et in fold.graph.edge_types},
        }
        for fold in (valid, test)
    }
    out["left_out"] = valid.left_out
    return out


CONTENT_LABELS = ("Product", "Review")


def content_labels(cfg: SplitConfig) -> tuple[str, ...]:
    """The item label and the marketplace's review label: where titles and texts live."""
    return tuple(dict.fromkeys((cfg.item, *CONTENT_LABELS)))


def without_content(data: HeteroData, cfg: SplitConfig) -> HeteroData:
    """A copy of ``data`` whose item and review nodes keep only their IDs and times: the
    ablation that shows what titles, descriptions and review texts add."""
    bare = copy.copy(data)
    for label in content_labels(cfg):
        if label in bare.node_types:
            store = bare[label]
            for attr in ("x", "tokens"):
                if attr in store:
                    del store[attr]
    return bare
