#!/usr/bin/env python3
"""Generates mergeq's demo CRM: accounts and contacts from Salesforce, HubSpot and a web form,
the duplicate candidates a matcher would propose among them, and the answer key.

Deterministic: a fixed seed, no clock, no hash-ordered iteration. Running it rewrites every CSV
byte for byte; `tests/demo.rs` checks that the committed files are what it produces.

    python3 assets/demo/generate.py            # rewrite the files next to this script
    python3 assets/demo/generate.py --out DIR  # write them somewhere else

Python 3 standard library only. The names, companies, domains and phone numbers are invented;
US numbers use the 555-01xx range and UK numbers Ofcom's drama ranges.
"""

import argparse
import csv
import os
import random
import sys
import unicodedata
from datetime import datetime, timedelta, timezone

SEED = 20250314

ACCOUNT_COLUMNS = ["id", "name", "website", "phone", "industry", "employees", "annual_revenue", "street",
                   "city", "postcode", "country", "owner", "tags", "created_at", "updated_at"]
CONTACT_COLUMNS = ["id", "first_name", "last_name", "email", "phone", "title", "company", "street", "city",
                   "postcode", "country", "owner", "tags", "form_submissions", "lead_source", "created_at",
                   "updated_at"]

# How many records each file holds.
ACCOUNT_TARGET = {"salesforce": 85, "hubspot": 65}
CONTACT_TARGET = {"salesforce": 200, "hubspot": 180, "webform": 120}

SF, HS, WF = "salesforce", "hubspot", "webform"

# The one deliberately hostile value: a spreadsheet formula typed into a web form's title field.
FORMULA_TITLE = '=HYPERLINK("http://evil.example","click")'

# ---------------------------------------------------------------------------------------------
# Text helpers: accent folding, Jaro-Winkler, e-mail normalisation (what a matcher would compute).


def fold(text):
    """Lower case without accents: what a matcher compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


GERMAN_ASCII = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


def ascii_name(text, german=False):
    """A name as people write it in an e-mail address or an ASCII-only form."""
    if german:
        text = "".join(GERMAN_ASCII.get(c, c) for c in text)
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text, german=False):
    return "".join(c for c in ascii_name(text, german).lower() if c.isalnum())


def jaro(s, t):
    if s == t:
        return 1.0
    if not s or not t:
        return 0.0
    window = max(len(s), len(t)) // 2 - 1
    s_hit, t_hit = [False] * len(s), [False] * len(t)
    matches = 0
    for i, c in enumerate(s):
        for j in range(max(0, i - window), min(i + window + 1, len(t))):
            if not t_hit[j] and t[j] == c:
                s_hit[i] = t_hit[j] = True
                matches += 1
                break
    if matches == 0:
        return 0.0
    k = transpositions = 0
    for i in range(len(s)):
        if s_hit[i]:
            while not t_hit[k]:
                k += 1
            if s[i] != t[k]:
                transpositions += 1
            k += 1
    m = matches
    return (m / len(s) + m / len(t) + (m - transpositions / 2) / m) / 3


def jaro_winkler(s, t):
    j = jaro(s, t)
    prefix = 0
    for a, b in zip(s, t):
        if a != b or prefix == 4:
            break
        prefix += 1
    return j + prefix * 0.1 * (1 - j)


def norm_email(email):
    """Lower case, `+tag` removed, dots removed where the provider ignores them (Gmail)."""
    local, _, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    return f"{local}@{domain}"


LEGAL_FORMS = ["GmbH & Co. KG", "Incorporated", "Corporation", "Sp. z o.o.", "Co., Ltd.", "Limited", "L.L.C.",
               "GmbH", "Inc.", "Inc", "LLC", "Ltd.", "Ltd", "Corp.", "Corp", "S.L.", "S.A.", "SAS", "SARL",
               "B.V.", "AB", "AG", "K.K.", "Ltda.", "plc", "LLP", "SA"]


def strip_legal(name):
    name = name.strip().rstrip(",")
    changed = True
    while changed:
        changed = False
        for form in LEGAL_FORMS:
            if name.lower().endswith(" " + form.lower()):
                name = name[: -len(form) - 1].rstrip().rstrip(",")
                changed = True
    return name


def edit_distance(s, t):
    row = list(range(len(t) + 1))
    for i, a in enumerate(s, 1):
        prev, row[0] = row[0], i
        for j, b in enumerate(t, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (a != b))
    return row[-1]


def name_sim(a, b):
    return jaro_winkler(fold(a), fold(b))


def domain_of(website):
    d = website.lower().split("://", 1)[-1].split("/", 1)[0]
    return d[4:] if d.startswith("www.") else d


# ---------------------------------------------------------------------------------------------
# Phones: a number is (country code, national significant number); formats are how people type it.


def phone_groups(cc, nsn):
    def cut(sizes):
        out, i = [], 0
        for n in sizes:
            out.append(nsn[i:i + n])
            i += n
        if i < len(nsn):
            out[-1] += nsn[i:]
        return out

    if cc == "1":
        return cut([3, 3, 4])
    if cc == "44":
        if nsn.startswith("20"):
            return cut([2, 4, 4])
        if nsn.startswith("7"):
            return cut([4, 6])
        return cut([3, 3, 4])
    if cc == "49":
        area = 2 if nsn[:2] in ("30", "40", "89") else 3
        return [nsn[:area], nsn[area:]]
    sizes = {"33": [1, 2, 2, 2, 2], "34": [2, 3, 2, 2], "31": [2, 3, 4], "46": [1, 3, 3, 2], "81": [1, 4, 4],
             "55": [2, 5, 4], "48": [2, 3, 2, 2]}
    return cut(sizes[cc])


TRUNK_ZERO = {"44", "49", "33", "31", "46", "81"}


def format_phone(phone, style):
    cc, nsn = phone
    g = phone_groups(cc, nsn)
    if style == "e164":
        return f"+{cc}{nsn}"
    if style == "intl":
        return f"+{cc} " + " ".join(g)
    if style == "00":
        return f"00{cc} " + " ".join(g)
    if style == "paren0" and cc in ("44", "49"):
        return f"+{cc} (0)" + " ".join(g)
    if style == "dots" and cc == "1":
        return ".".join(g)
    if style == "dashes" and cc == "1":
        return "-".join(g)
    if style == "plain":
        return ("0" if cc in TRUNK_ZERO else "") + nsn
    # national, as a local would write it
    if cc == "1":
        return f"({g[0]}) {g[1]}-{g[2]}"
    if cc == "46":
        return f"0{g[0]}-" + " ".join(g[1:])
    if cc == "81":
        return "0" + "-".join(g)
    if cc == "55":
        return f"({g[0]}) {g[1]}-{g[2]}"
    if cc in TRUNK_ZERO:
        return "0" + " ".join(g)
    return " ".join(g)


def e164(phone):
    return f"+{phone[0]}{phone[1]}"


# ---------------------------------------------------------------------------------------------
# Places. Each city: postcode maker, phone area maker, streets, and how a street address is written.


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def letters(rng, n, alphabet="ABDEFGHJLNPQRSTUWXYZ"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def us_city(name, zip3, area, streets):
    return {"city": name, "postcode": lambda r: zip3 + f"{r.randrange(1, 60):02d}",
            "phone": lambda r: ("1", area + "55501" + digits(r, 2)), "streets": streets,
            "address": lambda r, s: f"{r.randrange(10, 2400)} {s}" + (f", Suite {r.randrange(2, 40)}00" if r.random() < 0.3 else "")}


def uk_city(name, outwards, area, streets):
    return {"city": name, "postcode": lambda r: f"{r.choice(outwards)} {r.randrange(1, 10)}{letters(r, 2)}",
            "phone": lambda r: ("44", area + "4960" + digits(r, 3)) if area != "20" else ("44", "2079460" + digits(r, 3)),
            "streets": streets, "address": lambda r, s: f"{r.randrange(1, 240)} {s}"}


def eu_city(name, postcodes, phone, streets, number_first=False, comma=False):
    def address(r, s):
        n = r.randrange(1, 180)
        if number_first:
            return f"{n} {s}"
        return f"{s}, {n}" if comma else f"{s} {n}"
    return {"city": name, "postcode": postcodes, "phone": phone, "streets": streets, "address": address}


COUNTRIES = {
    "US": {"name": "United States", "alt": ["USA", "US", "United States"], "weight": 34, "lang": "en",
           "tlds": [".com", ".com", ".io", ".co"], "legal": ["Inc.", "Inc.", "LLC", "Corp."],
           "personal": ["gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com"],
           "cities": [
               us_city("San Francisco", "941", "415", ["Market Street", "Mission Street", "Howard Street", "Townsend Street", "Sansome Street"]),
               us_city("New York", "100", "212", ["Broadway", "Park Avenue South", "Hudson Street", "West 26th Street", "Madison Avenue"]),
               us_city("Austin", "787", "512", ["Congress Avenue", "Lamar Boulevard", "East 6th Street", "Barton Springs Road"]),
               us_city("Chicago", "606", "312", ["Wacker Drive", "Michigan Avenue", "LaSalle Street", "Randolph Street"]),
               us_city("Boston", "021", "617", ["Boylston Street", "Summer Street", "Atlantic Avenue", "Newbury Street"]),
               us_city("Seattle", "981", "206", ["Pike Street", "2nd Avenue", "Westlake Avenue N", "Elliott Avenue W"]),
               us_city("Denver", "802", "303", ["Larimer Street", "Blake Street", "17th Street", "Colfax Avenue"]),
           ]},
    "GB": {"name": "United Kingdom", "alt": ["UK", "GB", "United Kingdom", "England"], "weight": 15, "lang": "en",
           "tlds": [".co.uk", ".co.uk", ".com"], "legal": ["Ltd", "Ltd", "Limited", "LLP"],
           "personal": ["gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com"],
           "cities": [
               uk_city("London", ["EC1V", "EC2A", "SE1", "W1T", "N1", "E1", "WC2H"], "20", ["Clerkenwell Road", "Old Street", "Borough High Street", "Charlotte Street", "Upper Street", "Curtain Road"]),
               uk_city("Manchester", ["M1", "M2", "M3", "M4", "M15"], "161", ["Deansgate", "Oxford Road", "Portland Street", "Quay Street"]),
               uk_city("Leeds", ["LS1", "LS2", "LS11"], "113", ["Wellington Street", "The Headrow", "Park Row", "Kirkstall Road"]),
               uk_city("Edinburgh", ["EH1", "EH2", "EH3", "EH8"], "131", ["George Street", "Leith Walk", "Rose Street", "Queen Street"]),
           ]},
    "DE": {"name": "Germany", "alt": ["DE", "Deutschland", "Germany"], "weight": 15, "lang": "de",
           "tlds": [".de"], "legal": ["GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG"],
           "personal": ["gmail.com", "web.de", "gmx.de", "t-online.de"],
           "cities": [
               eu_city("Berlin", lambda r: r.choice(["10115", "10117", "10178", "10243", "10405", "10435", "10557", "10785", "10969"]), lambda r: ("49", "30" + str(r.randrange(2, 9)) + digits(r, 6)), ["Friedrichstraße", "Torstraße", "Invalidenstraße", "Oranienstraße", "Schönhauser Allee"]),
               eu_city("München", lambda r: r.choice(["80331", "80333", "80335", "80469", "80539", "81671"]), lambda r: ("49", "89" + str(r.randrange(2, 9)) + digits(r, 6)), ["Leopoldstraße", "Maximilianstraße", "Sendlinger Straße", "Theresienstraße"]),
               eu_city("Hamburg", lambda r: r.choice(["20095", "20099", "20354", "20457", "22767"]), lambda r: ("49", "40" + str(r.randrange(2, 9)) + digits(r, 6)), ["Mönckebergstraße", "Große Elbstraße", "Steindamm", "Jungfernstieg"]),
               eu_city("Köln", lambda r: r.choice(["50667", "50668", "50672", "50679", "50823"]), lambda r: ("49", "221" + str(r.randrange(2, 9)) + digits(r, 6)), ["Hohenzollernring", "Ehrenstraße", "Venloer Straße", "Deutzer Freiheit"]),
           ]},
    "FR": {"name": "France", "alt": ["FR", "France"], "weight": 8, "lang": "fr",
           "tlds": [".fr"], "legal": ["SAS", "SAS", "SARL", "SA"],
           "personal": ["gmail.com", "orange.fr", "free.fr"],
           "cities": [
               eu_city("Paris", lambda r: f"750{r.randrange(1, 21):02d}", lambda r: ("33", "19900" + digits(r, 4)), ["rue de Rivoli", "boulevard Haussmann", "rue du Faubourg Saint-Antoine", "avenue de la République", "rue Oberkampf"], number_first=True),
               eu_city("Lyon", lambda r: f"6900{r.randrange(1, 10)}", lambda r: ("33", "49900" + digits(r, 4)), ["rue de la République", "cours Lafayette", "quai Saint-Antoine", "rue Mercière"], number_first=True),
           ]},
    "ES": {"name": "Spain", "alt": ["ES", "España", "Spain"], "weight": 6, "lang": "es",
           "tlds": [".es", ".com"], "legal": ["S.L.", "S.L.", "S.A."],
           "personal": ["gmail.com", "hotmail.es", "yahoo.es"],
           "cities": [
               eu_city("Madrid", lambda r: f"280{r.randrange(1, 50):02d}", lambda r: ("34", "91" + str(r.randrange(2, 8)) + digits(r, 6)), ["Calle de Alcalá", "Gran Vía", "Paseo de la Castellana", "Calle de Serrano"], comma=True),
               eu_city("Barcelona", lambda r: f"080{r.randrange(1, 40):02d}", lambda r: ("34", "93" + str(r.randrange(2, 8)) + digits(r, 6)), ["Carrer de Mallorca", "Avinguda Diagonal", "Passeig de Gràcia", "Carrer d'Aragó"], comma=True),
           ]},
    "NL": {"name": "Netherlands", "alt": ["NL", "Nederland", "Netherlands", "The Netherlands"], "weight": 6, "lang": "nl",
           "tlds": [".nl"], "legal": ["B.V."],
           "personal": ["gmail.com", "ziggo.nl", "hotmail.nl"],
           "cities": [
               eu_city("Amsterdam", lambda r: f"10{r.randrange(11, 99)} {letters(r, 2, 'ABCDEGHJKLMNPRSTVWXZ')}", lambda r: ("31", "20" + str(r.randrange(2, 8)) + digits(r, 6)), ["Keizersgracht", "Herengracht", "Prinsengracht", "Weesperstraat", "Overtoom"]),
               eu_city("Utrecht", lambda r: f"35{r.randrange(11, 99)} {letters(r, 2, 'ABCDEGHJKLMNPRSTVWXZ')}", lambda r: ("31", "30" + str(r.randrange(2, 8)) + digits(r, 6)), ["Oudegracht", "Biltstraat", "Catharijnesingel"]),
           ]},
    "CA": {"name": "Canada", "alt": ["CA", "Canada"], "weight": 6, "lang": "en",
           "tlds": [".ca", ".com"], "legal": ["Inc.", "Ltd.", "Corp."],
           "personal": ["gmail.com", "outlook.com", "rogers.com"],
           "cities": [
               eu_city("Toronto", lambda r: f"M5{r.choice('VHJKXG')} {r.randrange(1, 9)}{letters(r, 1)}{r.randrange(1, 9)}", lambda r: ("1", "41655501" + digits(r, 2)), ["Queen Street West", "King Street West", "Spadina Avenue", "Bay Street"], number_first=True),
               eu_city("Montréal", lambda r: f"H2{r.choice('XYZ')} {r.randrange(1, 9)}{letters(r, 1)}{r.randrange(1, 9)}", lambda r: ("1", "51455501" + digits(r, 2)), ["rue Sainte-Catherine Ouest", "boulevard Saint-Laurent", "rue Sherbrooke Ouest"], number_first=True),
           ]},
    "SE": {"name": "Sweden", "alt": ["SE", "Sverige", "Sweden"], "weight": 3, "lang": "sv",
           "tlds": [".se"], "legal": ["AB"], "personal": ["gmail.com", "telia.com"],
           "cities": [eu_city("Stockholm", lambda r: f"11{r.randrange(1, 8)} {r.randrange(10, 99)}", lambda r: ("46", "8" + str(r.randrange(4, 8)) + digits(r, 7)), ["Drottninggatan", "Sveavägen", "Götgatan", "Hornsgatan"])]},
    "JP": {"name": "Japan", "alt": ["JP", "Japan"], "weight": 2, "lang": "ja",
           "tlds": [".co.jp"], "legal": ["K.K.", "Co., Ltd."], "personal": ["gmail.com", "yahoo.co.jp"],
           "cities": [{"city": "Tokyo", "postcode": lambda r: r.choice(["100-0005", "150-0002", "106-0032", "103-0027"]),
                       "phone": lambda r: ("81", "3" + str(r.randrange(3, 7)) + digits(r, 7)),
                       "streets": ["Marunouchi", "Shibuya", "Roppongi", "Nihonbashi"],
                       "address": lambda r, s: f"{s} {r.randrange(1, 4)}-{r.randrange(1, 20)}-{r.randrange(1, 12)}"}]},
    "BR": {"name": "Brazil", "alt": ["BR", "Brasil", "Brazil"], "weight": 2, "lang": "pt",
           "tlds": [".com.br"], "legal": ["Ltda.", "S.A."], "personal": ["gmail.com", "uol.com.br"],
           "cities": [eu_city("São Paulo", lambda r: f"0{r.randrange(1300, 1500)}-{digits(r, 3)}", lambda r: ("55", "119" + digits(r, 8)), ["Avenida Paulista", "Rua Augusta", "Rua Oscar Freire", "Avenida Brigadeiro Faria Lima"], comma=True)]},
    "PL": {"name": "Poland", "alt": ["PL", "Polska", "Poland"], "weight": 2, "lang": "pl",
           "tlds": [".pl"], "legal": ["Sp. z o.o.", "S.A."], "personal": ["gmail.com", "wp.pl", "onet.pl"],
           "cities": [eu_city("Kraków", lambda r: f"31-{r.randrange(0, 999):03d}", lambda r: ("48", "12" + str(r.randrange(2, 7)) + digits(r, 6)), ["ul. Floriańska", "ul. Grodzka", "ul. Długa", "ul. Karmelicka"])]},
}
COUNTRY_CODES = list(COUNTRIES)

FIRST_NAMES = {
    "en": ["James", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Christopher", "Daniel",
           "Matthew", "Anthony", "Steven", "Andrew", "Kevin", "Brian", "Jessica", "Jennifer", "Elizabeth",
           "Katherine", "Sarah", "Emily", "Megan", "Rachel", "Laura", "Olivia", "Hannah", "Grace", "Chloe", "Aisha",
           "Priya", "Samuel", "Ethan", "Nathan", "Oliver", "Harry", "Amelia", "Isla", "Fiona", "Callum", "Rhys",
           "Siobhan", "Niamh", "Rebecca", "Victoria", "Marcus", "Tariq", "Mei", "Jordan", "Alexis"],
    "de": ["Lukas", "Leon", "Jonas", "Felix", "Maximilian", "Paul", "Jan", "Tobias", "Stefan", "Matthias", "Jürgen",
           "Anna", "Lena", "Sophie", "Marie", "Katharina", "Julia", "Sabine", "Birgit", "Jörg", "Björn", "Uwe",
           "Annika", "Franziska", "Johannes"],
    "fr": ["Jean", "Pierre", "Louis", "Lucas", "Hugo", "Théo", "Mathieu", "Nicolas", "Élodie", "Camille", "Léa",
           "Manon", "Chloé", "Inès", "Céline", "Amélie", "Hélène", "Antoine", "Sébastien", "Margaux"],
    "es": ["Antonio", "Manuel", "Javier", "Alejandro", "Pablo", "Sergio", "Álvaro", "Lucía", "María", "Carmen",
           "Sofía", "Paula", "Elena", "Marta", "Begoña", "Íñigo", "Núria", "Francisco", "Raquel", "Andrés"],
    "nl": ["Daan", "Sem", "Lars", "Bram", "Thijs", "Ruben", "Sanne", "Femke", "Lotte", "Anouk", "Eva", "Fleur",
           "Joost", "Maarten", "Ilse"],
    "sv": ["Erik", "Anders", "Johan", "Karl", "Astrid", "Ingrid", "Elin", "Maja", "Linnéa", "Sofia", "Oskar", "Nils"],
    "ja": ["Haruto", "Yuto", "Sota", "Ren", "Yui", "Hina", "Aoi", "Haruka", "Kenji", "Takeshi", "Yuki", "Emi"],
    "pt": ["João", "Pedro", "Gabriel", "Rafael", "Ana", "Beatriz", "Juliana", "Camila", "Larissa", "Thiago"],
    "pl": ["Jakub", "Kacper", "Piotr", "Tomasz", "Michał", "Zofia", "Agnieszka", "Katarzyna", "Małgorzata", "Łukasz"],
}
LAST_NAMES = {
    "en": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
           "Moore", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
           "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Turner",
           "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Murphy", "O'Brien",
           "O'Connor", "Okafor", "Patel", "Nguyen", "Chen", "Kim", "Singh", "Reyes", "MacDonald", "Fraser",
           "Hughes", "Price", "Abernathy", "Delgado", "Lindgren", "Kowalczyk", "Haddad", "Osei", "Novak", "Byrne"],
    "de": ["Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer",
           "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
           "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Köhler", "Weiß", "Vogt", "Lorenz", "Seidel"],
    "fr": ["Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
           "Michel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Rousseau", "Faure", "Mercier", "Chevalier"],
    "es": ["García", "Fernández", "González", "Rodríguez", "López", "Sánchez", "Pérez", "Gómez", "Jiménez", "Ruiz",
           "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres", "Domínguez", "Peña"],
    "nl": ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer",
           "de Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks"],
    "sv": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
           "Lindqvist", "Sjöberg", "Holm"],
    "ja": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"],
    "pt": ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Rodrigues", "Almeida", "Gonçalves"],
    "pl": ["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Król", "Wieczorek", "Jabłoński"],
}

# Company names: (first part, second part with its industry) by language, plus the legal forms above.
COMPANY_WORDS = {
    "en": (["Brightwave", "Kestrel", "Bluepeak", "Harborview", "Ironleaf", "Northgate", "Silverline", "Redwood",
            "Clearpath", "Pinecrest", "Oakridge", "Stonebridge", "Lakeside", "Riverbend", "Greenfield", "Highland",
            "Crescent", "Meridian", "Aurora", "Beacon", "Cobalt", "Falcon", "Granite", "Juniper", "Lighthouse",
            "Maplewood", "Nimbus", "Polaris", "Sterling", "Tidewater", "Vantage", "Willowbrook", "Zephyr",
            "Copperline", "Fernhill", "Goldcrest", "Hollis", "Larkspur", "Bramble", "Atlas"],
           [("Analytics", "tech"), ("Robotics", "manufacturing"), ("Software", "tech"), ("Logistics", "transport"),
            ("Health", "health"), ("Foods", "food"), ("Energy", "energy"), ("Capital", "finance"),
            ("Consulting", "consulting"), ("Systems", "tech"), ("Labs", "tech"), ("Manufacturing", "manufacturing"),
            ("Media", "media"), ("Dental Group", "health"), ("Outfitters", "retail"), ("Insurance", "finance"),
            ("Freight", "transport"), ("Hospitality", "hospitality"), ("Builders", "construction")]),
    "de": (["Brandt", "Vogel", "Keller", "Hofmann", "Schäfer", "Wagner", "Becker", "Krüger", "Lorenz", "Engel",
            "Franke", "Böhm", "Seidel", "Roth", "Albrecht"],
           [("Logistik", "transport"), ("Maschinenbau", "manufacturing"), ("Elektrotechnik", "manufacturing"),
            ("Bau", "construction"), ("Medizintechnik", "health"), ("Software", "tech"), ("Lebensmittel", "food"),
            ("Energietechnik", "energy"), ("Beratung", "consulting")]),
    "fr": (["Moreau", "Lefèvre", "Dubois", "Girard", "Rousseau", "Fournier", "Bonnet", "Lambert", "Faure", "Mercier"],
           [("Atelier", "retail"), ("Groupe", "consulting"), ("Conseil", "consulting"), ("Transports", "transport"),
            ("Boulangeries", "food"), ("Énergies", "energy"), ("Laboratoires", "health")]),
    "es": (["Ibérica", "Levante", "Cantábrica", "Mediterránea", "Castilla", "Atlántica", "Sierra"],
           [("Seguros", "finance"), ("Logística", "transport"), ("Ingeniería", "construction"),
            ("Alimentación", "food"), ("Energía", "energy"), ("Software", "tech")]),
    "nl": (["Van Dijk", "De Vries", "Bakker", "Visser", "Mulder", "Smit", "Hendriks"],
           [("Installatietechniek", "construction"), ("Logistiek", "transport"), ("Software", "tech"),
            ("Voeding", "food"), ("Energie", "energy"), ("Advies", "consulting")]),
    "sv": (["Nordlys", "Fjällbris", "Skogsberg", "Älvdal", "Havsvind", "Granit"],
           [("Energi", "energy"), ("Logistik", "transport"), ("Mjukvara", "tech"), ("Bygg", "construction")]),
    "ja": (["Sakura", "Fuji", "Kaede", "Hoshi", "Midori"],
           [("Seiki", "manufacturing"), ("Shoji", "retail"), ("Software", "tech"), ("Logistics", "transport")]),
    "pt": (["Ipê", "Jatobá", "Araucária", "Cerrado", "Guanabara"],
           [("Alimentos", "food"), ("Logística", "transport"), ("Tecnologia", "tech"), ("Energia", "energy")]),
    "pl": (["Wisła", "Tatry", "Bałtyk", "Mazowsze", "Odra"],
           [("Logistyka", "transport"), ("Software", "tech"), ("Budownictwo", "construction"), ("Energia", "energy")]),
}

# Salesforce picklist label and HubSpot enumeration value of each industry.
INDUSTRIES = {
    "tech": ("Technology", "COMPUTER_SOFTWARE"), "manufacturing": ("Manufacturing", "MACHINERY"),
    "transport": ("Transportation", "LOGISTICS_AND_SUPPLY_CHAIN"), "health": ("Healthcare", "HOSPITAL_HEALTH_CARE"),
    "food": ("Food & Beverage", "FOOD_BEVERAGES"), "energy": ("Energy", "RENEWABLES_ENVIRONMENT"),
    "finance": ("Financial Services", "FINANCIAL_SERVICES"), "consulting": ("Consulting", "MANAGEMENT_CONSULTING"),
    "media": ("Media", "MEDIA_PRODUCTION"), "retail": ("Retail", "RETAIL"),
    "hospitality": ("Hospitality", "HOSPITALITY"), "construction": ("Construction", "CONSTRUCTION"),
}

TITLES = ["Account Executive", "Sales Manager", "VP Sales", "Head of Marketing", "Marketing Manager",
          "Marketing Coordinator", "CFO", "Finance Director", "Controller", "Procurement Manager", "Purchasing Lead",
          "Operations Manager", "COO", "CTO", "IT Director", "Software Engineer", "Office Manager",
          "Customer Success Manager", "HR Business Partner", "Head of People", "Founder & CEO", "Managing Director",
          "Data Analyst", "Product Manager", "Supply Chain Manager"]
LOCAL_TITLES = {"de": ["Geschäftsführer", "Einkaufsleiterin", "Leiter Vertrieb"],
                "fr": ["Directrice commerciale", "Responsable achats"],
                "es": ["Director de Operaciones", "Jefa de Compras"], "sv": ["Inköpschef"]}
PROMOTIONS = {"Marketing Manager": "Head of Marketing", "Sales Manager": "VP Sales", "Data Analyst": "Analytics Lead",
              "Software Engineer": "Engineering Manager", "Controller": "Finance Director",
              "Account Executive": "Senior Account Executive", "Operations Manager": "COO",
              "Product Manager": "Director of Product", "Procurement Manager": "Head of Procurement",
              "Marketing Coordinator": "Marketing Manager", "Customer Success Manager": "Head of Customer Success"}

SF_OWNERS = ["Priya Natarajan", "Marcus Webb", "Lena Hoffmann", "Tomás Ruiz", "Claire Dubois", "Kwame Mensah"]
HS_OWNERS = ["Priya Natarajan", "Marcus Webb", "Lena Hoffmann", "Jordan Lee", "Sofia Rossi"]
SF_TAGS = ["customer", "prospect", "partner", "vip", "renewal-2025", "churn-risk", "reference"]
HS_TAGS = ["newsletter", "webinar-2025-03", "ebook-download", "event-berlin-2024", "product-updates", "trial"]
WF_TAGS = ["contact-us", "demo-request", "pricing-page", "whitepaper"]
SF_LEAD_SOURCES = ["Web", "Trade Show", "Partner Referral", "Outbound", "Webinar", "Advertisement"]
HS_LEAD_SOURCES = ["ORGANIC_SEARCH", "DIRECT_TRAFFIC", "PAID_SEARCH", "SOCIAL_MEDIA", "EMAIL_MARKETING",
                   "REFERRALS", "OFFLINE"]
WF_FORMS = ["Contact us", "Demo request", "Pricing page", "Whitepaper: Data quality 101"]

NICKNAMES = [("Robert", "Bob"), ("Johannes", "Hans"), ("Elizabeth", "Liz"), ("Katherine", "Kate"),
             ("Francisco", "Paco"), ("William", "Bill"), ("Michael", "Mike"), ("James", "Jim"),
             ("Christopher", "Chris"), ("Rebecca", "Becky"), ("Victoria", "Vicky")]
NICKNAME_LANG = {"Johannes": "de", "Francisco": "es"}

# ---------------------------------------------------------------------------------------------
# The world: companies and people (the truth), and the records each system holds about them.

T0 = datetime(2021, 1, 4, tzinfo=timezone.utc)
T_END = datetime(2025, 9, 30, 18, 0, tzinfo=timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class World:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.taken = set()  # membership only (never iterated): names, domains, phones, ids
        self.companies = []
        self.accounts = {SF: [], HS: []}
        self.contacts = {SF: [], HS: [], WF: []}
        self.pairs = []  # (a, b, score, reason, pattern, same_entity)
        self.clusters = []  # ([(record, score)], pattern, same_entity)

    # -- unique draws ------------------------------------------------------------------------
    def fresh(self, kind, draw):
        for _ in range(1000):
            value = draw()
            if (kind, value) not in self.taken:
                self.taken.add((kind, value))
                return value
        raise RuntimeError(f"ran out of fresh {kind}")

    def when(self, start, end):
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.randrange(span))

    def later(self, t, min_days=0, max_days=400):
        lo = t + timedelta(days=min_days)
        hi = min(t + timedelta(days=max_days), T_END)
        if hi - lo < timedelta(days=1):  # too close to the export: some time in its last weeks
            lo = hi - timedelta(days=min(max(min_days, 1), 40))
        return self.when(lo, hi)

    def country(self):
        return self.rng.choices(COUNTRY_CODES, weights=[COUNTRIES[c]["weight"] for c in COUNTRY_CODES])[0]

    def phone_in(self, city):
        return self.fresh("phone", lambda: city["phone"](self.rng))

    def sf_id(self, prefix):
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

        def draw():
            base = prefix + self.rng.choice(["5g", "8d", "Hn"]) + "00000" + "".join(self.rng.choice(alphabet) for _ in range(5))
            return base + sf_checksum(base)
        return self.fresh("sfid", draw)

    def hs_id(self, lo, hi):
        return self.fresh("hsid", lambda: str(self.rng.randrange(lo, hi)))

    # -- companies ---------------------------------------------------------------------------
    def company(self, country=None, base=None, domain=None, legal=None, industry=None, before=None):
        r = self.rng
        code = country or self.country()
        c = COUNTRIES[code]
        lang = c["lang"]
        firsts, seconds = COMPANY_WORDS[lang]
        if base is None:
            def draw():
                a = r.choice(firsts)
                b, ind = r.choice(seconds)
                return (f"{b} {a}" if lang == "fr" else f"{a} {b}"), ind
            base, industry = self.fresh("company", draw)
        else:
            self.taken.add(("company", (base, industry)))
        industry = industry or r.choice(list(INDUSTRIES))
        if domain is None:
            words = base.split()
            def draw_domain():
                short = {"fr": words[-1], "de": None, "nl": None}.get(lang, words[0])
                if short and len(words) > 1 and r.random() < 0.3:
                    stem = slug(short)
                else:
                    stem = ("-" if r.random() < 0.3 else "").join(slug(w, lang == "de") for w in words)
                return stem + r.choice(c["tlds"])
            domain = self.fresh("domain", draw_domain)
        else:
            self.taken.add(("domain", domain))
        city = r.choice(c["cities"])
        created = self.when(T0, before or datetime(2024, 12, 1, tzinfo=timezone.utc))
        employees = r.choice([12, 25, 40, 60, 85, 120, 180, 250, 400, 650, 1200, 2500, 5000])
        employees = int(employees * r.uniform(0.8, 1.25))
        co = {
            "base": base, "legal": legal or r.choice(c["legal"]), "country": code, "city": city,
            "street": city["address"](r, r.choice(city["streets"])), "postcode": city["postcode"](r),
            "phone": self.phone_in(city), "domain": domain, "industry": industry, "employees": employees,
            "revenue": employees * r.choice([90, 120, 150, 210, 260]) * 1000, "owner": r.choice(SF_OWNERS),
            "created": created, "email_style": r.choice(["first.last", "first.last", "flast", "first", "f.last"]),
            "lang": lang,
        }
        self.companies.append(co)
        return co

    def companies_in(self, code, n=1):
        """`n` companies in one country, made when there are not enough yet."""
        found = [c for c in self.companies if c["country"] == code]
        while len(found) < n:
            found.append(self.company(country=code))
        return found

    def first_free(self, kind, options):
        for value in options:
            if (kind, value) not in self.taken:
                self.taken.add((kind, value))
                return value
        raise RuntimeError(f"ran out of fresh {kind}")

    # -- people ------------------------------------------------------------------------------
    def person(self, company=None, country=None, first=None, last=None, lang=None, before=None):
        r = self.rng
        if company is None and before is not None:  # someone who joined a company that existed then
            company = r.choice([c for c in self.companies if c["created"] < before - timedelta(days=90)])
        co = company or r.choice(self.companies)
        code = country or co["country"]
        lang = lang or COUNTRIES[code]["lang"]
        if first is None or last is None:
            def draw():
                return (first or r.choice(FIRST_NAMES[lang]), last or r.choice(LAST_NAMES[lang]))
            first, last = self.fresh("name", draw)
        else:
            self.taken.add(("name", (first, last)))
        german = lang == "de" or co["lang"] == "de"
        f, l = slug(first, german), slug(last, german)
        style = co["email_style"]
        local = {"first.last": f"{f}.{l}", "flast": f"{f[0]}{l}", "first": f, "f.last": f"{f[0]}.{l}"}[style]
        work = self.first_free("email", [f"{local}{n}@{co['domain']}" for n in [""] + list(range(2, 99))])
        personal_domain = r.choice(COUNTRIES[code]["personal"])
        personal = self.fresh("email", lambda: r.choice([f"{f}.{l}", f"{f}{l}", f"{f}.{l}{r.randrange(70, 99)}",
                                                         f"{f[0]}{l}{r.randrange(1, 30)}"]) + "@" + personal_domain)
        title = r.choice(LOCAL_TITLES[lang]) if (lang in LOCAL_TITLES and r.random() < 0.25) else r.choice(TITLES)
        return {"first": first, "last": last, "company": co, "country": code, "title": title,
                "email": work, "personal_email": personal, "phone": self.phone_in(co["city"]),
                "created": self.when(max(co["created"], datetime(2021, 6, 1, tzinfo=timezone.utc)),
                                     before or datetime(2025, 6, 1, tzinfo=timezone.utc))}


def sf_checksum(id15):
    """Salesforce's 18-character id suffix: which letters of each 5-character block are upper case."""
    table = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    out = ""
    for block in range(3):
        n = 0
        for i, ch in enumerate(id15[block * 5:block * 5 + 5]):
            if "A" <= ch <= "Z":
                n |= 1 << i
        out += table[n]
    return out


# ---------------------------------------------------------------------------------------------
# Records as each system writes them.


def website_for(r, domain, source):
    if source == SF:
        return r.choice([f"https://www.{domain}", f"www.{domain}", f"http://www.{domain}/", f"https://{domain}"])
    return r.choice([domain, domain, f"https://{domain}/", f"www.{domain}"])


def country_for(r, code, source):
    c = COUNTRIES[code]
    if source == SF:
        return c["name"]
    if source == HS:
        return r.choice([c["name"], c["name"], c["alt"][0]])
    return r.choice([code, c["name"]] + c["alt"])


def tags_for(r, source, most=2):
    pool = {SF: SF_TAGS, HS: HS_TAGS, WF: WF_TAGS}[source]
    n = r.choice([0] + list(range(1, most + 1)))
    return ";".join(r.sample(pool, n))


def account_record(w, co, source, created=None):
    r = w.rng
    created = created or w.later(co["created"], 0, 200)
    updated = w.later(created, 1, 900)
    sf_label, hs_enum = INDUSTRIES[co["industry"]]
    rec = {
        "_object": "account", "_source": source, "_phone": co["phone"], "_truth": co,
        "name": f"{co['base']} {co['legal']}" if source == SF or r.random() < 0.35 else co["base"],
        "website": website_for(r, co["domain"], source),
        "phone": format_phone(co["phone"], r.choice(["national", "intl"] if source == SF else ["e164", "intl", "national"])),
        "industry": sf_label if source == SF else hs_enum,
        "employees": str(co["employees"]) if source == SF or r.random() < 0.7 else "",
        "annual_revenue": str(co["revenue"]) if (source == SF and r.random() < 0.8) or r.random() < 0.3 else "",
        "street": co["street"] if source == SF or r.random() < 0.6 else "",
        "city": co["city"]["city"], "postcode": co["postcode"] if source == SF or r.random() < 0.7 else "",
        "country": country_for(r, co["country"], source),
        "owner": co["owner"] if source == SF else (r.choice(HS_OWNERS) if r.random() < 0.6 else ""),
        "tags": tags_for(r, source), "created_at": stamp(created), "updated_at": stamp(updated),
    }
    if co["legal"] in ("Inc.", "Corp.", "Ltd.") and source == SF and r.random() < 0.3:
        rec["name"] = f"{co['base']}, {co['legal']}"
    w.accounts[source].append(rec)
    return rec


def contact_record(w, p, source, created=None):
    r = w.rng
    co = p["company"]
    created = created or {SF: p["created"], HS: w.later(p["created"], 0, 120), WF: w.later(p["created"], 0, 300)}[source]
    updated = created + timedelta(minutes=r.randrange(0, 90)) if source == WF else w.later(created, 1, 700)
    rec = {"_object": "contact", "_source": source, "_phone": p["phone"], "_truth": p,
           "first_name": p["first"], "last_name": p["last"], "email": p["email"], "phone": "", "title": "",
           "company": "", "street": "", "city": "", "postcode": "", "country": "", "owner": "", "tags": "",
           "form_submissions": "", "lead_source": "", "created_at": stamp(created), "updated_at": stamp(updated)}
    city = co["city"]
    if source == SF:
        rec.update(phone=format_phone(p["phone"], r.choice(["national", "national", "intl"])), title=p["title"],
                   company=f"{co['base']} {co['legal']}", street=co["street"], city=city["city"],
                   postcode=co["postcode"], country=country_for(r, p["country"], SF), owner=co["owner"],
                   tags=tags_for(r, SF), lead_source=r.choice(SF_LEAD_SOURCES) if r.random() < 0.8 else "")
    elif source == HS:
        rec.update(phone=format_phone(p["phone"], r.choice(["e164", "intl", "national"])) if r.random() < 0.8 else "",
                   title=p["title"] if r.random() < 0.75 else "", company=co["base"],
                   street=co["street"] if r.random() < 0.35 else "", city=city["city"] if r.random() < 0.9 else "",
                   postcode=co["postcode"] if r.random() < 0.4 else "", country=country_for(r, p["country"], HS),
                   owner=r.choice(HS_OWNERS) if r.random() < 0.6 else "", tags=tags_for(r, HS),
                   form_submissions=str(r.choice([0, 1, 1, 2, 3, 5, 8])), lead_source=r.choice(HS_LEAD_SOURCES))
    else:
        typed = r.choice([co["base"], co["base"], co["base"].lower(), f"{co['base']} {co['legal']}"])
        rec.update(phone=format_phone(p["phone"], r.choice(["dots", "plain", "00", "intl", "national", "dashes", "paren0"]))
                   if r.random() < 0.6 else "", title=p["title"] if r.random() < 0.4 else "",
                   company=typed if r.random() < 0.9 else "", city=city["city"] if r.random() < 0.6 else "",
                   postcode=co["postcode"] if r.random() < 0.25 else "",
                   country=country_for(r, p["country"], WF) if r.random() < 0.8 else "",
                   tags=tags_for(r, WF, 1), form_submissions=str(r.choice([1, 1, 1, 2, 3])),
                   lead_source=r.choice(WF_FORMS))
        if r.random() < 0.08:
            rec["first_name"], rec["last_name"] = rec["first_name"].lower(), rec["last_name"].lower()
    w.contacts[source].append(rec)
    return rec


def restyle_phone(w, rec, avoid):
    """Gives `rec` its number in a format other than `avoid`'s."""
    for style in w.rng.sample(["e164", "intl", "national", "00", "plain", "dots", "dashes", "paren0"], 8):
        text = format_phone(rec["_phone"], style)
        if text != avoid:
            rec["phone"] = text
            return


# ---------------------------------------------------------------------------------------------
# Why a matcher would propose two records: evidence read off the records themselves.


def contact_evidence(a, b, skip=()):
    """What a matcher sees in two contact records; `skip` leaves out what the caller says itself."""
    out = []
    ea, eb = a["email"], b["email"]
    if ea and eb and "email" not in skip:
        if ea == eb:
            out.append("same email")
        elif ea.lower() == eb.lower():
            out.append("same email ignoring case")
        elif norm_email(ea) == norm_email(eb):
            what = "+tag" if ("+" in ea or "+" in eb) else ""
            if ea.split("@")[0].replace(".", "") != ea.split("@")[0] or eb.split("@")[0].replace(".", "") != eb.split("@")[0]:
                what = f"{what} and dots" if what and "gmail.com" in ea.lower() else (what or "dots")
            out.append(f"same email after removing {what} ({norm_email(ea)})")
        elif edit_distance(ea.lower(), eb.lower()) <= 2:
            out.append(f"emails differ by a letter or two ({ea} vs {eb})")
    if a["phone"] and b["phone"] and a["_phone"] == b["_phone"] and "phone" not in skip:
        out.append("same phone" if a["phone"] == b["phone"] else f"same phone in another format ({e164(a['_phone'])})")
    na, nb = f"{a['first_name']} {a['last_name']}", f"{b['first_name']} {b['last_name']}"
    if "names" in skip:
        pass
    elif na == nb:
        out.append("names identical")
    elif fold(na) == fold(nb):
        out.append("same name ignoring case and accents")
    else:
        out.append(f"names similar ({name_sim(na, nb):.2f})")
    if a["company"] and b["company"] and "company" not in skip and fold(strip_legal(a["company"])) == fold(strip_legal(b["company"])):
        out.append("same company")
    return out


def account_evidence(a, b):
    out = []
    na, nb = strip_legal(a["name"]), strip_legal(b["name"])
    if a["name"] == b["name"]:
        out.append("names identical")
    elif fold(na) == fold(nb):
        out.append("same name after removing legal form" if a["name"].lower() != b["name"].lower() else "same name ignoring case")
    else:
        out.append(f"names similar ({name_sim(na, nb):.2f})")
    da, db = domain_of(a["website"]) if a["website"] else "", domain_of(b["website"]) if b["website"] else ""
    if da and db:
        out.append(f"same web domain ({da})" if da == db else f"web domains differ ({da} vs {db})")
    if a["phone"] and b["phone"] and a["_phone"] == b["_phone"]:
        out.append("same phone" if a["phone"] == b["phone"] else f"same phone in another format ({e164(a['_phone'])})")
    if a["postcode"] and b["postcode"] and a["postcode"] == b["postcode"]:
        out.append("same postcode")
    elif a["city"] and b["city"] and a["city"] != b["city"]:
        out.append(f"different cities ({a['city']} vs {b['city']})")
    return out


def blanks(rec, columns):
    return sum(1 for c in columns if c not in ("id", "created_at", "updated_at") and not rec.get(c))


def score(w, lo, hi):
    return round(w.rng.uniform(lo, hi), 2)


# ---------------------------------------------------------------------------------------------
# The patterns. Each makes fresh entities, their records, and the candidate a matcher proposes.
# (name, how many, same entity?, score range, source pairs cycled through, maker)

CONTACT_SOURCES = [(SF, HS), (HS, WF), (SF, WF), (SF, HS), (HS, WF), (SF, WF), (SF, SF), (HS, HS)]


def c_email_alias(w, i, sa, sb):
    r = w.rng
    p = w.person()
    f, l = slug(p["first"]), slug(p["last"])
    if i % 2 == 0:  # Gmail: dots and a +tag
        p["email"] = w.fresh("email", lambda: f"{f}.{l}{r.choice(['', '', str(r.randrange(80, 99))])}@gmail.com")
        tag = r.choice(["news", "crm", "webinar", "promo", "work"])
        a, b = contact_record(w, p, sa), contact_record(w, p, sb)
        local = p["email"].split("@")[0]
        a["email"] = f"{local}+{tag}@gmail.com"
        b["email"] = local.replace(".", "") + "@gmail.com"
    else:  # work address with a +tag
        a, b = contact_record(w, p, sa), contact_record(w, p, sb)
        local, domain = p["email"].split("@")
        a["email"] = f"{local}+{r.choice(['events', 'newsletter', 'sf'])}@{domain}"
    return a, b, contact_evidence(a, b)


def c_phone_format(w, i, sa, sb):
    p = w.person()
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    a["phone"] = a["phone"] or format_phone(p["phone"], "national")
    restyle_phone(w, b, a["phone"])
    if i % 3 == 1:
        local, domain = b["email"].split("@")
        b["email"] = f"{local[:1].upper()}{local[1:]}@{domain.capitalize()}"
    return a, b, contact_evidence(a, b)


def c_missing(w, i, sa, sb):
    p = w.person()
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    for col in ["phone", "title", "company", "street", "city", "postcode", "country", "tags", "owner"]:
        if w.rng.random() < 0.85:
            b[col] = ""
    if b["_source"] == WF and not w.hostile_placed:
        b["title"] = FORMULA_TITLE  # a bot's submission: shown as text, never run
        w.hostile_placed = True
    ev = contact_evidence(a, b)
    return a, b, ev + [f"{blanks(b, CONTACT_COLUMNS)} fields empty on one side"]


def c_newer_older(w, i, sa, sb):
    r = w.rng
    p = w.person(before=datetime(2023, 6, 1, tzinfo=timezone.utc))
    if p["title"] not in PROMOTIONS:
        p["title"] = r.choice(list(PROMOTIONS))
    old = contact_record(w, p, sa, created=p["created"])
    old["title"] = p["title"]
    old["updated_at"] = stamp(w.later(p["created"], 20, 180))
    new = contact_record(w, p, sb, created=w.later(p["created"], 200, 700))
    new["title"] = PROMOTIONS[p["title"]]
    city = p["company"]["city"]
    new["street"] = city["address"](r, r.choice(city["streets"]))
    new["postcode"] = city["postcode"](r)
    if not old["street"]:
        old["street"], old["postcode"] = p["company"]["street"], p["company"]["postcode"]
    new["city"] = city["city"]
    if new["_source"] != WF:  # a form submission is never edited afterwards
        new["updated_at"] = stamp(w.later(parse_stamp(new["created_at"]), 30, 500))
    assert old["updated_at"] < new["updated_at"]
    ev = contact_evidence(old, new)
    return old, new, ev + [f"titles differ ({old['title']} → {new['title']}); addresses differ",
                           f"updated {old['updated_at'][:10]} vs {new['updated_at'][:10]}"]


def typo(w, word):
    r = w.rng
    i = r.randrange(1, len(word) - 1)
    kind = r.choice(["swap", "drop", "double"])
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def c_typo(w, i, sa, sb):
    p = w.person()
    while len(p["last"]) < 5 or " " in p["last"]:
        p = w.person()
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    a["phone"] = a["phone"] or format_phone(p["phone"], "intl")
    b["phone"] = b["phone"] or format_phone(p["phone"], "e164")
    if i % 2 == 0:
        b["last_name"] = typo(w, p["last"])
    else:
        b["first_name"] = typo(w, p["first"]) if len(p["first"]) > 3 else p["first"]
        local, domain = b["email"].split("@")
        stem, _, tld = domain.partition(".")
        b["email"] = f"{local}@{typo(w, stem) if len(stem) > 3 else stem + stem[-1]}.{tld}"
    return a, b, contact_evidence(a, b)


def c_nickname(w, i, sa, sb):
    formal, nick = NICKNAMES[i % len(NICKNAMES)]
    lang = NICKNAME_LANG.get(formal, "en")
    country = {"de": "DE", "es": "ES"}.get(lang) or w.rng.choice(["US", "GB", "CA"])
    co = w.rng.choice(w.companies_in(country))
    p = w.person(company=co, first=formal, lang=lang)
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    b["first_name"] = nick
    if co["email_style"] in ("first.last", "first") and i % 2 == 0:
        b["email"] = b["email"].replace(slug(formal), slug(nick), 1)
    a["phone"] = a["phone"] or format_phone(p["phone"], "national")
    b["phone"] = b["phone"] or format_phone(p["phone"], "e164")
    a["company"] = a["company"] or co["base"]
    b["company"] = b["company"] or co["base"]
    return a, b, [f"first names are nickname variants ({nick} ~ {formal})"] + contact_evidence(a, b)


def c_swapped(w, i, sa, sb):
    lang = ["ja", "en", "pt", "en", "ja"][i % 5]
    country = {"ja": "JP", "pt": "BR"}.get(lang, "US")
    co = w.rng.choice(w.companies_in(country))
    p = w.person(company=co, lang=lang)
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    b["first_name"], b["last_name"] = a["last_name"], a["first_name"]
    return a, b, ["first and last names swapped"] + contact_evidence(a, b, skip=("names",))


ACCENTED = [("Zoë", "Müller", "DE", "Zoe", "Mueller"), ("José", "Martínez", "ES", "Jose", "Martinez"),
            ("François", "Lefèvre", "FR", "Francois", "Lefevre"), ("Björn", "Sjöberg", "SE", "Bjorn", "Sjoberg"),
            ("Дмитрий", "Иванов", "DE", "Dmitry", "Ivanov")]


def c_accents(w, i, sa, sb):
    first, last, country, af, al = ACCENTED[i % len(ACCENTED)]
    co = w.rng.choice(w.companies_in(country))
    p = w.person(company=co, first=af, last=al, lang=COUNTRIES[country]["lang"])
    p["first"], p["last"] = first, last
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    b["first_name"], b["last_name"] = af, al
    if first == "Дмитрий":
        return a, b, ["name in Cyrillic on one side, transliterated on the other (Дмитрий Иванов ~ Dmitry Ivanov)"] + contact_evidence(a, b, skip=("names",))
    return a, b, contact_evidence(a, b)


def c_personal_work(w, i, sa, sb):
    p = w.person()
    a, b = contact_record(w, p, sa), contact_record(w, p, sb)
    b["email"] = p["personal_email"]
    a["phone"] = a["phone"] or format_phone(p["phone"], "national")
    b["phone"] = b["phone"] or format_phone(p["phone"], "intl")
    return a, b, contact_evidence(a, b) + [f"emails differ (work {a['email'].split('@')[1]} vs personal {b['email'].split('@')[1]})"]


# (country, shared mailbox) of each role-address pair, in turn.
ROLE_ADDRESSES = [("US", "info"), ("GB", "sales"), ("DE", "info"), ("US", "sales"), ("ES", "ventas"),
                  ("GB", "office"), ("FR", "contact"), ("BR", "contato")]


def c_role_address(w, i, sa, sb):
    country, mailbox = ROLE_ADDRESSES[i % len(ROLE_ADDRESSES)]
    co = w.company(country=country)
    role = f"{mailbox}@{co['domain']}"
    p1, p2 = w.person(company=co), w.person(company=co)
    p1["phone"] = p2["phone"] = co["phone"]
    a, b = contact_record(w, p1, sa), contact_record(w, p2, sb)
    a["email"] = b["email"] = role
    a["phone"] = a["phone"] or format_phone(co["phone"], "national")
    ev = contact_evidence(a, b, skip=("email",))
    return a, b, [f"same email {role}, a shared role address (weaker evidence)"] + ev


def c_household(w, i, sa, sb):
    r = w.rng
    code = r.choice(["US", "GB", "DE", "ES", "CA"])
    lang = COUNTRIES[code]["lang"]
    last = r.choice(LAST_NAMES[lang])
    co1, co2 = r.sample(w.companies_in(code, 2), 2)
    p1, p2 = w.person(company=co1, last=last, lang=lang), w.person(company=co2, last=last, lang=lang)
    city = co1["city"]
    home = w.phone_in(city)
    street, postcode = city["address"](r, r.choice(city["streets"])).split(", Suite")[0], city["postcode"](r)
    p1["phone"] = p2["phone"] = home
    a, b = contact_record(w, p1, sa), contact_record(w, p2, sb)
    a["email"], b["email"] = p1["personal_email"], p2["personal_email"]
    for rec in (a, b):
        rec.update(street=street, city=city["city"], postcode=postcode, company="", title="")
        rec["phone"] = format_phone(home, r.choice(["national", "e164", "intl"]))
        rec["country"] = rec["country"] or COUNTRIES[code]["name"]
    return a, b, [f"same address ({street}, {postcode}) and home phone ({e164(home)})",
                  f"same last name, first names differ ({a['first_name']} vs {b['first_name']})"]


def c_same_name(w, i, sa, sb):
    r = w.rng
    p1 = w.person()
    lang = COUNTRIES[p1["country"]]["lang"]
    co2 = r.choice([c for c in w.companies if c["country"] != p1["country"] and c["lang"] == lang] or
                   [c for c in w.companies if c is not p1["company"]])
    p2 = w.person(company=co2, first=p1["first"], last=p1["last"], lang=lang)
    a, b = contact_record(w, p1, sa), contact_record(w, p2, sb)
    ev = ["names identical" if a["first_name"] == b["first_name"] and a["last_name"] == b["last_name"]
          else f"names similar ({name_sim(a['first_name'] + ' ' + a['last_name'], b['first_name'] + ' ' + b['last_name']):.2f})"]
    return a, b, ev + ["emails, companies and phones differ"]


COLLEAGUE_NAMES = [("Ana", "Costa", "Ana", "Castro", "PT-US"), ("Mark", "Jensen", "Marc", "Jansen", "US"),
                   ("Lena", "Fischer", "Lea", "Fischer", "DE"), ("Daniel", "Meyer", "Daniela", "Meyer", "DE"),
                   ("Sam", "Patel", "Sam", "Patil", "GB")]


def c_colleagues(w, i, sa, sb):
    f1, l1, f2, l2, where = COLLEAGUE_NAMES[i % len(COLLEAGUE_NAMES)]
    code = "US" if where == "PT-US" else where
    co = w.company(country=code)
    p1 = w.person(company=co, first=f1, last=l1, lang="en")
    p2 = w.person(company=co, first=f2, last=l2, lang="en")
    p1["phone"] = p2["phone"] = co["phone"]
    a, b = contact_record(w, p1, sa), contact_record(w, p2, sb)
    for rec in (a, b):
        rec["phone"] = rec["phone"] or format_phone(co["phone"], "national")
        rec["company"] = rec["company"] or co["base"]
    return a, b, ["same company and main switchboard number"] + contact_evidence(a, b, skip=("phone", "company"))


CONTACT_PATTERNS = [
    # name, count, same entity, score range, maker, what a steward sees
    ("email_alias", 9, True, (0.86, 0.97), c_email_alias, "email aliases: a +tag, Gmail dots"),
    ("phone_format", 7, True, (0.93, 0.99), c_phone_format, "the same phone number written in another format"),
    ("missing_values", 9, True, (0.72, 0.88), c_missing, "one copy mostly empty (a web form that asked for little)"),
    ("newer_older_copy", 7, True, (0.78, 0.92), c_newer_older, "an older and a newer copy: moved address, new title"),
    ("typo", 7, True, (0.80, 0.93), c_typo, "a typing error in a name or e-mail domain"),
    ("nickname", 7, True, (0.74, 0.88), c_nickname, "a nickname (Bob/Robert, Hans/Johannes)"),
    ("swapped_names", 4, True, (0.70, 0.84), c_swapped, "first and last name swapped"),
    ("accents_or_script", 5, True, (0.90, 0.98), c_accents, "accents dropped (Zoë/Zoe, Müller/Mueller) or another script"),
    ("personal_and_work_email", 4, True, (0.66, 0.80), c_personal_work, "one copy with a work, one with a personal e-mail"),
    ("role_address", 8, False, (0.55, 0.68), c_role_address, "NOT duplicates: two people behind one info@/sales@ address"),
    ("same_household", 5, False, (0.58, 0.72), c_household, "NOT duplicates: two people at one home address and phone"),
    ("same_name_other_person", 5, False, (0.60, 0.74), c_same_name, "NOT duplicates: the same name, another person"),
    ("colleagues_shared_phone", 4, False, (0.56, 0.70), c_colleagues, "NOT duplicates: similar names at one company switchboard"),
]

ACCOUNT_SOURCES = [(SF, HS), (SF, HS), (SF, HS), (SF, SF), (SF, HS), (HS, HS)]


def a_legal_suffix(w, i, sa, sb):
    co = w.company(legal=["Inc.", "GmbH", "Ltd", "LLC", "Corp.", "S.L.", "B.V.", "SAS", "AB"][i % 9] if i < 9 else None,
                   country=["US", "DE", "GB", "US", "US", "ES", "NL", "FR", "SE"][i % 9])
    a, b = account_record(w, co, sa), account_record(w, co, sb)
    variants = {"Inc.": ["Inc", "Incorporated", ""], "Corp.": ["Corporation", "Corp", ""], "LLC": ["L.L.C.", ""],
                "Ltd": ["Limited", "Ltd."], "GmbH": [""], "S.L.": [""], "B.V.": [""], "SAS": [""], "AB": [""]}
    a["name"] = f"{co['base']} {co['legal']}"
    legal = variants.get(co["legal"], [""])[0] if i < 5 else w.rng.choice(variants.get(co["legal"], [""]))
    b["name"] = f"{co['base']} {legal}".strip()
    return a, b, account_evidence(a, b)


def a_formats(w, i, sa, sb):
    co = w.company()
    a, b = account_record(w, co, sa), account_record(w, co, sb)
    a["website"], b["website"] = f"https://www.{co['domain']}/", co["domain"].upper() if i % 3 == 0 else co["domain"]
    b["phone"] = ""
    restyle_phone(w, b, a["phone"])
    if i % 2 == 0:
        b["name"] = a["name"].upper()
    return a, b, account_evidence(a, b)


def a_missing(w, i, sa, sb):
    co = w.company()
    a, b = account_record(w, co, sa), account_record(w, co, sb)
    for col in ["phone", "industry", "employees", "annual_revenue", "street", "postcode", "owner", "tags"]:
        if w.rng.random() < 0.8:
            b[col] = ""
    return a, b, account_evidence(a, b) + [f"{blanks(b, ACCOUNT_COLUMNS)} fields empty on one side"]


def a_newer_older(w, i, sa, sb):
    r = w.rng
    co = w.company(before=datetime(2022, 12, 1, tzinfo=timezone.utc))
    old = account_record(w, co, sa, created=w.later(co["created"], 0, 60))
    old["updated_at"] = stamp(w.later(co["created"], 90, 360))
    new = account_record(w, co, sb, created=w.later(co["created"], 450, 900))
    city = co["city"]
    new["street"], new["postcode"] = city["address"](r, r.choice(city["streets"])), city["postcode"](r)
    new["employees"] = str(int(co["employees"] * r.uniform(1.3, 1.9)))
    old["street"], old["postcode"], old["employees"] = co["street"], co["postcode"], str(co["employees"])
    new["updated_at"] = stamp(w.later(parse_stamp(new["created_at"]), 20, 400))
    assert old["updated_at"] < new["updated_at"]
    return old, new, account_evidence(old, new) + [
        f"street and headcount differ ({old['employees']} → {new['employees']}); updated {old['updated_at'][:10]} vs {new['updated_at'][:10]}"]


def a_typo(w, i, sa, sb):
    co = w.company(country=["US", "GB", "DE", "CA", "US"][i % 5])
    a, b = account_record(w, co, sa), account_record(w, co, sb)
    words = strip_legal(b["name"]).split()
    j = max(range(len(words)), key=lambda k: len(words[k]))
    words[j] = typo(w, words[j])
    b["name"] = " ".join(words)
    b["phone"] = b["phone"] or format_phone(co["phone"], "e164")
    a["phone"] = a["phone"] or format_phone(co["phone"], "national")
    return a, b, account_evidence(a, b)


def a_other_domain(w, i, sa, sb):
    code = ["GB", "DE", "US"][i % 3]
    co = w.company(country=code)
    a, b = account_record(w, co, sa), account_record(w, co, sb)
    stem = co["domain"].split(".")[0]
    other = {"GB": f"{stem}.com", "DE": f"{stem}-group.com", "US": f"get{stem}.com"}[code]
    w.taken.add(("domain", other))
    b["website"] = other
    a["phone"] = a["phone"] or format_phone(co["phone"], "national")
    b["phone"] = format_phone(co["phone"], "e164")
    b["postcode"] = co["postcode"]
    a["postcode"] = co["postcode"]
    return a, b, account_evidence(a, b)


SUBSIDIARIES = [("US", "GB", "UK", "Ltd", ".co.uk"), ("US", "NL", "Europe", "B.V.", "-europe.com"),
                ("DE", "US", "", "Inc.", ".com"), ("GB", "DE", "Deutschland", "GmbH", ".de"),
                ("US", "CA", "Canada", "Ltd.", ".ca"), ("FR", "ES", "Iberia", "S.L.", ".es")]


def a_subsidiary(w, i, sa, sb):
    home, abroad, suffix, legal, tld = SUBSIDIARIES[i % len(SUBSIDIARIES)]
    parent = w.company(country=home)
    stem = parent["domain"].split(".")[0]
    base = f"{parent['base']} {suffix}".strip()
    child = w.company(country=abroad, base=base, domain=stem + tld, legal=legal, industry=parent["industry"])
    a, b = account_record(w, parent, sa), account_record(w, child, sb)
    b["name"] = f"{base} {legal}"
    return a, b, account_evidence(a, b) + ["countries differ"]


def a_same_name(w, i, sa, sb):
    r = w.rng
    codes = [("US", "GB"), ("US", "CA"), ("GB", "US")][i % 3]
    first = w.company(country=codes[0])
    stem = first["base"]
    second = w.company(country=codes[1], base=stem, industry=first["industry"],
                       domain=f"{slug(stem)}-{r.choice(['group', 'partners', 'hq'])}{COUNTRIES[codes[1]]['tlds'][0]}")
    a, b = account_record(w, first, sa), account_record(w, second, sb)
    return a, b, account_evidence(a, b) + ["countries differ"]


ACCOUNT_PATTERNS = [
    ("legal_form", 9, True, (0.88, 0.98), a_legal_suffix, "Inc/LLC/Ltd/GmbH written differently or left out"),
    ("website_and_phone_format", 6, True, (0.90, 0.99), a_formats, "the same website and phone written differently"),
    ("missing_values", 5, True, (0.75, 0.88), a_missing, "one copy mostly empty"),
    ("newer_older_copy", 4, True, (0.78, 0.90), a_newer_older, "an older and a newer copy: moved office, more staff"),
    ("typo", 4, True, (0.80, 0.92), a_typo, "a typing error in the name"),
    ("same_company_other_domain", 3, True, (0.70, 0.82), a_other_domain, "one company known under two web domains"),
    ("parent_and_subsidiary", 6, False, (0.58, 0.76), a_subsidiary, "NOT duplicates: a parent and its subsidiary on another domain"),
    ("same_name_other_company", 3, False, (0.60, 0.72), a_same_name, "NOT duplicates: the same name, another company"),
]


# ---------------------------------------------------------------------------------------------
# Clusters: one entity in three or four records (every source plus a second copy).


def contact_cluster(w, i):
    r = w.rng
    p = w.person()
    layout = [[SF, HS, WF], [SF, HS, WF], [SF, HS, WF, WF], [SF, HS, WF], [SF, SF, HS, WF], [SF, HS, WF],
              [SF, HS, HS, WF], [SF, HS, WF]][i % 8]
    records = [contact_record(w, p, s) for s in layout]
    for rec in records[1:]:
        change = r.choice(["alias", "phone", "missing", "nickname", "case"])
        if change == "alias" and "@" in rec["email"]:
            local, domain = rec["email"].split("@")
            rec["email"] = f"{local}+{r.choice(['news', 'events'])}@{domain}"
        elif change == "phone":
            restyle_phone(w, rec, records[0]["phone"])
        elif change == "missing":
            for col in ["title", "company", "city", "postcode", "country"]:
                rec[col] = ""
        elif change == "nickname":
            for formal, nick in NICKNAMES:
                if p["first"] == formal:
                    rec["first_name"] = nick
        else:
            rec["first_name"], rec["last_name"] = rec["first_name"].upper(), rec["last_name"].upper()
    scores = [score(w, 0.90, 0.99)] + [score(w, 0.78, 0.97) for _ in records[1:]]
    return list(zip(records, scores)), "one_person_in_every_source"


def account_cluster(w, i):
    co = w.company(country=["US", "DE", "GB", "US"][i % 4])
    layout = [[SF, HS, HS], [SF, SF, HS], [SF, SF, HS, HS], [SF, HS, HS, HS]][i % 4]
    records = [account_record(w, co, s) for s in layout]
    # HubSpot creates a company from a contact's e-mail domain: named after the domain, little else.
    auto = next(rec for rec in reversed(records) if rec["_source"] == HS)
    auto.update(name=co["domain"], website=co["domain"], phone="", industry="", employees="", annual_revenue="",
                street="", postcode="", owner="", tags="")
    scores = [score(w, 0.90, 0.99)] + [score(w, 0.80, 0.96) for _ in records[1:]]
    return list(zip(records, scores)), "one_company_several_copies"


# ---------------------------------------------------------------------------------------------
# Building the world and writing it out.


def build():
    w = World(SEED)
    w.hostile_placed = False
    for _ in range(40):  # companies that people work at (most also become accounts below)
        w.company()
    account_singles_pool = list(w.companies)
    for name, count, same, (lo, hi), make, _ in ACCOUNT_PATTERNS:
        for i in range(count):
            sa, sb = ACCOUNT_SOURCES[i % len(ACCOUNT_SOURCES)] if name not in ("parent_and_subsidiary", "same_name_other_company") \
                else [(SF, HS), (HS, SF), (SF, SF)][i % 3]
            a, b, ev = make(w, i, sa, sb)
            w.pairs.append((a, b, score(w, lo, hi), "; ".join(ev), name, same))
    for i in range(4):
        members, pattern = account_cluster(w, i)
        w.clusters.append((members, pattern, True))
    for name, count, same, (lo, hi), make, _ in CONTACT_PATTERNS:
        for i in range(count):
            sa, sb = CONTACT_SOURCES[(i + len(w.pairs)) % len(CONTACT_SOURCES)]
            if name == "missing_values":
                sa, sb = [(SF, WF), (HS, WF), (SF, HS), (SF, WF), (HS, WF)][i % 5]
            a, b, ev = make(w, i, sa, sb)
            w.pairs.append((a, b, score(w, lo, hi), "; ".join(ev), name, same))
    for i in range(8):
        members, pattern = contact_cluster(w, i)
        w.clusters.append((members, pattern, True))
    assert w.hostile_placed

    # Accounts of the companies people work at, then the rest of each file: single records.
    for source in (SF, HS):
        for co in account_singles_pool:
            if len(w.accounts[source]) >= ACCOUNT_TARGET[source]:
                break
            if (source == SF) == (account_singles_pool.index(co) % 2 == 0):
                account_record(w, co, source)
        while len(w.accounts[source]) < ACCOUNT_TARGET[source]:
            account_record(w, w.company(), source)
    # One person written in another script, on their own: no candidate, just a record to show safely.
    li = w.person(company=w.companies_in("US")[0], first="娜", last="李", lang="en")
    li["email"] = w.first_free("email", [f"na.li@{li['company']['domain']}"])
    contact_record(w, li, HS)
    for source in (SF, HS, WF):
        while len(w.contacts[source]) < CONTACT_TARGET[source]:
            contact_record(w, w.person(), source)
    assert all(len(w.accounts[s]) == n for s, n in ACCOUNT_TARGET.items()), {s: len(v) for s, v in w.accounts.items()}
    assert all(len(w.contacts[s]) == n for s, n in CONTACT_TARGET.items()), {s: len(v) for s, v in w.contacts.items()}
    assign_ids(w)
    return w


def assign_ids(w):
    for source, recs in list(w.accounts.items()) + list(w.contacts.items()):
        recs.sort(key=lambda rec: rec["created_at"])
        for n, rec in enumerate(recs):
            obj = rec["_object"]
            if source == SF:
                rec["id"] = w.sf_id("001" if obj == "account" else "003")
            elif source == HS:
                rec["id"] = w.hs_id(8_000_000_000, 9_999_999_999) if obj == "account" else w.hs_id(10_001, 99_999)
            else:
                rec["id"] = f"wf-{n + 101:06d}"


def key(rec):
    return f"{rec['_source']}:{rec['id']}"


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow(row)


def write(w, out):
    os.makedirs(out, exist_ok=True)
    for source, recs in w.accounts.items():
        write_csv(os.path.join(out, f"accounts_{source}.csv"), ACCOUNT_COLUMNS,
                  [[rec[c] for c in ACCOUNT_COLUMNS] for rec in recs])
    for source, recs in w.contacts.items():
        write_csv(os.path.join(out, f"contacts_{source}.csv"), CONTACT_COLUMNS,
                  [[rec[c] for c in CONTACT_COLUMNS] for rec in recs])
    # The matcher's list is in no meaningful order: shuffle it (deterministically).
    pairs = list(w.pairs)
    w.rng.shuffle(pairs)
    write_csv(os.path.join(out, "candidates.csv"), ["left", "right", "score", "reason"],
              [[key(a), key(b), f"{s:.2f}", reason] for a, b, s, reason, _, _ in pairs])
    cluster_rows, truth = [], []
    for n, (members, pattern, same) in enumerate(w.clusters, start=1):
        cid = f"c-{n:03d}"
        cluster_rows += [[cid, key(rec), f"{s:.2f}"] for rec, s in members]
        truth.append([cid, members[0][0]["_object"], pattern, "yes" if same else "no"])
    write_csv(os.path.join(out, "candidate_clusters.csv"), ["cluster_id", "record", "score"], cluster_rows)
    links = cluster_links(w)
    write_csv(os.path.join(out, "candidate_cluster_links.csv"), ["left", "right", "score", "reason"],
              [[key(a), key(b), f"{s:.2f}", reason] for a, b, s, reason, _, _ in links])
    truth = [[f"{key(a)} {key(b)}", a["_object"], pattern, "yes" if same else "no"]
             for a, b, _, _, pattern, same in pairs] + truth
    truth += [[f"{key(a)} {key(b)}", a["_object"], pattern, "yes" if same else "no"]
              for a, b, _, _, pattern, same in links]
    write_csv(os.path.join(out, "truth.csv"), ["candidate", "object", "pattern", "same_entity"], truth)


# Which members of which clusters the matcher also linked pair by pair (cluster index, member
# index pairs): the first two 3-record contact clusters as chains (1-2, 2-3), the first 4-record
# contact cluster as 1-2, 3-4, 2-3, and the first 4-record account cluster as 1-2, 1-3.
LINKS = [("contact", 3, 0, [(0, 1), (1, 2)]), ("contact", 3, 1, [(0, 1), (1, 2)]),
         ("contact", 4, 0, [(0, 1), (2, 3), (1, 2)]), ("account", 4, 0, [(0, 1), (0, 2)])]


def cluster_links(w):
    """The pairwise links a matcher lists next to the clusters it built from them: pairs whose
    records all belong to one cluster (a steward who approves the cluster sees them as held by it;
    one who approves a pair first can combine it with the next). Drawn from a generator of their
    own, after everything else, so that the rest of the data does not move."""
    rng = random.Random(SEED + 1)
    links = []
    for obj, size, nth, member_pairs in LINKS:
        found = [members for members, _, _ in w.clusters if members[0][0]["_object"] == obj and len(members) == size]
        members = [rec for rec, _ in found[nth]]
        for i, j in member_pairs:
            a, b = members[i], members[j]
            evidence = contact_evidence(a, b) if obj == "contact" else account_evidence(a, b)
            links.append((a, b, round(rng.uniform(0.80, 0.97), 2), "; ".join(evidence), "link_inside_cluster", True))
    return links


def summary(w):
    lines = []
    for title, patterns, obj in (("accounts", ACCOUNT_PATTERNS, "account"), ("contacts", CONTACT_PATTERNS, "contact")):
        lines.append(f"{title}:")
        for name, count, same, (lo, hi), _, what in patterns:
            lines.append(f"  {name:26} {count:3}  {'same' if same else 'NOT '}  {lo:.2f}-{hi:.2f}  {what}")
        sizes = [len(m) for m, _, _ in w.clusters if m[0][0]["_object"] == obj]
        lines.append(f"  clusters: {len(sizes)} (sizes {', '.join(str(s) for s in sizes)})")
    links = len(cluster_links(w))
    lines.append(f"pairs {len(w.pairs)}, clusters {len(w.clusters)}, links inside clusters {links}, "
                 f"candidates {len(w.pairs) + len(w.clusters) + links}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--summary", action="store_true", help="print the pattern counts")
    args = parser.parse_args()
    w = build()
    write(w, args.out)
    if args.summary:
        print(summary(w))


if __name__ == "__main__":
    sys.exit(main())
