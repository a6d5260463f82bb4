"""A CRM-like contact file with known duplicates, from a fixed seed.

Usage: python3 bench/crm_gen.py ROWS OUTDIR [--seed 7]
Writes OUTDIR/crm_ROWS.csv (Salesforce-style column names, `Id` first) and OUTDIR/crm_ROWS_truth.csv
(`left,right`: every pair of rows that are the same person).

People are drawn with skewed name frequencies (a few very common given and family names, a long
tail), work at companies (work e-mail at the company domain, sometimes the company's main line as
phone) or use personal mailboxes. About a quarter of people get one or two duplicate rows, each
copy changed the way CRM data drifts: nicknames, typing errors, given and family name swapped,
e-mail `+tags`, dots and case, another mailbox, phone formats, a new phone, a moved address,
street abbreviations, company legal suffixes, missing values. Hard non-duplicates are built in:
people sharing a household (same family name, address and often landline), colleagues sharing a
role mailbox (info@, sales@) and the company's main line, and namesakes.
"""

from dataset import add_copies, blank_some, start, write_dataset

FIRST = (
    "james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan "
    "joseph jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret "
    "mark sandra donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin "
    "amanda brian dorothy george melissa timothy deborah ronald stephanie edward rebecca jason sharon jeffrey "
    "laura ryan cynthia jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda "
    "larry pamela justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory christine "
    "alexander debra frank rachel patrick carolyn raymond janet jack catherine dennis maria jerry heather "
    "tyler diane aaron ruth jose julie adam olivia nathan joyce henry virginia douglas victoria zachary kelly "
    "peter lauren kyle christina ethan joan walter evelyn noah judith jeremy megan christian andrea keith "
    "cheryl roger hannah terry jacqueline gerald martha harold gloria sean teresa austin ann carl sara arthur "
    "madison lawrence frances dylan kathryn jesse janice jordan jean bryan abigail billy alice joe julia bruce "
    "judy gabriel sophia logan grace albert denise willie amber alan doris juan marilyn wayne danielle elijah "
    "beverly randy isabella roy theresa vincent diana ralph natalie eugene brittany russell charlotte bobby "
    "marie mason kayla philip alexis louis lori"
).split()
LAST = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
    "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez "
    "lewis robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker "
    "hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins "
    "reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly "
    "howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes "
    "price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan "
    "bell coleman butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander "
    "hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina "
    "aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy "
    "wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon "
    "mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose "
    "stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver "
    "ryan gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart "
    "bradley knight elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray "
    "delgado berry perkins hoffman johnston matthews pena richards willis carpenter lawrence sandoval"
).split()
NICKNAMES = {
    "robert": ["bob", "rob", "bobby"], "william": ["bill", "will", "billy"], "richard": ["rick", "dick", "rich"],
    "james": ["jim", "jimmy"], "john": ["jack", "johnny"], "michael": ["mike", "mikey"],
    "christopher": ["chris"], "joseph": ["joe", "joey"], "thomas": ["tom", "tommy"], "charles": ["charlie", "chuck"],
    "daniel": ["dan", "danny"], "matthew": ["matt"], "anthony": ["tony"], "andrew": ["andy", "drew"],
    "steven": ["steve"], "edward": ["ed", "eddie", "ted"], "benjamin": ["ben"], "samuel": ["sam"],
    "alexander": ["alex"], "nicholas": ["nick"], "patrick": ["pat"], "timothy": ["tim"], "gregory": ["greg"],
    "jeffrey": ["jeff"], "kenneth": ["ken"], "ronald": ["ron"], "donald": ["don"], "david": ["dave"],
    "lawrence": ["larry"], "gerald": ["jerry"], "raymond": ["ray"], "elizabeth": ["liz", "beth", "betty"],
    "katherine": ["kate", "kathy", "katie"], "catherine": ["cathy", "kate"], "margaret": ["maggie", "peggy"],
    "jennifer": ["jen", "jenny"], "jessica": ["jess"], "rebecca": ["becky"], "susan": ["sue"],
    "deborah": ["deb", "debbie"], "patricia": ["pat", "patty", "trish"], "barbara": ["barb"],
    "kimberly": ["kim"], "victoria": ["vicky"], "samantha": ["sam"], "stephanie": ["steph"],
    "jacqueline": ["jackie"], "cynthia": ["cindy"], "pamela": ["pam"], "christine": ["chris", "tina"],
    "abigail": ["abby"], "jonathan": ["jon"], "zachary": ["zach"], "jacob": ["jake"], "joshua": ["josh"],
    "philip": ["phil"], "douglas": ["doug"], "vincent": ["vince"], "eugene": ["gene"], "henry": ["hank"],
}
SYLLABLES = "ka lo mi ra ve th an el or is ber son man ton ley field wood stein ski ov ic as en ar ur".split()
STREETS = (
    "main oak pine maple cedar elm washington lake hill park walnut spring north ridge church willow mill "
    "sunset river highland center jackson franklin lincoln madison forest meadow cherry chestnut dogwood "
    "hickory laurel magnolia poplar spruce sycamore adams jefferson monroe valley view orchard prospect"
).split()
SUFFIXES = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
            ("Court", "Ct"), ("Boulevard", "Blvd"), ("Place", "Pl")]
STATES = "CA TX FL NY PA IL OH GA NC MI NJ VA WA AZ MA TN IN MO MD WI CO MN SC AL LA KY OR OK CT UT".split()
WORDS = (
    "apex summit blue river north star pioneer vertex global harbor granite silver cedar bright nova atlas "
    "quantum prime crest union liberty evergreen delta horizon keystone sterling pacific frontier beacon "
    "orchid falcon meridian lumen vista titan cobalt aurora ember willow"
).split()
TRADES = "logistics systems labs foods partners consulting health capital software media energy solutions".split()
LEGAL = ["Inc", "Inc.", "LLC", "Ltd", "Corp", "Corporation", "Co", "Incorporated", "Group"]
PERSONAL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"]
ROLES = ["info", "sales", "contact", "office", "admin", "support"]


def zipf_weights(n, s=1.0):
    return [1.0 / (i + 1) ** s for i in range(n)]


class World:
    def __init__(self, rng, people):
        self.rng = rng
        self.taken = set()
        self.first_w = zipf_weights(len(FIRST), 0.9)
        self.last_w = zipf_weights(len(LAST), 0.8)
        cities = max(200, people // 150)
        self.cities = []
        for i in range(cities):
            name = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(["ville", "ton", " city", "burg", " springs", "field", "port"])).title()
            self.cities.append((name, rng.choice(STATES), f"{rng.randint(10000, 99999)}"))
        self.companies = []
        for i in range(max(50, people // 12)):
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(TRADES).title()}"
            domain = name.lower().replace(" ", "") [: rng.randint(8, 18)] + rng.choice([".com", ".com", ".io", ".net", ".co"])
            self.companies.append({"name": name, "legal": rng.choice(LEGAL), "domain": domain,
                                   "phone": self.phone_digits(), "city": rng.choice(self.cities)})

    def phone_digits(self):
        r = self.rng
        return f"{r.randint(201, 989)}{r.randint(200, 999)}{r.randint(1000, 9999)}"

    def first(self):
        r = self.rng
        if r.random() < 0.12:
            return (r.choice(SYLLABLES) + r.choice(SYLLABLES) + r.choice(["a", "o", "en", "ie", "y", ""]))
        return r.choices(FIRST, self.first_w)[0]

    def last(self):
        r = self.rng
        if r.random() < 0.35:
            return r.choice(SYLLABLES) + r.choice(SYLLABLES) + r.choice(SYLLABLES[-12:])
        return r.choices(LAST, self.last_w)[0]

    def address(self, city=None):
        r = self.rng
        city = city or r.choice(self.cities)
        suffix = r.choice(SUFFIXES)
        return {"number": str(r.randint(1, 9999)), "street": r.choice(STREETS).title(), "suffix": suffix,
                "unit": f"Apt {r.randint(1, 40)}" if r.random() < 0.15 else "", "city": city}


def typo(rng, text):
    if len(text) < 3:
        return text
    i = rng.randrange(len(text) - 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.55:
        return text[:i] + text[i + 1:]
    if kind < 0.8:
        return text[:i] + rng.choice("aeioulnrst") + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def fmt_phone(rng, digits):
    style = rng.random()
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if style < 0.25:
        return f"({a}) {b}-{c}"
    if style < 0.45:
        return f"{a}-{b}-{c}"
    if style < 0.6:
        return f"+1 {a} {b} {c}"
    if style < 0.75:
        return f"{a}.{b}.{c}"
    if style < 0.9:
        return digits
    return f"1-{a}-{b}-{c}"


def fmt_street(rng, addr, abbreviate):
    suffix = addr["suffix"][1] if abbreviate else addr["suffix"][0]
    if abbreviate and rng.random() < 0.5:
        suffix += "."
    text = f"{addr['number']} {addr['street']} {suffix}"
    if addr["unit"]:
        text += (", " if rng.random() < 0.5 else " ") + (addr["unit"] if not abbreviate else addr["unit"].replace("Apt", "Apartment"))
    return text


def make_person(world, company=None, household=None):
    r = world.rng
    p = {"first": world.first(), "last": household["last"] if household else world.last()}
    p["company"] = company if company is not None else (r.choice(world.companies) if r.random() < 0.8 else None)
    if household:
        p["addr"] = household["addr"]
        p["phone"] = household["phone"] if r.random() < 0.5 else world.phone_digits()
    else:
        p["addr"] = world.address()
        p["phone"] = world.phone_digits()
    c = p["company"]
    if c and r.random() < 0.2:
        p["phone"] = c["phone"]  # the company's main line
    p["email"] = unique_email(world, make_email(world, p, c))
    return p


def unique_email(world, email):
    """A mailbox belongs to one person (role mailboxes aside): a taken address gets a number."""
    local, domain = email.split("@")
    if local in ROLES:
        return email
    candidate, n = email, 1
    while candidate in world.taken:
        n += 1
        candidate = f"{local}{n}@{domain}"
    world.taken.add(candidate)
    return candidate


def make_email(world, p, c):
    r = world.rng
    if c and r.random() < 0.75:
        local = r.choice([f"{p['first']}.{p['last']}", f"{p['first'][0]}{p['last']}", f"{p['first']}{p['last'][0]}", p["first"]])
        if r.random() < 0.04:
            local = r.choice(ROLES)  # a role mailbox colleagues share
        return f"{local}@{c['domain']}"
    local = r.choice([f"{p['first']}.{p['last']}", f"{p['first']}{p['last']}{r.randint(1, 99)}", f"{p['first'][0]}{p['last']}{r.randint(1, 999)}"])
    return f"{local}@{r.choice(PERSONAL)}"


def render(world, p, dup):
    """One row for a person; `dup` rows drift."""
    r = world.rng
    first, last = p["first"], p["last"]
    email, phone, addr, company = p["email"], p["phone"], p["addr"], p["company"]
    abbreviate = r.random() < 0.5
    if dup:
        x = r.random()
        if x < 0.15 and first in NICKNAMES:
            first = r.choice(NICKNAMES[first])
        elif x < 0.25:
            first = typo(r, first)
        elif x < 0.28:
            first = first[0]
        if r.random() < 0.1:
            last = typo(r, last)
        if r.random() < 0.03:
            first, last = last, first
        x = r.random()
        local, domain = email.split("@")
        if x < 0.12:
            email = f"{local}+{r.choice(['news', 'crm', 'work', 'x'])}@{domain}"
        elif x < 0.22 and domain == "gmail.com":
            email = f"{local.replace('.', '')}@googlemail.com" if r.random() < 0.3 else f"{local.replace('.', '')}@{domain}"
        elif x < 0.32:
            email = email.upper() if r.random() < 0.5 else email.title()
        elif x < 0.47:
            other = f"{local}@{r.choice(PERSONAL)}" if domain not in PERSONAL else f"{p['first']}.{p['last']}@{company['domain'] if company else r.choice(PERSONAL)}"
            email = unique_email(world, other)
        elif x < 0.52:
            email = typo(r, local) + "@" + domain
        x = r.random()
        if x < 0.15:
            phone = world.phone_digits()
        elif x < 0.2:
            phone = typo(r, phone)
        if r.random() < 0.2:
            addr = world.address()  # moved
        if company and r.random() < 0.08:
            company = r.choice(world.companies)  # changed jobs
    row = {
        "FirstName": first.title() if r.random() < 0.9 else first.upper(),
        "LastName": last.title() if r.random() < 0.9 else last.upper(),
        "Email": email,
        "Phone": fmt_phone(r, phone) if len(phone) == 10 and phone.isdigit() else phone,
        "Company": "",
        "MailingStreet": fmt_street(r, addr, abbreviate),
        "MailingCity": addr["city"][0],
        "MailingState": addr["city"][1],
        "MailingPostalCode": addr["city"][2] if r.random() < 0.9 else f"{addr['city'][2]}-{r.randint(1000, 9999)}",
        "MailingCountry": r.choice(["US", "USA", "United States", ""]),
    }
    if company:
        style = r.random()
        legal = company["legal"]
        row["Company"] = company["name"] if style < 0.4 else (f"{company['name']}, {legal}" if style < 0.7 else f"{company['name']} {legal}")
        if r.random() < 0.1:
            row["Company"] = row["Company"].upper()
    # Missing values: duplicates and originals both lose fields now and then.
    blank_some(row, r, [("Email", 0.08), ("Phone", 0.15), ("MailingStreet", 0.1), ("Company", 0.05),
                        ("FirstName", 0.02), ("MailingPostalCode", 0.05)], dup, 1.6)
    return row


def main():
    rows, out, seed, rng = start(7)
    world = World(rng, rows)
    people = []
    clusters = []
    records = []
    while len(records) < rows:
        x = rng.random()
        if x < 0.06 and people:
            household = {"last": people[-1]["last"], "addr": people[-1]["addr"], "phone": people[-1]["phone"]}
            person = make_person(world, household=household)
        elif x < 0.09 and people and people[-1]["company"]:
            person = make_person(world, company=people[-1]["company"])  # a colleague
            if "@" in people[-1]["email"] and people[-1]["email"].split("@")[0] in ROLES:
                person["email"] = people[-1]["email"]
            elif rng.random() < 0.3:
                person["email"] = f"{rng.choice(ROLES)}@{person['company']['domain']}"
                people[-1]["email"] = person["email"]
        else:
            person = make_person(world)
        people.append(person)
        add_copies(rng, records, clusters, rows, "C", lambda dup: render(world, person, dup=dup))
    name = f"crm_{rows}"
    columns = ["Id", "FirstName", "LastName", "Email", "Phone", "Company", "MailingStreet", "MailingCity",
               "MailingState", "MailingPostalCode", "MailingCountry"]
    path, pairs = write_dataset(out, name, columns, records, clusters, rng)
    print(f"{path}: {len(records)} rows, {len(clusters)} people, {pairs} true pairs")


if __name__ == "__main__":
    main()
