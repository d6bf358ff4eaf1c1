"""Review and support-ticket texts rendered from the phrasing pools.

Reviews: sentiment mostly agrees with the star rating, 0-2 aspects with their own polarity, and
sometimes a mention of another product by name. Tickets: an intent and, usually, an order number
written in one of several formats; the truth keeps the canonical order id and the span.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import ModuleType

from .catalog import Catalog, Product
from .surface import Fact, join_sentences, pick_pool, render
from .taxonomy import CATEGORIES

_BATTERY = {"phone", "headphones", "laptop"}
_FIT = {"shoes", "jacket", "tshirt", "bedding"}
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class ReviewText:
    """A rendered review plus the truth about it."""

    title: str
    text: str
    sentiment: str
    aspects: dict[str, str]  # aspect -> polarity
    mentions: list[Fact]  # value = product name; ids come from the catalogue's name groups
    pool: str


def rating_for(product: Product, rnd: random.Random) -> int:
    """1-5 stars driven by the product's latent quality plus personal noise."""
    score = 4.0 + 0.8 * product.quality + rnd.gauss(0.0, 1.0)
    return max(1, min(5, round(score)))


def _sentiment(rating: int, rnd: random.Random) -> str:
    """Text sentiment follows the stars, except in 7 % of reviews (mis-clicks, sarcasm)."""
    base = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
    if rnd.random() < 0.07:
        return rnd.choice([s for s in SENTIMENTS if s != base])
    return base


def _aspects(product: Product, sentiment: str, rnd: random.Random) -> dict[str, str]:
    key = CATEGORIES[product.category].key
    options = ["quality", "delivery", "price"]
    options += ["battery"] if key in _BATTERY else []
    options += ["size_fit"] if key in _FIT else []
    k = rnd.choices((0, 1, 2), (0.1, 0.6, 0.3))[0]
    chosen = sorted(rnd.sample(options, k))
    return {a: sentiment if rnd.random() < 0.75 else rnd.choice(SENTIMENTS) for a in chosen}


def _mention(
    product: Product, catalog: Catalog, pool: ModuleType, rnd: random.Random
) -> tuple[str, list[Fact]]:
    """Mention another product of the same category by name (names group variants)."""
    same = [n for n in catalog.category_names[product.category] if n != product.name]
    if not same:
        return "", []
    name = rnd.choice(same)
    surface = name if rnd.random() < 0.8 else name.lower()
    return render(str(rnd.choice(pool.REVIEW_MENTIONS)), {"other": (surface, name)}, {})


def review_text(product: Product, rating: int, catalog: Catalog, rnd: random.Random) -> ReviewText:
    """Render one review for a product and rating."""
    pool = pick_pool(rnd)
    sentiment = _sentiment(rating, rnd)
    aspects = _aspects(product, sentiment, rnd)
    pieces: list[tuple[str, list[Fact]]] = [(str(rnd.choice(pool.REVIEW_OPENERS[sentiment])), [])]
    pieces += [(str(rnd.choice(pool.REVIEW_ASPECTS[a][s])), []) for a, s in aspects.items()]
    if rnd.random() < 0.12:
        pieces.append(_mention(product, catalog, pool, rnd))
    pieces.append((str(rnd.choice(pool.REVIEW_CLOSERS[sentiment])), []))
    text, facts = join_sentences(pieces, rnd)
    head = str(rnd.choice(pool.REVIEW_TITLES[sentiment]))
    return ReviewText(head, text, sentiment, aspects, facts, pool.NAME)


@dataclass(frozen=True, slots=True)
class TicketText:
    """A rendered ticket; ``ref`` is the cited order id's token span (None when not cited)."""

    subject: str
    body: str
    ref: Fact | None
    pool: str


def _order_ref(
    platform: str, order_id: str, pool: ModuleType, rnd: random.Random
) -> tuple[str, Fact]:
    """The order as the customer writes it, and the span of the id token within that phrase."""
    slots: dict[str, tuple[str, str | None]] = {
        "id": (order_id, order_id),
        "num": (order_id.rsplit("O", 1)[-1], order_id),
        "hex": (order_id[3:], order_id),
    }
    text, facts = render(
        str(rnd.choice(pool.ORDER_REFS[platform])),
        slots,
        {"id": "order", "num": "order", "hex": "order"},
    )
    return text, facts[0]


def ticket_text(
    intent: str, order: tuple[str, str] | None, first_name: str, rnd: random.Random
) -> TicketText:
    """Render a ticket for an intent, citing ``order`` = (platform, order id) when given."""
    pool = pick_pool(rnd)
    bodies = list(pool.TICKET_BODIES[intent])
    with_ref = [b for b in bodies if "{ref}" in b]
    without = [b for b in bodies if "{ref}" not in b]
    if order is not None and with_ref and (rnd.random() < 0.92 or not without):
        phrase, token = _order_ref(order[0], order[1], pool, rnd)
        body, outer = render(rnd.choice(with_ref), {"ref": (phrase, order[1])}, {})
        facts = [token.shifted(outer[0].start)]
    else:
        body, facts = (rnd.choice(without) if without else "Please help."), []
    closer = str(rnd.choice(pool.TICKET_CLOSERS))
    sign = f" {first_name}" if rnd.random() < 0.5 else ""
    opener = str(rnd.choice(pool.TICKET_OPENERS))
    text, facts = join_sentences([(opener, []), (body, facts), (closer + sign, [])], rnd)
    subject = str(rnd.choice(pool.TICKET_SUBJECTS[intent]))
    return TicketText(subject, text, facts[0] if facts else None, pool.NAME)
