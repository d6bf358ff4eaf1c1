"""DEV phrasing pool: templates and lexicon that extractors MAY be built and tuned on.

Every generated text (titles, descriptions, reviews, tickets) draws its templates from this pool
with probability 0.7 and from ``phrasing_heldout`` with probability 0.3; the truth files record
which. Extraction rules, regexes, gazetteers and prompts may look at this module. The two pools
share their structure (same names, same slots) so the renderer treats them alike.
"""

from __future__ import annotations

NAME = "dev"

CATEGORY_NOUNS: dict[str, tuple[str, ...]] = {
    "phone": ("smartphone", "phone", "mobile phone"),
    "case": ("phone case", "case", "cover"),
    "charger": ("charger", "wall charger", "USB charger"),
    "headphones": ("headphones", "headset", "earphones"),
    "laptop": ("laptop", "notebook"),
    "laptop_bag": ("laptop bag", "laptop sleeve", "notebook bag"),
    "storage": ("external drive", "hard drive", "SSD"),
    "kettle": ("kettle", "electric kettle"),
    "coffee": ("coffee beans", "coffee", "whole bean coffee"),
    "bedding": ("duvet cover", "bedding set"),
    "shoes": ("shoes", "sneakers", "trainers"),
    "jacket": ("jacket", "coat"),
    "tshirt": ("t-shirt", "tee", "T-Shirt"),
    "skincare": ("face cream", "moisturiser", "cream"),
    "bottle": ("water bottle", "drinking bottle", "bottle"),
}

# canonical value -> surface words; values not listed are written as-is or Title-cased.
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "colour": {
        "black": ("black", "Black", "jet black"),
        "white": ("white", "White"),
        "grey": ("grey", "Grey", "gray"),
        "navy": ("navy", "navy blue"),
        "silver": ("silver", "Silver"),
        "gold": ("gold", "Gold"),
    },
    "connector": {
        "usb-c": ("USB-C", "USB C"),
        "micro-usb": ("Micro-USB", "micro USB"),
        "novalink": ("NovaLink",),
    },
    "material": {
        "tpu": ("TPU",),
        "stainless steel": ("stainless steel", "steel"),
        "polycarbonate": ("polycarbonate", "hard plastic"),
    },
    "form": {
        "over-ear": ("over-ear", "over ear"),
        "in-ear": ("in-ear", "in ear"),
        "on-ear": ("on-ear",),
    },
    "drive": {
        "ssd": ("SSD", "solid state"),
        "hdd": ("HDD", "hard disk"),
        "usb stick": ("USB stick", "flash drive"),
    },
    "size": {"M": ("M", "Size M"), "L": ("L", "Size L"), "S": ("S", "Size S")},
}
SHOE_SIZE = ("EU {n}", "EU size {n}", "{n} EU")

# Quantity formats. Fields: n (base unit), t (TB), l (litres), kg; a format is only used
# when all its fields exist for the value (e.g. "t" only for whole terabytes).
QUANTITY: dict[str, tuple[str, ...]] = {
    "GB": ("{n} GB", "{n}GB", "{n}gb", "{t} TB", "{t}TB"),
    "W": ("{n}W", "{n} W", "{n} watt"),
    "in": ('{n}"', "{n} inch", "{n}-inch"),
    "ml": ("{n} ml", "{n}ml", "{l} l", "{l}L"),
    "g": ("{n} g", "{n}g", "{kg} kg"),
}

LABELS: dict[str, str] = {
    "colour": "Colour",
    "storage": "Storage",
    "connector": "Connector",
    "material": "Material",
    "compat": "Compatible with",
    "power": "Output",
    "form": "Type",
    "screen": "Screen size",
    "ram": "RAM",
    "drive": "Drive type",
    "volume": "Capacity",
    "weight": "Net weight",
    "roast": "Roast",
    "bed_size": "Bed size",
    "size": "Size",
    "shoe_size": "Size",
    "skin_type": "Skin type",
    "model": "Model",
}

TITLE_TEMPLATES = (
    "{brand} {line} {noun} {specs}",
    "{brand} {line} {specs} {noun}",
    "{noun} {brand} {line} - {specs}",
    "{brand} {noun} {line}, {specs}",
)
SPEC_JOINERS = (" ", ", ", " - ")
COMPAT_TITLE = ("for {v}", "compatible with {v}")
MARKETING = ("NEW", "Top Seller", "Free Shipping", "2025", "Best Price", "Original")

DESC_OPENERS = (
    "The {brand} {line} {noun} is built for everyday use.",
    "Discover the {line} {noun} from {brand}.",
    "{brand} presents the {line}, a {noun} you will love.",
    "This {noun} by {brand} combines style and function.",
)
DESC_ATTR: dict[str, tuple[str, ...]] = {
    "colour": ("Available in {v}.", "It comes in {v}.", "Colour: {v}."),
    "storage": ("With {v} of storage.", "{v} internal memory.", "Storage: {v}."),
    "compat": ("Designed for the {v}.", "Compatible with {v}."),
    "material": ("Made of {v}.", "Material: {v}."),
    "volume": ("Holds {v}.", "Capacity: {v}."),
    "screen": ("Features a {v} display.", "Screen size: {v}."),
    "power": ("Delivers up to {v}.", "Output: {v}."),
    "model": ("Model: {v}.",),
}
DESC_GENERIC = ("{label}: {v}.", "{label} - {v}.")
DESC_CLOSERS = ("Order now!", "Ships within 24 hours.", "", "", "Satisfaction guaranteed.")

REVIEW_OPENERS: dict[str, tuple[str, ...]] = {
    "positive": (
        "Really happy with this purchase.",
        "Great product!",
        "Love it.",
        "Exactly what I was looking for.",
    ),
    "neutral": (
        "It's okay.",
        "Does the job, nothing special.",
        "Average product.",
        "Mixed feelings about this one.",
    ),
    "negative": (
        "Very disappointed.",
        "Would not recommend.",
        "Terrible product.",
        "Not worth it.",
    ),
}
REVIEW_ASPECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "battery": {
        "positive": ("Battery lasts all day.", "Great battery life."),
        "neutral": ("Battery life is average.",),
        "negative": ("The battery drains way too fast.", "Poor battery life."),
    },
    "delivery": {
        "positive": ("Delivery was quick.", "Arrived a day early."),
        "neutral": ("Delivery took the usual time.",),
        "negative": ("Delivery took ages.", "The parcel arrived late."),
    },
    "quality": {
        "positive": ("Build quality is excellent.", "Feels very solid."),
        "neutral": ("Quality is fine for the price.",),
        "negative": ("Cheap quality, broke after a week.", "Feels flimsy."),
    },
    "size_fit": {
        "positive": ("Fits perfectly.", "True to size."),
        "neutral": ("Fits a little snug.",),
        "negative": ("Runs two sizes too small.", "The fit is awful."),
    },
    "price": {
        "positive": ("Great value for money.", "Well worth the price."),
        "neutral": ("Price is fair.",),
        "negative": ("Way overpriced.", "Not worth the money."),
    },
}
REVIEW_MENTIONS = (
    "Much better than my old {other}.",
    "I compared it with the {other}.",
    "Bought it to replace my {other}.",
)
REVIEW_CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": ("Five stars.", "Would buy again.", ""),
    "neutral": ("We'll see how it holds up.", ""),
    "negative": ("Returning it.", "Avoid.", ""),
}
REVIEW_TITLES: dict[str, tuple[str, ...]] = {
    "positive": ("Great", "Love it", "Recommended"),
    "neutral": ("OK", "Decent"),
    "negative": ("Disappointed", "Do not buy"),
}

TICKET_OPENERS = ("Hello,", "Hi,", "Dear support team,", "Hi there,")
TICKET_CLOSERS = ("Thanks,", "Regards,", "Thank you.", "Best wishes,")
# Fields: id (full order id), num (web shop number, zero-padded), hex (marketplace hex part).
ORDER_REFS: dict[str, tuple[str, ...]] = {
    "webshop": ("order #{id}", "my order {id}", "ord. {num}", "order number {id}"),
    "marketplace": ("order {id}", "my order {id}", "MP order {hex}"),
}
TICKET_BODIES: dict[str, tuple[str, ...]] = {
    "item_not_received": (
        "I never received {ref}.",
        "{ref} has not arrived yet.",
        "Where is {ref}? Still nothing.",
    ),
    "refund_request": ("I would like a refund for {ref}.", "Please refund {ref}."),
    "wrong_item": ("I received the wrong item in {ref}.", "{ref} contained a different product."),
    "account_hacked": (
        "Someone logged into my account and placed orders.",
        "My account was hacked, I did not place {ref}.",
    ),
    "change_address": (
        "Please change the delivery address for {ref}.",
        "Can I update the shipping address of {ref}?",
    ),
    "damaged_item": ("The item in {ref} arrived damaged.", "{ref} was broken on arrival."),
    "other": ("I have a question about {ref}.", "Do you ship to Switzerland?"),
}
TICKET_SUBJECTS: dict[str, tuple[str, ...]] = {
    "item_not_received": ("Order not received", "Missing parcel"),
    "refund_request": ("Refund", "Refund request"),
    "wrong_item": ("Wrong item", "Wrong product sent"),
    "account_hacked": ("Account hacked", "Unauthorised orders"),
    "change_address": ("Change address", "Address change"),
    "damaged_item": ("Damaged item", "Broken on arrival"),
    "other": ("Question", "Enquiry"),
}
