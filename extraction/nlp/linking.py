"""Facts that need more than one record: model-level attributes and compatibility links.

Variants of one model differ in colour and capacity, so what one listing of "Zentek Nova 9"
states about the screen, RAM, connector or ear form holds for its other listings too (when the
listings that state it agree). Compatibility turns a case's "for Orbix Edge 10 Plus" into links to
the listings of that phone, a charger's connector into links to the phones with that connector,
and a laptop bag's screen size into links to the laptops of that size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from extraction.nlp.facts import Fact
from extraction.nlp.lexicon import (
    ANY_CATEGORY,
    ATTRIBUTES_BY_LEAF,
    BRAND_LEVEL_ATTRIBUTES,
    MODEL_LEVEL_ATTRIBUTES,
)
from extraction.nlp.vocab import fold


@dataclass
class ProductView:
    """What the extractor settled for one product record."""

    key: str
    brand: str | None = None
    leaf: str | None = None
    attrs: dict[str, Fact] = field(default_factory=dict)


def product_views(facts: Iterable[Fact]) -> dict[str, ProductView]:
    """Product record id -> its brand, leaf category and attribute facts."""
    views: dict[str, ProductView] = {}
    for f in facts:
        if f.source_label != "Product":
            continue
        v = views.setdefault(f.source_key, ProductView(f.source_key))
        if f.kind == "brand":
            v.brand = f.value
        elif f.kind == "category":
            v.leaf = f.value.split(">")[-1].strip()
        elif f.kind == "attribute":
            v.attrs[f.name] = f
    return views


def _allowed(view: ProductView, name: str) -> bool:
    return name in ATTRIBUTES_BY_LEAF.get(fold(view.leaf or ""), ANY_CATEGORY)


def propagate_model_attributes(facts: Sequence[Fact], discount: float = 0.85) -> list[Fact]:
    """New attribute facts for listings of a model that did not state a model-level attribute
    which the model's other listings state unanimously; then the same for brand-level
    attributes across a brand's models (at least three listings stating it, lower confidence)."""
    views = product_views(facts)
    by_model: dict[tuple[str, str, str], list[ProductView]] = defaultdict(list)
    for v in views.values():
        model = v.attrs.get("model")
        if v.brand and model:
            by_model[(v.brand, fold(v.leaf or ""), fold(model.value))].append(v)
    out = _spread(by_model.values(), MODEL_LEVEL_ATTRIBUTES, discount, 1)
    by_brand: dict[tuple[str, str], list[ProductView]] = defaultdict(list)
    for (brand, leaf, _), members in by_model.items():
        by_brand[(brand, leaf)].extend(members)
    known = {(f.source_key, f.name) for f in out}
    for f in _spread(by_brand.values(), BRAND_LEVEL_ATTRIBUTES, discount**2, 3):
        if (f.source_key, f.name) not in known:
            out.append(f)
    return out


def _spread(
    groups: Iterable[list[ProductView]], names: Sequence[str], discount: float, minimum: int
) -> list[Fact]:
    out: list[Fact] = []
    for members in groups:
        for name in names:
            stated = [v.attrs[name] for v in members if name in v.attrs]
            if len(stated) < minimum or len({f.value for f in stated}) != 1:
                continue
            conf = round(discount * min(f.confidence for f in stated), 3)
            for v in members:
                if name not in v.attrs and _allowed(v, name):
                    out.append(
                        _derived(v.key, "attribute", name, stated[0].value, conf, "propagated")
                    )
    return out


def _derived(key: str, kind: str, name: str, value: str, conf: float, method: str) -> Fact:
    return Fact("Product", key, kind, name, value, None, None, None, conf, method)


def compatibility_links(facts: Sequence[Fact]) -> list[Fact]:
    """``compatible_with`` facts from cases (named model), chargers (connector) and laptop bags
    (screen size) to the listings they fit; ``name`` says which attribute made the link."""
    views = product_views(facts)
    by_model: dict[str, list[ProductView]] = defaultdict(list)
    by_value: dict[tuple[str, str], list[ProductView]] = defaultdict(list)
    for v in views.values():
        model = v.attrs.get("model")
        if model and v.brand:
            by_model[fold(f"{v.brand} {model.value}")].append(v)
        for name in ("connector", "screen"):
            if name in v.attrs and "model" in v.attrs:  # things with a model are what others fit
                by_value[(name, v.attrs[name].value)].append(v)
    out: list[Fact] = []
    for v in views.values():
        targets: list[tuple[str, ProductView, float]] = []
        if "compat" in v.attrs:
            c = v.attrs["compat"]
            targets += [("compat", t, c.confidence) for t in by_model.get(fold(c.value), [])]
        if "model" not in v.attrs:
            for name in ("connector", "screen"):
                if name in v.attrs:
                    a = v.attrs[name]
                    targets += [(name, t, a.confidence) for t in by_value.get((name, a.value), [])]
        for name, t, conf in targets:
            if t.key != v.key:
                both = round(conf * t.attrs["model"].confidence, 3)
                out.append(_derived(v.key, "compatible_with", name, t.key, both, "linked"))
    return out
