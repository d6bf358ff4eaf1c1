"""Versioned model artefacts: one directory per trained model, ``latest`` per task.

Layout of ``<root>/<task>/<UTC stamp>/``:

* ``manifest.json`` — task spec, resolved config, data hash, code and library versions, the
  metrics of the run that produced it, the schema (node and edge types) the weights fit, and
  the list of tensor files;
* ``weights.pt`` — the model's ``state_dict`` (optional: count baselines have none);
* ``tensors.pt`` — what serving needs without rebuilding the model (user/item embeddings,
  per-node scores, purchase history), a flat ``dict[str, Tensor]``;
* ``keys.json`` — the node keys that row ``i`` of each tensor refers to, per label.

Both ``.pt`` files are loaded with ``weights_only=True``: an artefact is data, never code.
A directory is written under a temporary name and renamed into place, and ``latest`` is
repointed by an atomic rename, so a crash or a full disk never leaves a half-written model
behind ``latest``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from cartograph.errors import CartographError
from cartograph.private import DIR_MODE, make_private, private_dir, write_private_text

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class ArtefactError(CartographError):
    """A model directory that is missing, truncated, or made for another graph schema."""

    code = "E520"


@dataclass
class Artefact:
    """A trained model as stored: everything needed to score without retraining."""

    task: str
    model: str
    manifest: dict[str, Any]
    tensors: dict[str, Tensor] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    weights: dict[str, Tensor] | None = None
    path: Path | None = None

    @property
    def version(self) -> str:
        """``<task>/<directory name>``: what scores written back are tagged with."""
        return str(self.manifest.get("version", self.model))


def data_hash(data: HeteroData) -> str:
    """sha256 over node keys and edge lists: the same graph export gives the same hash."""
    h = hashlib.sha256()
    for t in sorted(data.node_types):
        h.update(t.encode())
        for key in getattr(data[t], "node_key", []) or []:
            h.update(str(key).encode())
            h.update(b"\0")
        h.update(str(int(data[t].num_nodes)).encode())
    for et in sorted(data.edge_types):
        h.update("-".join(et).encode())
        ei = data[et].edge_index
        h.update(ei.cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def save_artefact(root: Path, art: Artefact) -> Path:
    """Write ``art`` under ``root/<task>/<stamp>`` atomically; return the final directory."""
    task_dir = private_dir(root / art.task)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = task_dir / stamp
    tmp = task_dir / f".{stamp}.tmp"
    manifest = dict(art.manifest)
    manifest.update(
        format_version=FORMAT_VERSION,
        task=art.task,
        model=art.model,
        version=f"{art.task}/{stamp}",
        created_at=datetime.now(UTC).isoformat(),
        tensors=sorted(art.tensors),
        has_weights=art.weights is not None,
    )
    try:
        tmp.mkdir(mode=DIR_MODE)  # keys.json and scores name customers: owner only
        torch.save({k: v.detach().cpu() for k, v in art.tensors.items()}, tmp / "tensors.pt")
        if art.weights is not None:
            torch.save({k: v.detach().cpu() for k, v in art.weights.items()}, tmp / "weights.pt")
        write_private_text(tmp / "keys.json", json.dumps(art.keys))
        for written in tmp.iterdir():
            make_private(written)
        manifest["sha256"] = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tmp.iterdir())
        }
        write_private_text(tmp / MANIFEST, json.dumps(manifest, indent=2, default=str))
        os.replace(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ArtefactError(
            f"cannot write the model artefact under {task_dir}: {exc}", code="E521"
        ) from exc
    point_latest(final)
    art.manifest, art.path = manifest, final
    return final


def point_latest(model_dir: Path) -> None:
    """Repoint ``<task>/latest`` at ``model_dir`` with an atomic rename of a fresh symlink."""
    link = model_dir.parent / "latest"
    tmp = model_dir.parent / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(model_dir.name)
    os.replace(tmp, link)


def resolve(root: Path, task_or_path: str | Path) -> Path:
    """A model directory from a path, or ``<root>/<task>/latest`` from a task name."""
    p = Path(task_or_path)
    if p.is_dir() and (p / MANIFEST).exists():
        return p
    latest = root / str(task_or_path) / "latest"
    if latest.exists():
        return latest.resolve()
    raise ArtefactError(
        f"no trained model for {task_or_path!s}: run `cartograph train --task {task_or_path}`"
        f" first (looked in {latest})",
        code="E522",
    )


def load_artefact(path: Path) -> Artefact:
    """Read and verify a model directory (checksums, format); never executes pickled code."""
    path = Path(path)
    mpath = path / MANIFEST
    try:
        manifest = json.loads(mpath.read_text())
    except FileNotFoundError as exc:
        raise ArtefactError(f"{path} is not a model artefact (no {MANIFEST})", code="E522") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtefactError(f"{mpath} is unreadable or truncated: {exc}", code="E523") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtefactError(
            f"{path}: artefact format {manifest.get('format_version')!r}, this code reads "
            f"{FORMAT_VERSION}; retrain the model",
            code="E524",
        )
    for name, digest in manifest.get("sha256", {}).items():
        f = path / name
        if not f.exists() or hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            raise ArtefactError(
                f"{f} is missing or does not match its checksum (truncated or edited)",
                code="E523",
            )
    try:
        tensors = torch.load(path / "tensors.pt", weights_only=True, map_location="cpu")
        weights = (
            torch.load(path / "weights.pt", weights_only=True, map_location="cpu")
            if manifest.get("has_weights")
            else None
        )
        keys = json.loads((path / "keys.json").read_text())
    except Exception as exc:  # torch raises several types for a damaged file
        raise ArtefactError(f"{path}: cannot load the model files: {exc}", code="E523") from exc
    return Artefact(
        task=manifest["task"],
        model=manifest["model"],
        manifest=manifest,
        tensors=tensors,
        keys=keys,
        weights=weights,
        path=path,
    )


def check_schema(art: Artefact, node_types: list[str], edge_types: list[tuple[str, ...]]) -> None:
    """Refuse weights made for another graph schema, naming what differs."""
    want = art.manifest.get("schema", {})
    have_nodes, have_edges = sorted(node_types), sorted("-".join(e) for e in edge_types)
    missing_n = sorted(set(want.get("node_types", [])) - set(have_nodes))
    missing_e = sorted(set(want.get("edge_types", [])) - set(have_edges))
    if missing_n or missing_e:
        raise ArtefactError(
            f"model {art.version} was trained on another schema: the graph lacks "
            f"labels {missing_n} and relationships {missing_e[:5]}",
            code="E525",
        )
