"""Extracted facts with provenance, and their mapping onto the graph model.

A ``Fact`` says what was found (kind, name, value), about which raw record, where in which field
(character span, so a reviewer can check it) and how sure the extractor is. Facts stay free of
graph keys: ``facts_to_records`` is the one place that knows how raw ids become node keys and
which relationship each kind of fact becomes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.records import NodeRecord, RelRecord

KINDS = frozenset(
    {"brand", "category", "attribute", "compatible_with", "mentions", "order_ref", "intent",
     "sentiment", "aspect"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fact:
    """One extracted fact about one raw record (see the module docstring)."""

    source_label: str  # "Product", "Review" or "Ticket"
    source_key: str  # raw record id: "WS-P000001", "MP-L...", "WS-R...", "TCK-..."
    kind: str  # one of KINDS
    name: str  # attribute name, or the label for intent/sentiment/aspect
    value: str  # normalised value; a raw record id for order_ref/mentions/compatible_with
    field: str | None  # "title", "description", "text", "body", "subject", or a column name
    start: int | None
    end: int | None
    confidence: float
    method: str  # "rule", "classifier", "embedding", ...


def platform_key(raw_id: str) -> str:
    """Graph key of a raw record id: ``WS-P000001`` -> ``webshop:WS-P000001``,
    ``MP-L...``/``MP-<hex>`` -> ``marketplace:...``, ``TCK-...`` -> ``ticket:TCK-...``."""
    if raw_id.startswith("WS-"):
        return f"webshop:{raw_id}"
    if raw_id.startswith("MP-"):
        return f"marketplace:{raw_id}"
    if raw_id.startswith("TCK-"):
        return f"ticket:{raw_id}"
    return raw_id


def _span_props(fact: Fact) -> dict[str, Any]:
    props: dict[str, Any] = {"confidence": round(float(fact.confidence), 4), "method": fact.method}
    if fact.field is not None:
        props["field"] = fact.field
    if fact.start is not None and fact.end is not None:
        props["start"], props["end"] = int(fact.start), int(fact.end)
    return props


def _category_nodes(path: str) -> tuple[list[NodeRecord], list[RelRecord]]:
    """``"A > B"`` -> nodes ``A`` and ``A > B`` and ``(A > B)-[:SUBCATEGORY_OF]->(A)``."""
    parts = [p.strip() for p in path.split(">")]
    nodes, rels = [], []
    for i in range(len(parts)):
        key = " > ".join(parts[: i + 1])
        nodes.append(NodeRecord("Category", key, {"name": parts[i]}))
        if i:
            parent = " > ".join(parts[:i])
            rels.append(RelRecord("SUBCATEGORY_OF", "Category", key, "Category", parent))
    return nodes, rels


class _Builder:
    """Collects nodes and relationships, one per key / (start, type, end), best confidence."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[str, str], dict[str, Any]] = {}
        self.rels: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}

    def node(self, label: str, key: str, props: dict[str, Any] | None = None) -> None:
        self.nodes.setdefault((label, key), {}).update(props or {})

    def rel(
        self, rtype: str, start: tuple[str, str], end: tuple[str, str], props: dict[str, Any]
    ) -> None:
        k = (rtype, start[0], start[1], end[0], end[1])
        old = self.rels.get(k)
        if old is None or props.get("confidence", 0) > old.get("confidence", 0):
            self.rels[k] = props

    def records(self) -> tuple[list[NodeRecord], list[RelRecord]]:
        nodes = [
            NodeRecord(label, key, props) for (label, key), props in sorted(self.nodes.items())
        ]
        rels = [
            RelRecord(t, sl, sk, el, ek, props)
            for (t, sl, sk, el, ek), props in sorted(self.rels.items())
        ]
        return nodes, rels


_PRODUCT_LINKS = {"compatible_with": "COMPATIBLE_WITH", "mentions": "MENTIONS"}


def _add(b: _Builder, f: Fact, aspects: dict[str, list[str]]) -> None:
    """Nodes and relationships of one fact."""
    src = (f.source_label, platform_key(f.source_key))
    b.node(*src)
    props = _span_props(f)
    if f.kind == "brand":
        b.node("Brand", f.value, {"name": f.value})
        b.rel("MADE_BY", src, ("Brand", f.value), props)
    elif f.kind == "category":
        nodes, rels = _category_nodes(f.value)
        for n in nodes:
            b.node(n.label, n.key, dict(n.props))
        for r in rels:
            b.rel(r.type, (r.start_label, r.start_key), (r.end_label, r.end_key), {})
        b.rel("IN_CATEGORY", src, ("Category", nodes[-1].key), props)
    elif f.kind == "attribute":
        key = f"{f.name}={f.value}"
        b.node("Attribute", key, {"name": f.name, "value": f.value})
        b.rel("HAS_ATTRIBUTE", src, ("Attribute", key), props)
    elif f.kind in _PRODUCT_LINKS or f.kind == "order_ref":
        end = ("Order" if f.kind == "order_ref" else "Product", platform_key(f.value))
        b.node(*end)
        b.rel(_PRODUCT_LINKS.get(f.kind, "REFERS_TO"), src, end, props)
    elif f.kind in ("intent", "sentiment"):
        b.node(*src, {f.kind: f.name, f"{f.kind}_confidence": round(float(f.confidence), 4)})
    elif f.kind == "aspect":
        aspects[src[1]].append(f"{f.name}:{f.value}")


def facts_to_records(facts: Iterable[Fact]) -> tuple[list[NodeRecord], list[RelRecord]]:
    """Graph records for facts (see docs/extraction.md). Endpoint nodes (products, orders) are
    emitted with no properties so the relationships find them whatever the load order; document
    labels (intent, sentiment) become properties of the review or ticket node, and aspects the
    review's ``aspects`` (names) and ``aspect_sentiments`` (``"price:negative"``) lists. One
    relationship per (start, type, end) is kept: the most confident."""
    b = _Builder()
    aspects: dict[str, list[str]] = defaultdict(list)
    for f in facts:
        _add(b, f, aspects)
    for key, values in aspects.items():
        names = sorted({v.split(":")[0] for v in values})
        b.node("Review", key, {"aspects": names, "aspect_sentiments": sorted(set(values))})
    return b.records()
