"""The product taxonomy: categories, brands, attribute domains and product-line names.

Fifteen leaf categories in five top-level departments, forty invented brands each tied to the
categories it makes, and per-category attribute domains. Attribute *values* here are canonical;
the phrasing modules decide how they are written (``128 GB`` / ``128GB`` / ``0.128 TB``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """A leaf category: canonical path, catalogue share, price model and attribute names."""

    path: str
    key: str  # short key used by the phrasing pools
    share: float  # fraction of the catalogue (also the average purchase share)
    median_eur: float
    price_sigma: float
    attrs: tuple[str, ...]
    has_model: bool = False  # model-named products (phones, laptops, headphones)
    consumable: bool = False  # bought again and again
    resellable: bool = False  # what fraudsters buy


CATEGORIES: tuple[Category, ...] = (
    Category(
        "Electronics > Phones",
        "phone",
        0.08,
        620,
        0.45,
        ("colour", "storage", "connector"),
        has_model=True,
        resellable=True,
    ),
    Category("Electronics > Phone Cases", "case", 0.12, 18, 0.4, ("colour", "material", "compat")),
    Category("Electronics > Chargers", "charger", 0.06, 24, 0.4, ("power", "connector")),
    Category(
        "Electronics > Headphones",
        "headphones",
        0.07,
        110,
        0.7,
        ("colour", "form"),
        has_model=True,
        resellable=True,
    ),
    Category(
        "Electronics > Laptops",
        "laptop",
        0.06,
        1050,
        0.4,
        ("colour", "storage", "screen", "ram"),
        has_model=True,
        resellable=True,
    ),
    Category(
        "Electronics > Laptop Bags", "laptop_bag", 0.04, 45, 0.4, ("colour", "material", "screen")
    ),
    Category("Electronics > Storage", "storage", 0.05, 85, 0.6, ("storage", "drive")),
    Category("Home > Kitchen", "kettle", 0.06, 55, 0.5, ("colour", "volume", "material")),
    Category("Home > Coffee", "coffee", 0.06, 11, 0.35, ("weight", "roast"), consumable=True),
    Category("Home > Bedding", "bedding", 0.05, 50, 0.45, ("bed_size", "material", "colour")),
    Category("Fashion > Shoes", "shoes", 0.09, 85, 0.45, ("colour", "shoe_size", "material")),
    Category("Fashion > Jackets", "jacket", 0.07, 120, 0.5, ("colour", "size", "material")),
    Category("Fashion > T-Shirts", "tshirt", 0.08, 19, 0.4, ("colour", "size", "material")),
    Category(
        "Beauty > Skincare", "skincare", 0.06, 21, 0.5, ("volume", "skin_type"), consumable=True
    ),
    Category("Sports > Water Bottles", "bottle", 0.05, 19, 0.4, ("colour", "volume", "material")),
)
CAT_INDEX = {c.key: i for i, c in enumerate(CATEGORIES)}

# brand -> category keys it makes.
BRANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Zentek", ("phone", "laptop", "headphones", "charger")),
    ("Novaphone", ("phone", "charger", "case")),
    ("Pixelon", ("phone", "headphones")),
    ("Orbix", ("phone", "laptop")),
    ("Aurion", ("laptop", "storage")),
    ("Lumentra", ("laptop",)),
    ("Kestrel Audio", ("headphones",)),
    ("Sonique", ("headphones",)),
    ("Vireo", ("headphones", "charger")),
    ("Voltis", ("charger", "storage")),
    ("Ampora", ("charger",)),
    ("Shellguard", ("case",)),
    ("Casetto", ("case",)),
    ("Armada", ("case", "laptop_bag")),
    ("Trekpak", ("laptop_bag",)),
    ("Baggio", ("laptop_bag",)),
    ("Datavault", ("storage",)),
    ("Quanta Drive", ("storage",)),
    ("Brewmaster", ("kettle", "coffee")),
    ("Kettlex", ("kettle",)),
    ("Culina", ("kettle",)),
    ("Glacio", ("kettle", "bottle")),
    ("Roastery Nord", ("coffee",)),
    ("Bean & Co", ("coffee",)),
    ("Somna", ("bedding",)),
    ("Linnea", ("bedding",)),
    ("Duvessa", ("bedding",)),
    ("Strydon", ("shoes",)),
    ("Pacera", ("shoes",)),
    ("Fjellvik", ("jacket", "shoes")),
    ("Northvale", ("jacket",)),
    ("Urbanthread", ("tshirt", "jacket")),
    ("Cottona", ("tshirt",)),
    ("Basique", ("tshirt",)),
    ("Dermalis", ("skincare",)),
    ("Aveluxe", ("skincare",)),
    ("Floraderm", ("skincare",)),
    ("Hydra Peak", ("bottle",)),
    ("Aquaro", ("bottle",)),
    ("Trailflask", ("bottle",)),
)

# Canonical attribute domains. Quantities are stored as numbers in a base unit
# (GB, W, in, ml, g); the normalised value is "<number><unit>" e.g. "2000GB", "1700ml".
COLOURS = (
    "black",
    "white",
    "silver",
    "blue",
    "red",
    "green",
    "grey",
    "pink",
    "gold",
    "navy",
    "beige",
    "brown",
)
MATERIALS = {
    "case": ("silicone", "leather", "tpu", "polycarbonate"),
    "laptop_bag": ("nylon", "leather", "polyester", "canvas"),
    "kettle": ("stainless steel", "glass", "plastic"),
    "bedding": ("cotton", "linen", "satin", "flannel"),
    "shoes": ("leather", "mesh", "suede", "canvas"),
    "jacket": ("down", "wool", "nylon", "polyester"),
    "tshirt": ("cotton", "organic cotton", "polyester", "linen"),
    "bottle": ("stainless steel", "glass", "plastic", "aluminium"),
}
STORAGE_GB = {
    "phone": (64, 128, 256, 512, 1000),
    "laptop": (256, 512, 1000, 2000),
    "storage": (250, 500, 1000, 2000, 4000),
}
NUMERIC = {
    "power": ("W", (20, 30, 45, 65, 100)),
    "screen": ("in", (13, 14, 15, 16)),
    "ram": ("GB", (8, 16, 32)),
    "volume:kettle": ("ml", (1000, 1500, 1700)),
    "volume:skincare": ("ml", (30, 50, 100, 200)),
    "volume:bottle": ("ml", (500, 750, 1000)),
    "weight": ("g", (250, 500, 1000)),
}
CHOICES = {
    "connector": ("usb-c", "novalink", "micro-usb"),
    "form": ("over-ear", "on-ear", "in-ear"),
    "drive": ("ssd", "hdd", "usb stick"),
    "roast": ("light", "medium", "dark"),
    "bed_size": ("single", "double", "king"),
    "size": ("XS", "S", "M", "L", "XL", "XXL"),
    "shoe_size": tuple(f"EU {n}" for n in range(36, 47)),
    "skin_type": ("dry", "normal", "oily", "sensitive"),
}

MODEL_SERIES = (
    "Aero",
    "Nova",
    "Pulse",
    "Edge",
    "Vibe",
    "Core",
    "Flex",
    "Zen",
    "Volt",
    "Orbit",
    "Echo",
    "Prism",
    "Spark",
    "Nimbus",
    "Swift",
    "Halo",
)
MODEL_SUFFIX = ("", "", "Pro", "Lite", "Max", "Plus", "Ultra", "Mini", "X")
LINES = {
    "case": ("Slim", "Tough", "Clear", "Wallet", "Grip"),
    "charger": ("PowerCube", "QuickCharge", "Dock", "TravelPlug", "MiniBrick"),
    "laptop_bag": ("Commuter", "Urban Sleeve", "Voyager", "Metro", "Campus"),
    "storage": ("Vault", "Portable", "Rapid", "Archive", "Pocket"),
    "kettle": ("Classic", "Rapid Boil", "Retro", "Vista", "Compact"),
    "coffee": ("Espresso Blend", "Morning Roast", "Single Origin", "Crema", "House Blend"),
    "bedding": ("Cloud", "Pure", "Hotel Collection", "Nordic", "Essentials"),
    "shoes": ("Trail Runner", "Urban Sneaker", "Court Classic", "Hiker", "Loafer"),
    "jacket": ("Storm Shell", "Puffer", "Parka", "Windbreaker", "Field Jacket"),
    "tshirt": ("Classic Tee", "Organic Tee", "Crew Neck", "V-Neck", "Essential Tee"),
    "skincare": ("Hydra Cream", "Night Repair", "Day Cream", "Serum", "Gel Cream"),
    "bottle": ("Insulated", "Sport", "Trail", "Classic", "Kids"),
}
RESELLABLE = tuple(i for i, c in enumerate(CATEGORIES) if c.resellable)
