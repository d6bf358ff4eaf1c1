"""Word lists for product attributes whose values exclude each other (a phone is red *or* blue).

Generic retail vocabulary, written from general knowledge rather than from any generator's
phrase pools, so it carries over to a user's own catalogue. Each group maps surface phrases to
one canonical value; phrases are matched longest first, so "navy blue" wins over "blue" and
"dark blue" is read as navy before "dark" can be read as a coffee roast.
"""

from __future__ import annotations

COLOURS: dict[str, tuple[str, ...]] = {
    "black": ("black", "jet black", "matte black", "midnight black", "onyx", "blk", "noir"),
    "white": ("white", "snow white", "ivory", "off-white", "off white", "pearl white", "blanc"),
    "silver": ("silver", "metallic silver", "space silver"),
    "grey": ("grey", "gray", "slate grey", "slate gray", "graphite", "space grey", "charcoal"),
    "gold": ("gold", "champagne gold", "golden"),
    "navy": ("navy", "navy blue", "dark blue", "midnight blue"),
    "blue": ("blue", "sky blue", "light blue", "royal blue", "cobalt"),
    "red": ("red", "crimson", "scarlet", "cherry red"),
    "green": ("green", "olive", "forest green", "sage", "mint"),
    "pink": ("pink", "rose", "blush", "rose pink"),
    "beige": ("beige", "sand", "cream", "taupe"),
    "brown": ("brown", "chocolate", "tan", "mocha", "espresso brown"),
    "purple": ("purple", "violet", "lilac", "lavender"),
    "yellow": ("yellow", "mustard"),
    "orange": ("orange", "coral"),
}

# Attribute groups where two different stated values mean two different products. A text that
# states two values of one group (a noun and a spec that disagree) is treated as stating none.
GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "connector": {
        "usb-c": ("usb-c", "usb c", "type-c", "type c", "usb type-c", "usb type c", "usbc"),
        "micro-usb": ("micro-usb", "micro usb", "microusb", "micro-b"),
        "lightning": ("lightning",),
    },
    "form": {
        "in-ear": ("in-ear", "in ear", "earbud-style", "earbud style", "intra-aural"),
        "on-ear": ("on-ear", "on ear", "supra-aural"),
        "over-ear": ("over-ear", "over ear", "around-ear", "circumaural"),
    },
    "skin": {
        "dry": ("dry skin", "dry"),
        "oily": ("oily skin", "oily"),
        "normal": ("normal skin", "normal"),
        "sensitive": ("sensitive skin", "sensitive"),
        "combination": ("combination skin", "combination"),
    },
    "roast": {
        "light": ("light roast", "light"),
        "medium": ("medium roast", "medium"),
        "dark": ("dark roast", "dark"),
    },
    "bed": {
        "single": ("single", "twin"),
        "double": ("double",),
        "queen": ("queen",),
        "king": ("king", "king size", "king-size"),
        "super king": ("super king", "super-king"),
    },
    "material": {
        "leather": ("leather", "genuine leather", "faux leather"),
        "suede": ("suede",),
        "mesh": ("mesh",),
        "canvas": ("canvas",),
        "silicone": ("silicone",),
        "tpu": ("tpu",),
        "polycarbonate": ("polycarbonate", "hard plastic"),
        "plastic": ("plastic",),
        "nylon": ("nylon",),
        "polyester": ("polyester",),
        "cotton": ("cotton",),
        "organic cotton": ("organic cotton",),
        "linen": ("linen",),
        "satin": ("satin",),
        "flannel": ("flannel",),
        "wool": ("wool", "merino"),
        "glass": ("glass", "borosilicate"),
        "aluminium": ("aluminium", "aluminum", "alu"),
        "stainless steel": ("stainless steel", "inox", "stainless", "18/8 steel", "steel"),
    },
}

# Nouns that contain an attribute word without stating it ("bed linen" is not a material).
NOUN_PHRASES = ("bed linen", "linen set", "hard drive", "light bulb")

# Words a model name ends with; "Aero 5" and "Aero 5 Pro" are different products.
MODEL_SUFFIXES = frozenset(
    {"pro", "max", "mini", "lite", "ultra", "plus", "x", "se", "air", "neo", "fe", "s"}
)


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one string (word lists stay readable)."""
    return frozenset(text.split())


# Marketing noise sellers add to titles; it says nothing about the product.
MARKETING = wordset(
    "new original genuine free shipping uk stock top seller best price hot deal limited "
    "edition sale bargain official fast delivery 2024 2025 2026"
)
