"""Persons (the real humans behind accounts) and their accounts on the three platforms.

A person has latent tastes (Dirichlet over categories, preferred brands, a price level), an
activity level, payment cards, home IPs and devices. Accounts are what the platforms see; a person
holds 1-3 of them (sometimes two on the same site), and the truth table links them back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from .config import APP, COUNTRIES, COUNTRY_WEIGHTS, DAY, END_TS, MARKETPLACE, START_TS, WEBSHOP
from .ids import app_device_id, browser_id, card_number, ipv4
from .lexicon_people import CITIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PHONE_PLANS, STREETS


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address in its parts; platforms render it in their own formats."""

    street: str
    number: str
    postcode: str
    city: str
    country: str


@dataclass(slots=True)
class Person:
    """One human (or one synthetic identity made up by a fraudster)."""

    pid: str
    country: str
    first: str
    last: str
    email: str
    phone: tuple[str, str, str]  # (calling code, area code, local number)
    address: Address
    cards: tuple[str, ...]
    ips: tuple[str, ...]
    browsers: tuple[str, ...]
    app_device: str
    synthetic: bool = False
    alt_emails: list[str] = field(default_factory=list)


@dataclass
class Accounts:
    """Columnar account table: account index -> person index, platform, creation time."""

    person: list[int] = field(default_factory=list)
    platform: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    raw_id: list[str] = field(default_factory=list)

    def add(self, person: int, platform: int, created: int) -> int:
        """Append an account and return its index (raw ids are assigned later, by date)."""
        self.person.append(person)
        self.platform.append(platform)
        self.created.append(created)
        return len(self.person) - 1


def postcode(pattern: str, rnd: random.Random) -> str:
    """Fill a postcode pattern: '#' becomes a digit, '@' an uppercase letter."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rnd.randrange(10)))
        elif ch == "@":
            out.append(chr(ord("A") + rnd.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


def random_address(country: str, rnd: random.Random) -> Address:
    """A plausible address in ``country`` (also used for drop addresses and gift shipments)."""
    city, pattern = rnd.choice(CITIES[country])
    number = str(rnd.randint(1, 180)) + (rnd.choice("abc") if rnd.random() < 0.05 else "")
    return Address(rnd.choice(STREETS[country]), number, postcode(pattern, rnd), city, country)


def random_phone(country: str, rnd: random.Random) -> tuple[str, str, str]:
    """(calling code, area code, local number) following the country's numbering plan."""
    cc, areas, length, _trunk = PHONE_PLANS[country]
    area = rnd.choice(areas)
    digits = length - len(area)
    local = str(rnd.randint(2, 9)) + "".join(str(rnd.randrange(10)) for _ in range(digits - 1))
    return cc, area, local


def _email(first: str, last: str, country: str, rnd: random.Random, used: set[str]) -> str:
    """A unique personal e-mail built the ways people build them (dots, initials, birth year)."""
    f, la = _ascii(first).lower(), _ascii(last).lower().replace(" ", "")
    styles = (f"{f}.{la}", f"{f}{la}", f"{f[0]}.{la}", f"{f}_{la}", f"{la}.{f}", f"{f}{la[0]}")
    local = rnd.choice(styles)
    domain = rnd.choice(EMAIL_DOMAINS[country])
    email = f"{local}@{domain}"
    while email in used:
        email = f"{local}{rnd.randint(1, 99) if rnd.random() < 0.5 else rnd.randint(60, 2005)}"
        email = f"{email}@{domain}"
    used.add(email)
    return email


_ASCII = str.maketrans(
    {**dict(zip("äöüéèêëáíóúñçàâîôûÁÉÍÓÚ", "aoueeeeaiouncaaiouAEIOU", strict=True)), "ß": "ss"}
)


def _ascii(s: str) -> str:
    """ASCII-fold a name for e-mail local parts (mail providers rarely allow umlauts)."""
    return s.translate(_ASCII).replace("'", "")


def make_person(
    pid: str, country: str, rnd: random.Random, used_emails: set[str], synthetic: bool = False
) -> Person:
    """Draw one person's identifiers; fraud code reuses this for synthetic identities."""
    first = rnd.choice(FIRST_NAMES[country])
    last = rnd.choice(LAST_NAMES[country])
    n_cards = rnd.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]
    return Person(
        pid=pid,
        country=country,
        first=first,
        last=last,
        email=_email(first, last, country, rnd, used_emails),
        phone=random_phone(country, rnd),
        address=random_address(country, rnd),
        cards=tuple(card_number(rnd) for _ in range(n_cards)),
        ips=tuple(ipv4(rnd, country) for _ in range(rnd.choice((1, 1, 2)))),
        browsers=tuple(browser_id(rnd) for _ in range(rnd.choice((1, 1, 2, 3)))),
        app_device=app_device_id(rnd),
        synthetic=synthetic,
    )


@dataclass
class Population:
    """All persons plus their latent behavioural parameters (arrays aligned with ``persons``)."""

    persons: list[Person]
    taste: np.ndarray  # (n, n_categories) Dirichlet draws
    price_level: np.ndarray  # (n,) in [0, 1]: 0 budget, 1 premium
    activity: np.ndarray  # (n,) relative order rate (lognormal: a few heavy buyers)
    brands: list[tuple[int, ...]]  # preferred brand indices per person
    accounts: Accounts
    used_emails: set[str]


def _platform_sets(rnd: random.Random) -> tuple[int, ...]:
    """Which platforms a person is on; the app is the web shop's app, so it implies a web shop."""
    options = (
        (WEBSHOP,),
        (MARKETPLACE,),
        (WEBSHOP, MARKETPLACE),
        (WEBSHOP, APP),
        (WEBSHOP, MARKETPLACE, APP),
        (WEBSHOP, WEBSHOP),
    )
    return rnd.choices(options, (0.38, 0.24, 0.2, 0.1, 0.05, 0.03))[0]


def _open_accounts(pop: Population, i: int, join: int, rnd: random.Random) -> None:
    """Create a person's accounts: the first at joining, later ones some weeks after."""
    for k, platform in enumerate(_platform_sets(rnd)):
        created = join if k == 0 else min(join + int(rnd.expovariate(1 / 40) * DAY), END_TS - DAY)
        pop.accounts.add(i, platform, created)


def make_population(
    n: int,
    category_share: np.ndarray,
    brand_cats: list[tuple[int, ...]],
    gen: np.random.Generator,
    rnd: random.Random,
) -> Population:
    """Draw ``n`` persons with tastes around the catalogue's category shares and their accounts."""
    countries = gen.choice(len(COUNTRIES), size=n, p=np.array(COUNTRY_WEIGHTS))
    used: set[str] = set()
    persons = [
        make_person(f"P{i + 1:07d}", COUNTRIES[c], rnd, used) for i, c in enumerate(countries)
    ]
    taste = gen.dirichlet(category_share * 4.0, size=n)
    pop = Population(
        persons=persons,
        taste=taste,
        price_level=gen.beta(2.0, 2.0, size=n),
        activity=gen.lognormal(0.0, 0.8, size=n),
        brands=[],
        accounts=Accounts(),
        used_emails=used,
    )
    # 55 % were customers before 2025 (accounts from 2022-2024); the rest join during the year.
    old = gen.random(n) < 0.55
    join = np.where(
        old,
        START_TS - gen.integers(1, 3 * 365 * DAY, size=n),
        START_TS + (gen.random(n) ** 1.3 * (END_TS - START_TS - 14 * DAY)).astype(np.int64),
    )
    for i in range(n):
        _open_accounts(pop, i, int(join[i]), rnd)
        pop.brands.append(_preferred_brands(taste[i], brand_cats, rnd))
    return pop


def _preferred_brands(
    taste: np.ndarray, brand_cats: list[tuple[int, ...]], rnd: random.Random
) -> tuple[int, ...]:
    """2-4 brands, weighted by how much the person likes the categories each brand makes."""
    weights = [float(sum(taste[c] for c in cats)) + 1e-6 for cats in brand_cats]
    chosen: list[int] = []
    for _ in range(rnd.randint(2, 4)):
        b = rnd.choices(range(len(brand_cats)), weights)[0]
        if b not in chosen:
            chosen.append(b)
    return tuple(sorted(chosen))


def alternate_email(person: Person, rnd: random.Random, used: set[str]) -> str:
    """A second, different mailbox of the same person (work address, old provider, alias)."""
    f, la = _ascii(person.first).lower(), _ascii(person.last).lower().replace(" ", "")
    domain = rnd.choice(EMAIL_DOMAINS[person.country])
    email = f"{f[0]}{la}{rnd.randint(1, 99)}@{domain}"
    while email in used:
        email = f"{f}.{la}.{rnd.randint(100, 9999)}@{domain}"
    used.add(email)
    person.alt_emails.append(email)
    return email
