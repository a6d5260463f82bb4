"""A CRM-like account (company) file with known duplicates, from a fixed seed.

Usage: python3 bench/account_gen.py ROWS OUTDIR [--seed 11]
Writes OUTDIR/acct_ROWS.csv (Salesforce account column names, `Id` first) and
OUTDIR/acct_ROWS_truth.csv (`left,right`: every pair of rows that are the same company); with
another seed, OUTDIR/acct_ROWS_seedN.csv and OUTDIR/acct_ROWS_seedN_truth.csv.

Companies in the US, the UK and Germany, with a legal suffix of their country, a web domain, a
main line and a billing address. About a quarter get one or two duplicate rows, changed the way
account data drifts: legal suffix variants (Inc, Inc., Incorporated, LLC, Ltd, Limited, GmbH…),
`&` for `and`, case, typing errors, a word dropped, web addresses written as `https://www.x.com/`,
`www.x.com`, `x.com/contact` or left out, phone formats, a new main line, a moved address, street
abbreviations, missing values. Hard non-duplicates are built in: companies in one serviced office
or business park (same street, often the same reception switchboard), subsidiaries of one group
(a similar name on their own domain, the group's address and switchboard), and unrelated
companies whose names share words.
"""

from dataset import add_copies, blank_some, start, write_dataset

WORDS = (
    "apex summit blue river north star pioneer vertex global harbor granite silver cedar bright nova atlas "
    "quantum prime crest union liberty evergreen delta horizon keystone sterling pacific frontier beacon "
    "orchid falcon meridian lumen vista titan cobalt aurora ember willow copper oak iron maple red stone "
    "eagle lion swift clear true bold open deep high green golden pine ocean alpine arrow bay birch "
    "canyon coral crown eastern echo elm fox glacier hawk heritage indigo ivy jade juniper lakeside"
).split()
SYLLABLES = "ka lo mi ra ve th an el or is ber son man ton ley tek tron vis ix ora eon dyn gen"
SYLLABLES = SYLLABLES.split()
TRADES = (
    "logistics systems labs foods partners consulting health capital software media energy solutions "
    "analytics engineering dynamics robotics pharma textiles construction ventures holdings networks "
    "security design materials instruments motors freight insurance"
).split()
INDUSTRY = {
    "logistics": "Transportation", "freight": "Transportation", "motors": "Manufacturing",
    "systems": "Technology", "software": "Technology", "networks": "Technology", "analytics": "Technology",
    "security": "Technology", "robotics": "Technology", "labs": "Biotechnology", "pharma": "Biotechnology",
    "health": "Healthcare", "foods": "Food & Beverage", "capital": "Finance", "insurance": "Finance",
    "ventures": "Finance", "holdings": "Finance", "media": "Media", "design": "Media",
    "energy": "Energy", "construction": "Construction", "materials": "Manufacturing",
    "instruments": "Manufacturing", "textiles": "Apparel", "engineering": "Engineering",
    "dynamics": "Engineering", "partners": "Consulting", "consulting": "Consulting", "solutions": "Consulting",
}
# Legal forms per country: the canonical form, then how the same form is also written.
LEGAL = {
    "US": [["Inc", "Inc.", "Incorporated", "INC"], ["LLC", "L.L.C.", "llc"], ["Corp", "Corp.", "Corporation"],
           ["Co", "Co.", "Company"]],
    "UK": [["Ltd", "Ltd.", "Limited", "LTD"], ["PLC", "plc", "Public Limited Company"], ["LLP", "L.L.P."]],
    "DE": [["GmbH", "GMBH", "Gesellschaft mit beschränkter Haftung"], ["AG", "A.G."], ["KG", "GmbH & Co. KG"]],
}
TLD = {"US": [".com", ".com", ".com", ".io", ".net", ".co"], "UK": [".co.uk", ".co.uk", ".com", ".uk"],
       "DE": [".de", ".de", ".com"]}
COUNTRY_NAMES = {"US": ["US", "USA", "United States", ""], "UK": ["UK", "GB", "United Kingdom", ""],
                 "DE": ["DE", "Germany", "Deutschland", ""]}
STREETS = {
    "US": ("main oak pine maple cedar elm washington lake hill park walnut spring north ridge church willow "
           "mill sunset river highland center jackson franklin lincoln madison forest meadow market commerce "
           "industrial enterprise technology innovation corporate executive").split(),
    "UK": ("high station church victoria green manor park queen king london mill school york albert "
           "grange chapel bridge springfield windsor").split(),
    "DE": ("haupt bahnhof garten schul dorf berg kirch wald ring linden friedrich goethe schiller "
           "industrie gewerbe mühlen").split(),
}
US_SUFFIXES = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Boulevard", "Blvd"),
               ("Parkway", "Pkwy"), ("Way", "Way"), ("Place", "Pl")]
UK_SUFFIXES = [("Street", "St"), ("Road", "Rd"), ("Lane", "Ln"), ("Avenue", "Ave"), ("Way", "Way")]
STATES = "CA TX FL NY PA IL OH GA NC MI NJ VA WA AZ MA TN IN MO MD WI CO MN".split()
UK_AREAS = [("London", "020", "EC"), ("Manchester", "0161", "M"), ("Birmingham", "0121", "B"),
            ("Leeds", "0113", "LS"), ("Bristol", "0117", "BS"), ("Glasgow", "0141", "G"),
            ("Edinburgh", "0131", "EH"), ("Cambridge", "01223", "CB"), ("Reading", "0118", "RG")]
DE_CITIES = [("Berlin", "030", "10"), ("München", "089", "80"), ("Hamburg", "040", "20"),
             ("Frankfurt am Main", "069", "60"), ("Köln", "0221", "50"), ("Stuttgart", "0711", "70"),
             ("Düsseldorf", "0211", "40"), ("Leipzig", "0341", "04")]


class World:
    def __init__(self, rng, rows):
        self.rng = rng
        self.names = set()
        self.domains = set()
        self.us_cities = []
        for _ in range(max(60, rows // 300)):
            name = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(
                ["ville", "ton", " City", "burg", " Springs", "field", "port"])).title()
            self.us_cities.append((name, rng.choice(STATES), f"{rng.randint(10000, 99999)}",
                                   str(rng.randint(201, 989))))
        # Serviced offices and business parks: one street address, many tenants, one reception line.
        self.centres = []
        for _ in range(max(10, rows // 150)):
            country = self.country()
            addr = self.address(country)
            addr["number"] = str(rng.choice([1, 10, 100, 200, 500, 1000, 2000]))
            addr["street"] = rng.choice(["Innovation", "Enterprise", "Commerce", "Technology", "Corporate",
                                         "Business Park", "Executive", "Regent", "Gewerbepark"])
            self.centres.append({"addr": addr, "phone": self.phone(country, addr), "country": country})

    def country(self):
        x = self.rng.random()
        return "US" if x < 0.7 else ("UK" if x < 0.85 else "DE")

    def address(self, country):
        r = self.rng
        if country == "US":
            city, state, zipcode, _ = r.choice(self.us_cities)
            return {"country": country, "number": str(r.randint(1, 9999)), "street": r.choice(STREETS["US"]).title(),
                    "suffix": r.choice(US_SUFFIXES), "unit": f"Suite {r.randint(100, 999)}" if r.random() < 0.3 else "",
                    "city": city, "state": state, "postcode": zipcode}
        if country == "UK":
            city, _, prefix = r.choice(UK_AREAS)
            postcode = f"{prefix}{r.randint(1, 20)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            return {"country": country, "number": str(r.randint(1, 300)), "street": r.choice(STREETS["UK"]).title(),
                    "suffix": r.choice(UK_SUFFIXES), "unit": f"Unit {r.randint(1, 40)}" if r.random() < 0.3 else "",
                    "city": city, "state": "", "postcode": postcode}
        city, _, prefix = r.choice(DE_CITIES)
        return {"country": country, "number": str(r.randint(1, 200)), "street": r.choice(STREETS["DE"]).title(),
                "suffix": ("straße", "str."), "unit": "", "city": city, "state": "",
                "postcode": f"{prefix}{r.randint(100, 999)}"}

    def phone(self, country, addr):
        """A main line in E.164 digits (country code first)."""
        r = self.rng
        if country == "US":
            area = next((c[3] for c in self.us_cities if c[0] == addr["city"]), str(r.randint(201, 989)))
            return f"1{area}{r.randint(200, 999)}{r.randint(1000, 9999)}"
        if country == "UK":
            area = next(a[1] for a in UK_AREAS if a[0] == addr["city"])[1:]
            return f"44{area}{r.randint(10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)}"
        area = next(c[1] for c in DE_CITIES if c[0] == addr["city"])[1:]
        return f"49{area}{r.randint(1000000, 9999999)}"

    def company(self, base=None, country=None, trade=None):
        """A new company; `base` (the words of a group's name) makes a subsidiary."""
        r = self.rng
        country = country or self.country()
        for _ in range(100):
            if base:
                words = base
            elif r.random() < 0.25:
                words = [(r.choice(SYLLABLES) + r.choice(SYLLABLES) + r.choice(SYLLABLES)).title()]
            else:
                words = [w.title() for w in r.sample(WORDS, r.choice([1, 2, 2]))]
            t = trade or r.choice(TRADES)
            name = " ".join(words + [t.title()])
            if name not in self.names:
                break
        self.names.add(name)
        stem = "".join(words).lower()
        for n in range(100):
            domain = r.choice([stem, stem + t, stem + "-" + t, stem + t[:3]]) + (str(n) if n else "") + r.choice(TLD[country])
            if domain not in self.domains:
                break
        self.domains.add(domain)
        addr = self.address(country)
        legal = r.choice(LEGAL[country])
        return {"name": name, "words": words, "trade": t, "legal": legal, "domain": domain, "country": country,
                "addr": addr, "phone": self.phone(country, addr), "industry": INDUSTRY[t]}


def typo(rng, text):
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.55:
        return text[:i] + text[i + 1:]
    if kind < 0.8:
        return text[:i] + rng.choice("aeioulnrst") + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def fmt_phone(rng, digits):
    x = rng.random()
    if digits.startswith("1"):
        a, b, c = digits[1:4], digits[4:7], digits[7:]
        return [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}", f"{a}{b}{c}",
                f"1-{a}-{b}-{c}", f"+1 ({a}) {b}-{c}"][int(x * 7)]
    cc, rest = digits[:2], digits[2:]
    split = 2 if rest[:2] in ("20", "30", "40", "69", "89") else 3
    area, local = rest[:split], rest[split:]
    return [f"+{cc} {area} {local}", f"+{cc} ({0}){area} {local}", f"+{cc}{area}{local}",
            f"00{cc} {area} {local}", f"+{cc}-{area}-{local}"][int(x * 5)]


def fmt_name(rng, company, dup):
    words = list(company["words"]) + [company["trade"].title()]
    if dup:
        x = rng.random()
        if x < 0.12 and len(words) > 2:
            words = words[:-1]  # "Apex Summit Software" filed as "Apex Summit"
        elif x < 0.22:
            i = rng.randrange(len(words))
            words[i] = typo(rng, words[i])
        elif x < 0.27 and len(words) > 1:
            words = words[:-1] + ["&", words[-1]] if rng.random() < 0.5 else words
    name = " ".join(words)
    legal_forms = company["legal"]
    x = rng.random()
    if x < 0.25:
        text = name
    elif x < 0.55:
        text = f"{name} {rng.choice(legal_forms[:2])}"
    elif x < 0.8:
        text = f"{name}, {rng.choice(legal_forms[:2])}"
    else:
        text = f"{name} {rng.choice(legal_forms)}"
    y = rng.random()
    return text.upper() if y < 0.08 else (text.lower() if y < 0.12 else text)


def fmt_website(rng, domain):
    x = rng.random()
    if x < 0.3:
        return f"https://www.{domain}"
    if x < 0.5:
        return f"www.{domain}"
    if x < 0.65:
        return domain
    if x < 0.75:
        return f"http://{domain}/"
    if x < 0.85:
        return f"https://www.{domain}/{rng.choice(['contact', 'about-us', 'en', 'home'])}"
    if x < 0.9:
        return f"WWW.{domain.upper()}"
    return f"https://{rng.choice(['shop', 'en', 'info'])}.{domain}"


def fmt_street(rng, addr, abbreviate):
    if addr["country"] == "DE":
        suffix = addr["suffix"][1] if abbreviate else addr["suffix"][0]
        text = f"{addr['street']}{suffix} {addr['number']}"
    else:
        suffix = addr["suffix"][1] if abbreviate else addr["suffix"][0]
        if abbreviate and rng.random() < 0.5 and suffix != "Way":
            suffix += "."
        text = f"{addr['number']} {addr['street']} {suffix}"
    if addr["unit"]:
        unit = addr["unit"].replace("Suite", "Ste") if abbreviate else addr["unit"]
        text += (", " if rng.random() < 0.5 else " ") + unit
    return text


def render(world, company, dup):
    r = world.rng
    domain, phone, addr = company["domain"], company["phone"], company["addr"]
    if dup:
        x = r.random()
        if x < 0.12:
            phone = world.phone(company["country"], addr)  # a new main line
        elif x < 0.17:
            phone = phone[:-1] + str((int(phone[-1]) + 1) % 10)
        if r.random() < 0.15:
            addr = world.address(company["country"])  # moved
            if r.random() < 0.5:
                phone = world.phone(company["country"], addr)
        if r.random() < 0.05:
            domain = domain.rsplit(".", 1)[0] + r.choice([".net", ".org"])  # an old domain
    row = {
        "Name": fmt_name(r, company, dup),
        "Website": fmt_website(r, domain),
        "Phone": fmt_phone(r, phone),
        "BillingStreet": fmt_street(r, addr, r.random() < 0.5),
        "BillingCity": addr["city"] if r.random() < 0.93 else addr["city"].upper(),
        "BillingState": addr["state"],
        "BillingPostalCode": addr["postcode"],
        "BillingCountry": r.choice(COUNTRY_NAMES[addr["country"]]),
        "Industry": company["industry"] if r.random() < 0.85 else "",
    }
    blank_some(row, r, [("Website", 0.12), ("Phone", 0.12), ("BillingStreet", 0.08), ("BillingPostalCode", 0.06),
                        ("BillingCity", 0.04)], dup, 1.8)
    return row


def main():
    rows, out, seed, rng = start(11)
    world = World(rng, rows)
    companies = []
    clusters = []
    records = []
    while len(records) < rows:
        x = rng.random()
        if x < 0.12:
            # A tenant of a serviced office or business park: its street, often its switchboard.
            centre = rng.choice(world.centres)
            company = world.company(country=centre["country"])
            addr = dict(centre["addr"])
            if rng.random() < 0.6:
                addr["unit"] = f"Suite {rng.randint(100, 999)}" if centre["country"] == "US" else f"Unit {rng.randint(1, 60)}"
            company["addr"] = addr
            company["phone"] = centre["phone"] if rng.random() < 0.5 else world.phone(centre["country"], addr)
        elif x < 0.2 and companies:
            # A subsidiary of an earlier company: the group's words, its own trade and domain,
            # often the group's address and switchboard.
            group = rng.choice(companies[-200:])
            company = world.company(base=group["words"], country=group["country"])
            if rng.random() < 0.5:
                company["addr"] = group["addr"]
            if rng.random() < 0.5:
                company["phone"] = group["phone"]
        else:
            company = world.company()
        companies.append(company)
        add_copies(rng, records, clusters, rows, "A", lambda dup: render(world, company, dup=dup))
    name = f"acct_{rows}" if seed == 11 else f"acct_{rows}_seed{seed}"
    columns = ["Id", "Name", "Website", "Phone", "BillingStreet", "BillingCity", "BillingState",
               "BillingPostalCode", "BillingCountry", "Industry"]
    path, pairs = write_dataset(out, name, columns, records, clusters, rng)
    print(f"{path}: {len(records)} rows, {len(clusters)} companies, {pairs} true pairs")


if __name__ == "__main__":
    main()
