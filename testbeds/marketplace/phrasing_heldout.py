"""HELD-OUT phrasing pool: evaluation-only templates and lexicon.

Extractors must NEVER be built from this module: no regexes, gazetteers, few-shot examples or
tuning may look at it. About 30 % of every generated text family is rendered from here, and the
truth files say which texts those are, so evaluation can report how well extraction generalises
to phrasings it has never seen. Same structure and slots as ``phrasing_dev``.
"""

from __future__ import annotations

NAME = "heldout"

CATEGORY_NOUNS: dict[str, tuple[str, ...]] = {
    "phone": ("handset", "cell phone", "smart phone"),
    "case": ("protective shell", "bumper", "back cover"),
    "charger": ("power adapter", "charging brick", "mains adapter"),
    "headphones": ("cans", "earbuds", "headphone"),
    "laptop": ("ultrabook", "portable computer"),
    "laptop_bag": ("messenger bag", "notebook case", "carry sleeve"),
    "storage": ("portable drive", "external disk", "solid-state drive"),
    "kettle": ("water boiler", "tea kettle"),
    "coffee": ("beans", "roasted coffee", "espresso beans"),
    "bedding": ("duvet set", "bed linen"),
    "shoes": ("runners", "footwear", "kicks"),
    "jacket": ("outerwear", "anorak"),
    "tshirt": ("tshirt", "top", "short-sleeve shirt"),
    "skincare": ("moisturizer", "facial cream", "lotion"),
    "bottle": ("flask", "drinks bottle", "hydration bottle"),
}

WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "colour": {
        "black": ("onyx", "BLK", "matte black"),
        "white": ("snow white", "ivory"),
        "grey": ("graphite", "slate grey"),
        "navy": ("dark blue",),
        "silver": ("metallic silver",),
        "gold": ("champagne gold",),
    },
    "connector": {
        "usb-c": ("Type C", "USB type-c"),
        "micro-usb": ("microUSB",),
        "novalink": ("Nova-Link", "NOVALINK"),
    },
    "material": {
        "tpu": ("thermoplastic polyurethane",),
        "stainless steel": ("18/8 steel", "inox"),
        "polycarbonate": ("PC",),
    },
    "form": {
        "over-ear": ("around-ear", "circumaural"),
        "in-ear": ("earbud-style",),
        "on-ear": ("supra-aural",),
    },
    "drive": {"ssd": ("solid-state",), "hdd": ("spinning disk",), "usb stick": ("thumb drive",)},
    "size": {"M": ("Medium", "Gr. M"), "L": ("Large", "Gr. L"), "S": ("Small", "Gr. S")},
}
SHOE_SIZE = ("Gr. {n}", "size {n} (EU)", "EUR{n}")

QUANTITY: dict[str, tuple[str, ...]] = {
    "GB": ("{n} Gb", "{n} gigabytes", "{n}-GB", "{t} terabytes", "{t}-TB"),
    "W": ("{n} Watts", "{n}-watt", "{n}w"),
    "in": ("{n} in", "{n}in", "{n} Zoll"),
    "ml": ("{n} mL", "{cl} cl", "{lc} L", "{l} litre"),
    "g": ("{n} gr", "{n} grams", "{kg} kilo"),
}

LABELS: dict[str, str] = {
    "colour": "Color",
    "storage": "Memory",
    "connector": "Port",
    "material": "Fabric",
    "compat": "Fits",
    "power": "Wattage",
    "form": "Style",
    "screen": "Display",
    "ram": "Memory (RAM)",
    "drive": "Technology",
    "volume": "Volume",
    "weight": "Weight",
    "roast": "Roast level",
    "bed_size": "Dimensions",
    "size": "Garment size",
    "shoe_size": "Shoe size",
    "skin_type": "Suitable for",
    "model": "Series",
}

TITLE_TEMPLATES = (
    "{line} by {brand} | {noun} | {specs}",
    "{brand} {noun} {line} ({specs})",
    "{specs} {brand} {line} {noun}",
)
SPEC_JOINERS = (" | ", " / ", "; ")
COMPAT_TITLE = ("fits {v}", "{v} compatible")
MARKETING = ("HOT DEAL", "Limited Edition", "Fast Dispatch", "Genuine", "UK Stock")

DESC_OPENERS = (
    "Meet {brand}'s {line}: the {noun} that keeps up with you.",
    "Looking for a {noun}? The {line} by {brand} has you covered.",
    "Crafted by {brand}, this {line} {noun} sets a new standard.",
)
DESC_ATTR: dict[str, tuple[str, ...]] = {
    "colour": ("Finished in {v}.", "Shade - {v}."),
    "storage": ("Plenty of room with {v} on board.", "{v} for all your files."),
    "compat": ("Tailored to fit your {v}.", "Works with the {v}."),
    "material": ("Crafted from {v}.", "Outer: {v}."),
    "volume": ("Fill it with {v}.", "Content {v}."),
    "screen": ("A crisp {v} panel.", "Display diagonal {v}."),
    "power": ("Pushes {v} of power.", "Rated at {v}."),
    "model": ("Part of the {v} series.",),
}
DESC_GENERIC = ("{label} = {v}.", "{label} -> {v}", "Spec: {label} {v}.")
DESC_CLOSERS = ("Grab yours today.", "", "Limited stock available.", "")

REVIEW_OPENERS: dict[str, tuple[str, ...]] = {
    "positive": ("Absolutely thrilled.", "Ten out of ten.", "Couldn't be happier."),
    "neutral": ("Meh, it's alright.", "Neither good nor bad.", "So-so."),
    "negative": ("Total waste of money.", "Regret buying this.", "Awful experience."),
}
REVIEW_ASPECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "battery": {
        "positive": ("Charge lasts for days.",),
        "neutral": ("Needs charging every evening.",),
        "negative": ("Dies before lunchtime.", "Juice runs out in no time."),
    },
    "delivery": {
        "positive": ("Courier was super fast.",),
        "neutral": ("Shipping was standard.",),
        "negative": ("Shipping was a nightmare.", "Waited two weeks for the parcel."),
    },
    "quality": {
        "positive": ("Sturdy and well made.",),
        "neutral": ("Workmanship is passable.",),
        "negative": ("Fell apart almost immediately.", "Shoddy workmanship."),
    },
    "size_fit": {
        "positive": ("Sizing spot on.",),
        "neutral": ("Sizing is a bit off.",),
        "negative": ("Way too big, had to send it back.", "Sizing chart is useless."),
    },
    "price": {
        "positive": ("A bargain.",),
        "neutral": ("Costs what you'd expect.",),
        "negative": ("A rip-off.", "Far too expensive for what it is."),
    },
}
REVIEW_MENTIONS = (
    "Switched over from the {other}.",
    "My partner has the {other}, similar.",
    "Used to have a {other} before this.",
)
REVIEW_CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": ("Highly recommend!", ""),
    "neutral": ("Make of that what you will.", ""),
    "negative": ("Steer clear.", ""),
}
REVIEW_TITLES: dict[str, tuple[str, ...]] = {
    "positive": ("Brilliant", "Super happy"),
    "neutral": ("Fine I guess", "Meh"),
    "negative": ("Rubbish", "Never again"),
}

TICKET_OPENERS = ("Good morning,", "To whom it may concern,", "hey", "Hallo,")
TICKET_CLOSERS = ("Cheers", "Kind regards", "Waiting for your reply.")
ORDER_REFS: dict[str, tuple[str, ...]] = {
    "webshop": ("Bestellnr. {id}", "ref {num}", "purchase {id}", "#{num}"),
    "marketplace": ("transaction {id}", "the one with id {hex}", "purchase ref {id}"),
}
TICKET_BODIES: dict[str, tuple[str, ...]] = {
    "item_not_received": (
        "Tracking shows nothing for {ref}, the parcel never showed up.",
        "Still waiting on {ref}, nothing in my letterbox.",
    ),
    "refund_request": ("I want my money back for {ref}.", "Requesting reimbursement, {ref}."),
    "wrong_item": (
        "Opened {ref} and found something I did not order.",
        "You sent me the wrong thing ({ref}).",
    ),
    "account_hacked": (
        "There are purchases on my profile I never made, e.g. {ref}.",
        "I think somebody stole my password.",
    ),
    "change_address": (
        "I moved, please ship {ref} to my new place.",
        "Wrong postcode on {ref}, can you fix it?",
    ),
    "damaged_item": ("{ref} turned up smashed.", "Box for {ref} was crushed, item unusable."),
    "other": ("Quick question regarding {ref}.", "Do you offer gift wrapping?"),
}
TICKET_SUBJECTS: dict[str, tuple[str, ...]] = {
    "item_not_received": ("Where is my parcel", "nothing arrived"),
    "refund_request": ("Money back", "reimbursement"),
    "wrong_item": ("Not what I ordered",),
    "account_hacked": ("Security problem", "someone in my account"),
    "change_address": ("New address",),
    "damaged_item": ("Arrived broken",),
    "other": ("Question", "info"),
}
