"""General domain knowledge written by hand: surface words for attribute values and product nouns.

Nothing here comes from the data generator. Values are the normal forms the graph stores
(lower-case words, quantities in a base unit); surface forms are what shoppers and sellers write,
including US/UK spellings and common shade names that fold onto a basic colour. The catalogue
supplies everything brand- and category-specific (see ``vocab.py``); this module supplies only
what any e-commerce extractor would know.

Tables are written one value per line, ``value: surface | surface | ...``; an indented line
continues the one above.
"""

from __future__ import annotations

from types import MappingProxyType


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """Parse ``value: a | b | c`` lines (indented lines continue the previous one)."""
    rows: list[str] = []
    for line in text.strip("\n").splitlines():
        if line.startswith((" ", "\t")) and rows:
            rows[-1] += " " + line.strip()
        elif line.strip():
            rows.append(line.strip())
    out: dict[str, tuple[str, ...]] = {}
    for row in rows:
        value, _, surfaces = row.partition(":")
        out[value.strip()] = tuple(s.strip() for s in surfaces.split("|") if s.strip())
    return out


# Basic colour -> shades and synonyms that a catalogue would fold onto it.
COLOURS = _table(
    """
black: black | jet black | matte black | midnight black | onyx | ebony | noir | obsidian |
    space black | phantom black | pitch black | coal black
white: white | snow white | off-white | off white | pearl white | ivory white | arctic white |
    chalk white | pure white | alabaster | frost white
grey: grey | gray | charcoal | slate | graphite | ash grey | ash gray | space grey |
    space gray | stone grey | gunmetal | dark grey | light grey | dove grey | heather grey |
    anthracite
silver: silver | metallic silver | chrome | platinum | titanium silver | brushed silver |
    steel grey | silver grey
gold: gold | champagne gold | champagne | golden | rose gold | metallic gold | brushed gold |
    mustard
pink: pink | rose | blush | blush pink | fuchsia | magenta | salmon | hot pink | dusty pink |
    pastel pink | baby pink | coral pink
red: red | crimson | scarlet | cherry | cherry red | burgundy | maroon | ruby | wine red |
    brick red | fire red | bordeaux
blue: blue | sky blue | royal blue | cobalt | cobalt blue | azure | light blue | ocean blue |
    baby blue | denim blue | steel blue | sapphire | turquoise | teal | pacific blue |
    ice blue | powder blue
navy: navy | navy blue | midnight blue | dark blue | marine blue | ink blue | oxford blue
green: green | olive | olive green | forest green | mint | mint green | sage | sage green |
    emerald | khaki | bottle green | lime | moss green | army green | dark green
brown: brown | chocolate | chocolate brown | tan | cognac | camel | mocha | walnut |
    chestnut | dark brown | coffee brown | espresso brown | hazel
beige: beige | sand | cream | ivory | taupe | oatmeal | nude | stone | ecru | khaki beige |
    latte | off beige | natural beige | biscuit
"""
)

MATERIALS = _table(
    """
aluminium: aluminium | aluminum | alu | anodised aluminium | anodized aluminum
stainless steel: stainless steel | stainless | steel | inox | 18/8 steel | stainless-steel |
    brushed steel
polycarbonate: polycarbonate | hard plastic | hard-shell plastic | rigid plastic | hard shell
tpu: tpu | thermoplastic polyurethane | soft plastic | flexible plastic | gel
silicone: silicone | silicon | soft silicone | liquid silicone
leather: leather | genuine leather | full-grain leather | faux leather | vegan leather |
    pu leather | real leather | nappa leather
suede: suede | nubuck | faux suede
canvas: canvas | cotton canvas | waxed canvas
mesh: mesh | knit mesh | breathable mesh | air mesh | knit
organic cotton: organic cotton | bio cotton | gots cotton | 100% organic cotton
cotton: cotton | 100% cotton | pure cotton | combed cotton | jersey cotton | percale |
    cotton percale
linen: linen | flax | pure linen | flax linen
satin: satin | sateen | cotton sateen | silky satin
flannel: flannel | brushed cotton | flannelette
polyester: polyester | poly | recycled polyester | microfibre | microfiber | fleece
nylon: nylon | ripstop | ripstop nylon | ballistic nylon | polyamide
wool: wool | merino | merino wool | lambswool | wool blend
down: down | down-filled | down filled | goose down | duck down | down fill | feather down
glass: glass | borosilicate glass | borosilicate | tempered glass
plastic: plastic | bpa-free plastic | bpa free plastic | pp plastic | polypropylene
"""
)

# The proprietary plug ``novalink`` is named in the project's data description
# (docs/marketplace-data.md); the rest are standard connectors.
CONNECTORS = _table(
    """
usb-c: usb-c | usb c | usbc | type-c | type c | usb type-c | usb type c | typec | usb-c pd
micro-usb: micro-usb | micro usb | microusb | micro-b | micro b | usb micro-b | micro usb-b
novalink: novalink | nova link | nova-link
lightning: lightning
"""
)

FORMS = _table(
    """
in-ear: in-ear | in ear | inear | earbud | earbuds | earbud-style | ear buds | in the ear |
    iem | true wireless earbuds
over-ear: over-ear | over ear | overear | around-ear | around ear | circumaural | full-size |
    full size | over the ear
on-ear: on-ear | on ear | onear | supra-aural | on the ear
"""
)

ROASTS = _table(
    """
light: light | light roast | blonde | blonde roast | cinnamon roast | mild | light-roast
medium: medium | medium roast | city roast | medium-roast | balanced roast
dark: dark | dark roast | french roast | italian roast | espresso roast | strong |
    dark-roast | full city
"""
)

SKIN_TYPES = _table(
    """
sensitive: sensitive | sensitive skin | reactive skin
dry: dry | dry skin | very dry
oily: oily | oily skin | greasy skin | shiny skin
normal: normal | normal skin | all skin types
"""
)

DRIVES = _table(
    """
ssd: ssd | solid state | solid-state | nvme | solid state drive | flash ssd
hdd: hdd | hard disk | spinning disk | mechanical | spinning hard disk | mechanical drive |
    disk drive | hard disk drive | rotating disk
usb stick: usb stick | flash drive | thumb drive | pen drive | memory stick |
    usb flash drive | usb drive | usb key | stick
"""
)

BED_SIZES = _table(
    """
single: single | twin | single bed | single size | single-size
double: double | full | double bed | double size | queen | queen size | double-size |
    queen-size
king: king | king size | king-size | super king | super-king | kingsize | california king
"""
)

# Clothing sizes: the letter codes, and words that mean the same.
SIZES = _table(
    """
XS: xs | extra small | extra-small | x-small
S: s | small
M: m | medium
L: l | large
XL: xl | extra large | extra-large | x-large
XXL: xxl | 2xl | xx-large | xxlarge | double extra large
"""
)

# Attribute name -> its lexicon. Quantities (storage, volume, ...) are parsed in ``units.py``.
LEXICONS = MappingProxyType(
    {
        "colour": COLOURS,
        "material": MATERIALS,
        "connector": CONNECTORS,
        "form": FORMS,
        "roast": ROASTS,
        "skin_type": SKIN_TYPES,
        "drive": DRIVES,
        "bed_size": BED_SIZES,
        "size": SIZES,
    }
)

# Which attributes a product of a category can have, by leaf-category name (case-insensitive).
# A catalogue whose leaf names are not listed here gets every attribute (``ANY_CATEGORY``).
ATTRIBUTES_BY_LEAF: dict[str, tuple[str, ...]] = {
    "phones": ("colour", "storage", "connector", "model"),
    "phone cases": ("colour", "material", "compat"),
    "chargers": ("connector", "power"),
    "headphones": ("colour", "form", "model"),
    "laptops": ("colour", "storage", "ram", "screen", "model"),
    "laptop bags": ("colour", "material", "screen"),
    "storage": ("drive", "storage"),
    "kitchen": ("colour", "material", "volume"),
    "coffee": ("roast", "weight"),
    "bedding": ("bed_size", "colour", "material"),
    "shoes": ("colour", "material", "shoe_size"),
    "jackets": ("colour", "material", "size"),
    "t-shirts": ("colour", "material", "size"),
    "skincare": ("skin_type", "volume"),
    "water bottles": ("colour", "material", "volume"),
}
ANY_CATEGORY = (
    "colour", "material", "connector", "form", "roast", "skin_type", "drive", "bed_size",
    "size", "storage", "ram", "volume", "weight", "power", "screen", "shoe_size",
)  # fmt: skip

# Leaves whose products are named models ("Edge 12 Pro") and that other products fit.
MODEL_LEAVES = frozenset({"phones", "laptops", "headphones"})
COMPAT_LEAVES = frozenset({"phone cases"})
# Model-level facts that variants of one model share (variants differ in colour and capacity).
MODEL_LEVEL_ATTRIBUTES = ("connector", "screen", "ram", "form")
# Facts a maker keeps across all its models (one charging port across a phone line-up).
BRAND_LEVEL_ATTRIBUTES = ("connector",)

# Nouns that name what a product is, by leaf category (case-insensitive). Used for the span of a
# category fact; the category decision itself also uses a classifier learnt from the catalogue.
CATEGORY_NOUNS = _table(
    """
phones: phone | smartphone | mobile phone | mobile | cell phone | cellphone | handset |
    smart phone
phone cases: case | phone case | cover | phone cover | bumper | folio | back cover |
    protective case | shell | mobile case | skin
chargers: charger | wall charger | charging brick | power adapter | adapter | charging plug |
    travel charger | fast charger | usb charger | power brick | charging adapter | plug
headphones: headphones | headphone | earphones | earbuds | headset | cans | buds | earphone |
    ear buds
laptops: laptop | notebook | ultrabook | notebook computer | laptop computer
laptop bags: laptop bag | notebook bag | laptop sleeve | sleeve | messenger bag |
    laptop backpack | backpack | briefcase | bag | computer bag
storage: external drive | hard drive | ssd | flash drive | usb stick | portable drive |
    thumb drive | external ssd | drive | external hard drive | portable ssd
kitchen: kettle | electric kettle | tea kettle | water boiler | jug kettle
coffee: coffee | coffee beans | beans | whole bean coffee | ground coffee | espresso beans |
    whole beans | coffee bag
bedding: duvet cover | bedding set | bed linen | duvet | bed sheets | bedsheet | bed set |
    pillowcase | comforter | duvet set | bedding
shoes: shoes | sneakers | trainers | running shoes | kicks | boots | runners | shoe |
    sneaker | trainer | loafers
jackets: jacket | coat | parka | anorak | windbreaker | puffer | rain jacket | outerwear |
    shell jacket
t-shirts: t-shirt | tee | tshirt | t shirt | shirt | top | tee shirt | short-sleeve shirt |
    t-shirts | tees
skincare: face cream | moisturiser | moisturizer | cream | facial cream | lotion | serum |
    day cream | night cream | skin cream
water bottles: water bottle | bottle | flask | drinks bottle | drinking bottle |
    sports bottle | canteen | thermos | insulated bottle
"""
)

# Suffixes that end a model name ("Edge 12 Pro"); general consumer-electronics naming.
MODEL_SUFFIXES = tuple(
    "mini max plus pro ultra lite x se air neo go fe s xl note prime edge".split()  # noqa: SIM905
)
