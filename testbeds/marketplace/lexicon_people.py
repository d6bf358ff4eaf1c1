"""Name, street and city pools per country, plus nicknames and e-mail domains.

Pools are deliberately small: real customer bases are full of name collisions (many "Anna
Müller"s), and entity resolution must cope with namesakes who are different people. Pools are
written as '|'-separated strings to keep this data module compact.
"""

from __future__ import annotations


def _pool(items: str) -> tuple[str, ...]:
    """Split a '|'-separated pool (names may contain spaces, e.g. "van den Berg")."""
    return tuple(items.split("|"))


FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "GB": _pool(
        "James|Oliver|William|Harry|George|Thomas|Emily|Olivia|Amelia|Sophie|"
        "Charlotte|Jessica|Elizabeth|Daniel|Rebecca|Michael"
    ),
    "DE": _pool(
        "Lukas|Jonas|Maximilian|Felix|Leon|Paul|Anna|Lena|Marie|Laura|Katharina|"
        "Johanna|Stefan|Andreas|Sabine|Michael"
    ),
    "FR": _pool(
        "Lucas|Hugo|Louis|Gabriel|Arthur|Jules|Camille|Chloé|Manon|Léa|Inès|"
        "Juliette|Nicolas|Pierre|Isabelle|Elizabeth"
    ),
    "NL": _pool(
        "Daan|Sem|Lucas|Milan|Bram|Thijs|Emma|Julia|Sanne|Lotte|Fleur|Anouk|"
        "Pieter|Joost|Maaike|Daniel"
    ),
    "US": _pool(
        "Michael|Christopher|Matthew|Joshua|Robert|William|Jennifer|Ashley|"
        "Jessica|Sarah|Amanda|Elizabeth|David|Katherine|Thomas|Daniel"
    ),
    "ES": _pool(
        "Alejandro|Pablo|Javier|Sergio|Carlos|Manuel|María|Lucía|Carmen|Laura|"
        "Marta|Elena|Antonio|Isabel|Daniel|Sofía"
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "GB": _pool(
        "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|"
        "Wright|Thompson|Evans|Walker|White|Roberts|Green"
    ),
    "DE": _pool(
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|"
        "Hoffmann|Schäfer|Koch|Bauer|Richter|Klein|Wolf"
    ),
    "FR": _pool(
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|"
        "Simon|Laurent|Lefebvre|Michel|Garcia|David"
    ),
    "NL": _pool(
        "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|"
        "Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|Peters"
    ),
    "US": _pool(
        "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Garcia|Rodriguez|"
        "Martinez|Anderson|Taylor|Thomas|Moore|Jackson|Lee"
    ),
    "ES": _pool(
        "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|"
        "Martín|Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz"
    ),
}

NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": _pool("Will|Bill|Billy"),
    "Elizabeth": _pool("Liz|Beth|Lizzie"),
    "Michael": _pool("Mike|Mick"),
    "Robert": _pool("Rob|Bob|Bobby"),
    "James": _pool("Jim|Jamie"),
    "Thomas": _pool("Tom|Tommy"),
    "Daniel": _pool("Dan|Danny"),
    "Christopher": _pool("Chris"),
    "Matthew": _pool("Matt"),
    "Joshua": _pool("Josh"),
    "Jennifer": _pool("Jen|Jenny"),
    "Jessica": _pool("Jess"),
    "Katherine": _pool("Kate|Katie"),
    "Rebecca": _pool("Becky"),
    "Charlotte": _pool("Lottie"),
    "Maximilian": _pool("Max"),
    "Katharina": _pool("Kathi|Kati"),
    "Johanna": _pool("Hanna"),
    "Andreas": _pool("Andi"),
    "Stefan": _pool("Steffen"),
    "Nicolas": _pool("Nico"),
    "Alejandro": _pool("Alex|Álex"),
    "Javier": _pool("Javi"),
    "Manuel": _pool("Manu"),
    "Antonio": _pool("Toni"),
    "Pieter": _pool("Piet"),
    "Amanda": _pool("Mandy"),
    "David": _pool("Dave"),
    "Samantha": _pool("Sam"),
    "Oliver": _pool("Ollie"),
    "Sophie": _pool("Soph"),
    "Isabel": _pool("Isa"),
}

EMAIL_DOMAINS: dict[str, tuple[str, ...]] = {
    "GB": _pool("gmail.com|hotmail.co.uk|yahoo.co.uk|outlook.com|btinternet.com"),
    "DE": _pool("gmail.com|web.de|gmx.de|t-online.de|outlook.de"),
    "FR": _pool("gmail.com|orange.fr|free.fr|hotmail.fr|laposte.net"),
    "NL": _pool("gmail.com|ziggo.nl|kpnmail.nl|hotmail.com|outlook.com"),
    "US": _pool("gmail.com|yahoo.com|outlook.com|aol.com|icloud.com"),
    "ES": _pool("gmail.com|hotmail.es|yahoo.es|outlook.es|telefonica.net"),
}

STREETS: dict[str, tuple[str, ...]] = {
    "GB": _pool(
        "High Street|Station Road|Church Lane|Victoria Road|Baker Street|"
        "Park Avenue|Mill Lane|King's Road|Queen Street|Green Lane"
    ),
    "DE": _pool(
        "Hauptstraße|Bahnhofstraße|Schulstraße|Gartenstraße|Berliner Straße|"
        "Lindenweg|Kirchplatz|Goethestraße|Am Markt|Waldweg"
    ),
    "FR": _pool(
        "rue de la Paix|avenue Victor Hugo|rue Pasteur|boulevard Voltaire|"
        "rue de la République|place de la Gare|rue des Écoles|"
        "avenue Jean Jaurès|rue du Moulin|chemin des Vignes"
    ),
    "NL": _pool(
        "Kerkstraat|Dorpsstraat|Stationsweg|Molenweg|Schoolstraat|Prinsengracht|"
        "Julianalaan|Wilhelminastraat|Markt|Nieuwstraat"
    ),
    "US": _pool(
        "Main Street|Oak Avenue|Maple Drive|Park Avenue|Cedar Lane|"
        "Washington Street|Lake Road|Elm Street|Sunset Boulevard|Pine Street"
    ),
    "ES": _pool(
        "Calle Mayor|Calle Real|Avenida de la Constitución|Calle Nueva|"
        "Plaza de España|Calle del Sol|Paseo del Prado|Calle Luna|"
        "Avenida Andalucía|Calle Alcalá"
    ),
}

# (city, postcode pattern) - pattern: '#' a digit, '@' an uppercase letter, anything else literal.
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "GB": (
        ("London", "@@# #@@"),
        ("Manchester", "M## #@@"),
        ("Leeds", "LS# #@@"),
        ("Bristol", "BS# #@@"),
        ("Glasgow", "G## #@@"),
        ("Birmingham", "B# #@@"),
    ),
    "DE": (
        ("Berlin", "10###"),
        ("Hamburg", "20###"),
        ("München", "80###"),
        ("Köln", "50###"),
        ("Frankfurt am Main", "60###"),
        ("Leipzig", "04###"),
    ),
    "FR": (
        ("Paris", "750##"),
        ("Lyon", "690##"),
        ("Marseille", "130##"),
        ("Toulouse", "310##"),
        ("Nantes", "440##"),
        ("Lille", "590##"),
    ),
    "NL": (
        ("Amsterdam", "10## @@"),
        ("Rotterdam", "30## @@"),
        ("Utrecht", "35## @@"),
        ("Den Haag", "25## @@"),
        ("Eindhoven", "56## @@"),
        ("Groningen", "97## @@"),
    ),
    "US": (
        ("Springfield, IL", "627##"),
        ("Austin, TX", "787##"),
        ("Portland, OR", "972##"),
        ("Columbus, OH", "432##"),
        ("Denver, CO", "802##"),
        ("Brooklyn, NY", "112##"),
    ),
    "ES": (
        ("Madrid", "280##"),
        ("Barcelona", "080##"),
        ("Valencia", "460##"),
        ("Sevilla", "410##"),
        ("Bilbao", "480##"),
        ("Málaga", "290##"),
    ),
}

COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "GB": ("United Kingdom", "UK", "GB", "England"),
    "DE": ("Germany", "Deutschland", "DE"),
    "FR": ("France", "FR"),
    "NL": ("Netherlands", "Nederland", "NL", "Holland"),
    "US": ("USA", "United States", "US"),
    "ES": ("Spain", "España", "ES"),
}

# Phone numbering: (calling code, area codes, national number length, trunk prefix).
PHONE_PLANS: dict[str, tuple[str, tuple[str, ...], int, str]] = {
    "GB": ("44", ("20", "161", "113", "117", "141", "121"), 10, "0"),
    "DE": ("49", ("30", "40", "89", "221", "69", "341"), 10, "0"),
    "FR": ("33", ("1", "4", "6", "7"), 9, "0"),
    "NL": ("31", ("20", "10", "30", "70", "40", "50"), 9, "0"),
    "US": ("1", ("212", "312", "512", "503", "614", "720"), 10, ""),
    "ES": ("34", ("91", "93", "96", "95", "94"), 9, ""),
}

# Abbreviations applied to addresses on some accounts.
STREET_ABBREV: tuple[tuple[str, str], ...] = (
    ("Street", "St"),
    ("Road", "Rd"),
    ("Avenue", "Ave"),
    ("Lane", "Ln"),
    ("Drive", "Dr"),
    ("Boulevard", "Blvd"),
    ("straße", "str."),
    ("Straße", "Str."),
    ("straat", "str"),
    ("avenue", "av."),
    ("boulevard", "bd"),
    ("Calle", "C/"),
    ("Avenida", "Avda."),
)
