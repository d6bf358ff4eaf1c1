"""Scale parameters and fixed constants of the synthetic marketplace world.

Every number that shapes the generated data lives here, so a reviewer can see and tune it without
reading the generation code. The scales are frozen dataclass instances: a run is fully described
by ``(scale, seed)`` and nothing else, which is what makes outputs byte-reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

GENERATOR_VERSION = "1.0.0"

START_TS = 1_735_689_600  # 2025-01-01T00:00:00Z: the data covers one calendar year ...
END_TS = 1_767_225_599  # 2025-12-31T23:59:59Z: ... and chargebacks after this are not yet known.
DAY = 86_400

PLATFORMS = ("webshop", "marketplace", "app")
WEBSHOP, MARKETPLACE, APP = 0, 1, 2

COUNTRIES = ("GB", "DE", "FR", "NL", "US", "ES")
# A European-centred shop with a US arm: enough mix for three currencies and phone/address styles.
COUNTRY_WEIGHTS = (0.26, 0.24, 0.14, 0.10, 0.18, 0.08)
CURRENCY = {"GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "US": "USD", "ES": "EUR"}
# Catalogue prices are kept in EUR; orders are charged in the buyer's currency at these rates.
EUR_RATE = {"EUR": 1.0, "GBP": 0.85, "USD": 1.08}

DUPLICATE_RATE = 0.005  # share of rows exported twice (the classic double-export bug)
TEMPLATE_HELDOUT_SHARE = 0.3  # share of texts drawn from the held-out phrasing pool


@dataclass(frozen=True)
class ScaleConfig:
    """Sizes of one scale; fraud counts are in 'incidents', each producing several orders."""

    name: str
    n_persons: int
    n_products: int
    n_orders: int  # target for all orders (legit + fraud); the realised count is within ~10 %
    n_sellers: int
    n_rings: int  # each ring: 3-8 accounts x 1-4 orders (~14 orders)
    n_takeovers: int  # each takeover: 1-3 orders (~2)
    n_stolen_cards: int  # each card: 3-5 accounts x 1-2 orders (~6)
    n_refund_abusers: int  # each abuser: 3-6 orders with false "not received" tickets (~4.5)
    n_promo_devices: int  # each device: 5-12 fresh accounts x 1 promo order (~8.5)
    chunk_orders: int  # orders rendered per streaming chunk (bounds memory at large scale)
    # Camouflaged fraud (``generate(..., fraud="camouflaged")``): aged accounts, fewer shared
    # identifiers, ordinary goods, slower timing, real accounts drawn into rings.
    camouflage: bool = False


# Small: the test/CI scale. 2k persons x ~7.5 orders/year mirrors a mid-size shop's active base;
# 800 products keep ~50 per category so popularity skew and complements are visible.
# Fraud incidents add ~430 orders, i.e. ~3 % of 15k, the middle of the 2-4 % target.
SMALL = ScaleConfig(
    name="small",
    n_persons=2_000,
    n_products=800,
    n_orders=15_000,
    n_sellers=60,
    n_rings=8,
    n_takeovers=45,
    n_stolen_cards=12,
    n_refund_abusers=20,
    n_promo_devices=8,
    chunk_orders=20_000,
)

# Medium: 10x orders and persons (same orders/person), products grow slower than customers as
# in real catalogues; fraud incidents scale with orders to keep the fraud rate at ~3 %.
MEDIUM = ScaleConfig(
    name="medium",
    n_persons=20_000,
    n_products=5_000,
    n_orders=150_000,
    n_sellers=300,
    n_rings=80,
    n_takeovers=450,
    n_stolen_cards=120,
    n_refund_abusers=200,
    n_promo_devices=80,
    chunk_orders=50_000,
)

# Large: the streaming scale. 1.05M target so the realised count stays >= 1M; persons and
# products follow the medium ratios; fraud is 70x small (orders are 70x small).
LARGE = ScaleConfig(
    name="large",
    n_persons=140_000,
    n_products=12_000,
    n_orders=1_050_000,
    n_sellers=1_500,
    n_rings=560,
    n_takeovers=3_150,
    n_stolen_cards=840,
    n_refund_abusers=1_400,
    n_promo_devices=560,
    chunk_orders=50_000,
)

SCALES: dict[str, ScaleConfig] = {c.name: c for c in (SMALL, MEDIUM, LARGE)}


def scale_config(scale: str) -> ScaleConfig:
    """Look a scale up by name; a clear error beats a KeyError deep inside generation."""
    try:
        return SCALES[scale]
    except KeyError:
        known = ", ".join(sorted(SCALES))
        raise ValueError(f"unknown scale {scale!r}; expected one of {known}") from None
