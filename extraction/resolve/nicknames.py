"""Given-name equivalences (nicknames and short forms) for comparing account holders' names.

Customers sign up as "Bill" on one site and "William" on another; string similarity cannot see
that, so a small table of common European short forms is used. It is deliberately generic (a
textbook list, not drawn from any one data set); a name missing here still matches by spelling
or by initial, only with less weight.
"""

from __future__ import annotations

from functools import cache

# One group per line: the formal name first, then its common short forms (ASCII-folded, lower).
_GROUPS = """
william bill billy will willy liam wim
robert bob bobby rob robbie bert
richard rick ricky dick rich richie
james jim jimmy jamie
john jack johnny jon
jonathan jon jonny nathan
joseph joe joey jose pepe
michael mike mikey mick micky mickey mich
christopher chris kit topher
christian chris christo
christine chris chrissy tina
christina chris chrissy tina
daniel dan danny dani
david dave davey davy
thomas tom tommy thom
matthew matt matty
andrew andy drew
andreas andi andy
alexander alex alec sandy xander alejandro
alexandra alex sandra lexi
alejandro alex alejo jandro
benjamin ben benny benji
nicholas nick nicky nico
nicolas nico nick
nicola nicky nikki
samuel sam sammy
edward ed eddie ted ned
anthony tony ant
antonio toni tono antonino
joshua josh
charles charlie chuck chas
charlotte lottie charlie lotte
elizabeth liz lizzie beth betty eliza libby lisa bess elisabeth
katherine kate katie kathy kat kitty cathy
katharina kathi kati katja kat kathrin
catherine cathy kate katie cat
margaret maggie meg peggy greta marge
rebecca becky becca
jennifer jen jenny jenn
jessica jess jessie
amanda mandy mandi
samantha sam sammy
susan sue susie suzy
patricia pat patty tricia
victoria vicky tori
olivia liv livvy ollie
oliver ollie olly
sophie soph sophia
sophia soph sophie
isabel isa bel isabella isabelle
isabelle isa belle isabel
johanna hanna hanne jo
maximilian max maxi
stefan steff steffen stephan
steffen steff stefan
stephen steve stevie
steven steve stevie
francisco paco fran
francesco franco checco
giuseppe beppe peppe
manuel manu manolo
maria mari mia
pieter piet pier
peter pete piet
johannes hannes jan johan
hendrik henk
cornelis kees
gerhard gerd
wolfgang wolf
friedrich fritz
harold harry hal
henry harry hank
edward teddy
gabriel gabe gabi
lucas luke luc
lukas luke luk
emily em emmy
emma em emmy
eleanor ellie nora
louis lou louie
abigail abby
anne annie ann
""".strip().splitlines()


@cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in _GROUPS:
        names = line.split()
        for name in names:
            table.setdefault(name, set()).update(names)
    return {name: frozenset(group) for name, group in table.items()}


def same_given_name(a: str, b: str) -> bool:
    """Whether two folded given names are listed as forms of one another ("bill" ~ "william")."""
    group = _table().get(a)
    return group is not None and b in group
