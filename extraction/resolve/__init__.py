"""Entity resolution: which customer accounts are one person, which listings one product.

The output is ``Match`` objects, turned into ``SAME_AS`` relationships by ``matches_to_records``.
Nothing here reads truth files; ``scoring`` evaluates against them separately.
See docs/entity-resolution.md for the method and measured quality.
"""

from extraction.resolve.match import Match, matches_to_records
from extraction.resolve.product_config import ProductConfig
from extraction.resolve.products import DEFAULT_PRODUCT_THRESHOLD, resolve_products
from extraction.resolve.users import DEFAULT_USER_THRESHOLD, UserWeights, resolve_users

__all__ = [
    "DEFAULT_PRODUCT_THRESHOLD",
    "DEFAULT_USER_THRESHOLD",
    "Match",
    "ProductConfig",
    "UserWeights",
    "matches_to_records",
    "resolve_products",
    "resolve_users",
]
