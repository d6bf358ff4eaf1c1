"""Raw ids and the static exports: product tables, listings, customer/account tables + truth.

Ids are assigned per platform in creation order (sequential keys on the web shop look like a
real auto-increment). The web shop exports structured but noisy columns; the marketplace exports
free text; the truth files link every row to its canonical product or person.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from .catalog import Catalog, Listing
from .config import APP, CURRENCY, EUR_RATE, MARKETPLACE, PLATFORMS, WEBSHOP
from .formats import (
    address_line,
    country_field,
    email_variant,
    first_name_variant,
    iso,
    last_name_variant,
    marketplace_name,
    money,
    phone,
    street,
)
from .ids import OpaqueIds, seq_id
from .noise import Noise
from .people import Person, Population, alternate_email
from .surface import brand_surface, pick_pool
from .taxonomy import BRANDS, CATEGORIES
from .text_products import description, title
from .writers import Sink


def assign_ids(pop: Population, catalog: Catalog, seed: int, rnd: random.Random) -> None:
    """Per-platform ids in creation order; marketplace prices set by each listing's seller."""
    makers: dict[int, Callable[[int], str]] = {
        WEBSHOP: lambda i: seq_id("WS-C", i),
        MARKETPLACE: OpaqueIds(seed, "MP-U", 10),
        APP: OpaqueIds(seed, "usr_", 10),
    }
    accts = pop.accounts
    accts.raw_id = [""] * len(accts.person)
    for plat, make in makers.items():
        members = sorted(
            (c, a)
            for a, (c, p) in enumerate(zip(accts.created, accts.platform, strict=True))
            if p == plat
        )
        for k, (_, a) in enumerate(members):
            accts.raw_id[a] = make(k)
    listing_ids = OpaqueIds(seed, "MP-L", 10)
    counters = {WEBSHOP: 0, MARKETPLACE: 0}
    for lst in catalog.listings:
        k = counters[lst.platform]
        counters[lst.platform] += 1
        lst.raw_id = seq_id("WS-P", k) if lst.platform == WEBSHOP else listing_ids(k)
        base = catalog.products[lst.product].price_eur
        if lst.platform == MARKETPLACE:
            lst.currency = "GBP" if lst.seller % 5 == 0 else "EUR"
            base *= rnd.uniform(0.88, 1.15) * EUR_RATE[lst.currency]
        lst.price = round(base, 2)


def _category_field(path: str, noise: Noise, rnd: random.Random) -> str:
    """The web shop's category column: full path, slashes, leaf only, blank or mis-filed."""
    top, leaf = path.split(" > ")
    r = rnd.random()
    if r < 0.5:
        return noise.text(path)
    if r < 0.65:
        return f"{top}/{leaf}"
    if r < 0.82:
        return leaf.lower() if rnd.random() < 0.3 else leaf
    if r < 0.95:
        return ""
    return rnd.choice(CATEGORIES).path  # mis-filed by a merchandiser


def _brand_field(brand: str, noise: Noise, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.08:
        return ""
    return noise.text(brand_surface(brand, rnd, 0.06), 0.06)


def _truth_product_row(lst: Listing, catalog: Catalog, pool: str) -> list[str]:
    p = catalog.products[lst.product]
    attrs = dict(p.attrs)
    if CATEGORIES[p.category].has_model:
        attrs["model"] = p.line
    compat = sorted(catalog.products[i].cid for i in p.compat)
    return [
        PLATFORMS[lst.platform],
        lst.raw_id,
        p.cid,
        BRANDS[p.brand][0],
        CATEGORIES[p.category].path,
        json.dumps(attrs, sort_keys=True, ensure_ascii=False),
        json.dumps(compat),
        pool,
    ]


PRODUCT_COLUMNS = ("product_id", "title", "brand", "category", "price", "created_at")
TRUTH_PRODUCT_COLUMNS = (
    "platform",
    "listing_id",
    "canonical_product_id",
    "brand",
    "category",
    "attributes",
    "compatible_with",
    "title_pool",
)


def _product_row(
    lst: Listing, catalog: Catalog, head: str, noise: Noise, rnd: random.Random
) -> list[str]:
    """A web shop products.csv row: noisy title, brand and category columns, EUR price."""
    p = catalog.products[lst.product]
    brand = _brand_field(BRANDS[p.brand][0], noise, rnd)
    category = _category_field(CATEGORIES[p.category].path, noise, rnd)
    return [
        lst.raw_id,
        noise.text(head, 0.03),
        brand,
        category,
        money(lst.price, "EUR", rnd),
        iso(lst.created, rnd),
    ]


def _listing_objects(
    lst: Listing, catalog: Catalog, head: str, seller: str, noise: Noise, rnd: random.Random
) -> tuple[dict[str, object], dict[str, object]]:
    """A marketplace listing (title + description + price only) and its description truth."""
    p = catalog.products[lst.product]
    pool = pick_pool(rnd)
    text, facts = description(p, pool, rnd)
    raw = {
        "listing_id": lst.raw_id,
        "seller_id": seller,
        "title": noise.text(head, 0.03),
        "description": noise.trailing(text),
        "price": lst.price,
        "currency": lst.currency,
        "created": lst.created,
    }
    spans = [
        {"attribute": f.attribute, "value": f.value, "start": f.start, "end": f.end, "text": f.text}
        for f in facts
    ]
    truth = {
        "listing_id": lst.raw_id,
        "canonical_product_id": p.cid,
        "template_pool": pool.NAME,
        "facts": spans,
    }
    return raw, truth


def write_catalog(
    sink: Sink, catalog: Catalog, sellers: OpaqueIds, rnd: random.Random, noise: Noise
) -> None:
    """products.csv (web shop), listings.jsonl (marketplace) and their truth files."""
    ws = sink.csv("raw/webshop/products.csv", PRODUCT_COLUMNS)
    mp = sink.jsonl("raw/marketplace/listings.jsonl")
    truth = sink.csv("truth/products.csv", TRUTH_PRODUCT_COLUMNS)
    desc_truth = sink.jsonl("truth/descriptions.jsonl")
    for lst in catalog.listings:
        pool = pick_pool(rnd)
        head = title(catalog.products[lst.product], pool, rnd, lst.platform == MARKETPLACE)
        truth.write(_truth_product_row(lst, catalog, pool.NAME))
        if lst.platform == WEBSHOP:
            ws.write(_product_row(lst, catalog, head, noise, rnd))
        else:
            raw, dtruth = _listing_objects(lst, catalog, head, sellers(lst.seller), noise, rnd)
            mp.write(raw)
            desc_truth.write(dtruth)


def _email_for(person: Person, second: bool, pop: Population, rnd: random.Random) -> str:
    """Second account on the same site needs a different mailbox; others vary the same one."""
    if second or rnd.random() < 0.12:
        return alternate_email(person, rnd, pop.used_emails)
    return email_variant(person.email, rnd)


def _customer_row(
    raw_id: str, person: Person, email: str, created: int, noise: Noise, rnd: random.Random
) -> list[str]:
    addr = person.address
    return [
        raw_id,
        noise.text(first_name_variant(person.first, rnd)),
        noise.text(last_name_variant(person.last, rnd)),
        noise.text(email, 0.02),
        noise.missing(phone(person.phone, person.country, rnd), 0.15),
        noise.field(street(addr, rnd)),
        noise.text(addr.city),
        noise.missing(addr.postcode, 0.05),
        country_field(addr.country, rnd),
        iso(created, rnd),
    ]


def _account_obj(
    raw_id: str, person: Person, email: str, created: int, noise: Noise, rnd: random.Random
) -> dict[str, object]:
    name = marketplace_name(
        first_name_variant(person.first, rnd), last_name_variant(person.last, rnd), rnd
    )
    tel = phone(person.phone, person.country, rnd) if rnd.random() < 0.8 else None
    return {
        "account_id": raw_id,
        "display_name": noise.text(name),
        "email": email,
        "phone": tel,
        "address": noise.field(address_line(person.address, rnd), 0.03) or None,
        "created": created,
        "verified": rnd.random() < 0.7,
    }


def write_accounts(sink: Sink, pop: Population, rnd: random.Random, noise: Noise) -> None:
    """customers.csv (web shop), accounts.jsonl (marketplace) and truth/accounts.csv."""
    ws = sink.csv(
        "raw/webshop/customers.csv",
        [
            "customer_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "street",
            "city",
            "postcode",
            "country",
            "created_at",
        ],
    )
    mp = sink.jsonl("raw/marketplace/accounts.jsonl")
    truth = sink.csv("truth/accounts.csv", ["platform", "account_id", "person_id"])
    accts = pop.accounts
    seen: set[tuple[int, int]] = set()
    for a in sorted(range(len(accts.person)), key=lambda i: (accts.created[i], i)):
        plat, pi = accts.platform[a], accts.person[a]
        person = pop.persons[pi]
        truth.write([PLATFORMS[plat], accts.raw_id[a], person.pid])
        if plat == APP:
            continue
        email = _email_for(person, (pi, plat) in seen, pop, rnd)
        seen.add((pi, plat))
        if plat == WEBSHOP:
            ws.write(_customer_row(accts.raw_id[a], person, email, accts.created[a], noise, rnd))
        else:
            mp.write(_account_obj(accts.raw_id[a], person, email, accts.created[a], noise, rnd))


def order_currency(person: Person) -> str:
    """Orders are charged in the buyer's home currency."""
    return CURRENCY[person.country]
