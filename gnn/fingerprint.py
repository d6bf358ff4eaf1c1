"""Which graph a model belongs to: a fingerprint saved with every artefact, checked when served.

A model answers with row numbers of the nodes it was trained on; served on another graph it
recommends products that do not exist there, or scores orders by another shop's patterns, and
nothing looks wrong. Each manifest therefore records (``fingerprint``):

* **schema**: the labels and relationship types of the graph it was trained on (its export's
  node and edge types, less reverse edges and what scoring itself writes back: neither need
  exist in the graph), and the properties its task spec reads (keys, time, features, label);
* **key space**, per label the model scores (the labels of ``keys.json``): the node count, a
  sha256 over the sorted keys (exact identity, for people and audits), and a sample of
  ``SAMPLE_SIZE`` keys: those whose sha256 is smallest, a choice that is deterministic,
  independent of load order and spread over the whole key space.

Serving checks the schema (every label and relationship type exists) and the sample (at least
``MIN_FOUND`` of the sampled keys exist, via the key index). That costs two small queries at any
graph size, where re-hashing every key at start-up would read a million keys per label; and it
accepts what should be accepted: the same graph after new orders or users arrived (the key
space grew, the model's keys are all still there), while a graph with other keys finds almost
none of the sample. The full-key hash is recorded but not required to match, for that reason.

Computing it costs one sha256 per key and a sort, once per training: 1.78 s for a million keys
(measured on the shared 2-core box at load average 8.4).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from cartograph.errors import GraphMismatchError
from gnn.tasks.spec import TaskSpec
from graph.connection import Driver
from graph.fingerprint import GraphFacts, graph_facts
from graph.scores import RISK_BANDS

FINGERPRINT_VERSION = 1
SAMPLE_SIZE = 256
MIN_FOUND = 0.9


# What ``cartograph score`` writes into the graph: present after scoring, absent in a fresh
# load of the same data, so never part of what a model needs.
WRITTEN_BACK_LABELS = frozenset(label for label, _ in RISK_BANDS)
WRITTEN_BACK_TYPES = frozenset({"RECOMMENDED", "LIKELY_SAME_ACTOR"})


def fingerprint(
    keys: Mapping[str, Sequence[str]],
    schema: Mapping[str, Sequence[str]],
    written_back: Sequence[str] = (),
    properties: Sequence[str] = (),
) -> dict[str, Any]:
    """The manifest's ``fingerprint`` for a model scoring ``keys`` (per label), trained on a
    graph of ``schema`` (``{"node_types", "edge_types"}`` as ``gnn.tasks.link.schema`` gives)."""
    types = {et.split("-")[1] for et in schema.get("edge_types", []) if et.count("-") == 2}
    types = {t for t in types if not t.startswith("rev_")}
    types -= WRITTEN_BACK_TYPES | set(written_back)
    labels = (set(schema.get("node_types", [])) | set(keys)) - WRITTEN_BACK_LABELS
    return {
        "version": FINGERPRINT_VERSION,
        "labels": sorted(labels),
        "relationship_types": sorted(types),
        "properties": sorted({"key", *properties}),
        "key_space": {label: _key_space(list(ks)) for label, ks in sorted(keys.items())},
    }


def task_fingerprint(
    keys: Mapping[str, Sequence[str]], schema: Mapping[str, Sequence[str]], spec: TaskSpec
) -> dict[str, Any]:
    """``fingerprint`` for a model of ``spec``: the properties it reads come from the spec.
    (``gnn.tasks.runner.train_task`` calls it for every task before saving the artefact.)"""
    props = [*(spec.feature_properties or ()), spec.label_property]
    props += [p for ps in (spec.node_properties or {}).values() for p in ps]
    props.append(spec.split.time_property if spec.split.kind == "temporal" else spec.split.property)
    return fingerprint(
        keys, schema, [spec.write_back.relationship], [p for p in props if p is not None]
    )


def _key_space(keys: list[str]) -> dict[str, Any]:
    digests = [(hashlib.sha256(k.encode()).digest(), k) for k in keys]
    whole = hashlib.sha256()
    for key in sorted(keys):
        whole.update(key.encode())
        whole.update(b"\0")
    sample = [k for _, k in heapq.nsmallest(SAMPLE_SIZE, digests)]
    return {"count": len(keys), "sha256": whole.hexdigest(), "sample": sorted(sample)}


def mismatches(print_: Mapping[str, Any], facts: GraphFacts) -> list[str]:
    """What in the fingerprint the graph does not have (empty: the model fits)."""
    out = []
    labels = sorted(set(print_.get("labels", [])) - facts.labels)
    if labels:
        out.append(f"labels missing from the graph: {', '.join(labels[:5])}")
    types = sorted(set(print_.get("relationship_types", [])) - facts.types)
    if types:
        out.append(f"relationship types missing from the graph: {', '.join(types[:5])}")
    props = sorted(set(print_.get("properties", [])) - facts.properties)
    if props:
        out.append(f"properties missing from the graph: {', '.join(props[:5])}")
    for label, space in print_.get("key_space", {}).items():
        sample = space.get("sample", [])
        found = facts.found.get(label, 0)
        if sample and found < MIN_FOUND * len(sample):
            out.append(
                f"{found} of {len(sample)} sampled {label} keys exist here (the model knows "
                f"{space.get('count', '?')} {label} nodes, the graph holds "
                f"{facts.nodes.get(label, 0)})"
            )
    return out


def check_graph(manifest: Mapping[str, Any], driver: Driver, database: str) -> None:
    """Raise ``GraphMismatchError`` (E610) when the model of ``manifest`` was trained on another
    graph than the one behind ``driver``. An artefact saved before fingerprints existed has
    none and passes (its schema is still checked where weights are loaded)."""
    print_ = manifest.get("fingerprint")
    if not print_:
        return
    samples = {label: s.get("sample", []) for label, s in print_.get("key_space", {}).items()}
    problems = mismatches(print_, graph_facts(driver, database, samples))
    if problems:
        raise GraphMismatchError(
            f"model {manifest.get('version', '?')} was trained on another graph: "
            + "; ".join(problems)
            + " (train it on this graph, or point the service at the graph it was trained on)"
        )
