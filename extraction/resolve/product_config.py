"""The types that product matching (``products``) and clustering (``clusters``) share.

They live apart from both so that ``clusters`` can name the config and the scored-pair shape
without importing ``products``, which imports ``clusters``: a cycle, even a type-only one, makes
the two modules impossible to read or load one without the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from extraction.resolve.ann import AnnParams
from extraction.resolve.listings import DEFAULT_FX_TO_EUR

# (score, index of one listing, index of the other, method): one candidate pair after scoring.
Scored = tuple[float, int, int, str]


@dataclass(frozen=True)
class ProductConfig:
    """Knobs of product matching; the defaults were set on one generated seed (see docs)."""

    k: int = 30  # nearest neighbours per listing
    max_block: int = 60  # listings sharing a brand + name word, compared all against all
    # Neighbour search: HNSW for large brand blocks, exact below its threshold; None: exact.
    ann: AnnParams | None = field(default_factory=AnnParams)
    embed_description: bool = False  # embed title + description (twice the encoding time)
    # |log price ratio| allowed against the shop's own list price (sellers stay within ~17 %
    # of it), and between two sellers (each may deviate either way).
    max_price_gap: float = 0.16
    max_seller_price_gap: float = 0.3
    unique_platforms: tuple[str, ...] = ("webshop",)
    ambiguity_margin: float = 0.5  # logit units between a listing's two best shop partners
    fx_to_eur: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FX_TO_EUR))
    # Logistic weights, rounded from a fit on seed 7's candidate pairs (after vetoes): the
    # title's own name words missing from the other listing weigh most, then price distance.
    bias: float = 1.0
    w_cos: float = 1.0  # per unit of cosine above 0.7 (candidates are all near neighbours)
    w_agree: float = 0.5  # per fact (or brand) both state alike
    # Name words of one title that the other listing lacks: one-sided it is often a noun
    # ("T-Shirt" vs "tee"); both sides lacking the other's word is a different line.
    w_missing: float = -1.3  # per word, on the side missing more
    w_swapped: float = -4.0  # per word, on the side missing fewer
    w_price: float = -1.4  # per unit of price gap / allowed gap
    w_same_platform: float = -1.0  # two sellers on one marketplace: duplicates are rarer
