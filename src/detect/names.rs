//! What names say beyond their letters: given-name aliases, nicknames and short forms that name the
//! same person (Bob, Rob, Robbie → Robert; a small built-in table of common English given names, a
//! name not in it its own alias), and generational suffixes that tell father from son.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Each line: the formal name, then its nicknames.
const GROUPS: &[&str] = &[
    "robert rob bob bobby robbie bert",
    "william will bill billy willy liam",
    "richard rick dick rich richie ricky",
    "james jim jimmy jamie",
    "john jack johnny jon",
    "jonathan jon jonny",
    "michael mike mick mickey mikey",
    "christopher chris kit topher",
    "christine chris chrissy tina",
    "christina chris tina",
    "joseph joe joey",
    "thomas tom tommy",
    "charles charlie chuck chas",
    "daniel dan danny",
    "matthew matt matty",
    "anthony tony",
    "andrew andy drew",
    "steven steve stevie",
    "stephen steve stevie",
    "edward ed eddie ted ned",
    "benjamin ben benny",
    "samuel sam sammy",
    "alexander alex alec sandy xander",
    "alexandra alex sandra lexi",
    "nicholas nick nicky",
    "patrick pat paddy",
    "peter pete",
    "timothy tim timmy",
    "gregory greg",
    "jeffrey jeff",
    "kenneth ken kenny",
    "ronald ron ronnie",
    "donald don donnie",
    "david dave davy",
    "lawrence larry laurie",
    "gerald gerry jerry",
    "raymond ray",
    "frederick fred freddie",
    "henry harry hank",
    "harold harry hal",
    "walter walt wally",
    "albert al bert",
    "alfred alf fred",
    "nathaniel nate nat",
    "nathan nate",
    "zachary zach zack",
    "jacob jake",
    "joshua josh",
    "philip phil",
    "douglas doug",
    "leonard leo len lenny",
    "vincent vince vinny",
    "theodore ted teddy theo",
    "eugene gene",
    "francis frank fran",
    "franklin frank",
    "elizabeth liz beth betty lizzie eliza libby",
    "katherine kate kathy katie kat",
    "catherine cathy kate katie cat",
    "margaret maggie meg peggy marge",
    "jennifer jen jenny",
    "jessica jess jessie",
    "rebecca becky becca",
    "susan sue susie",
    "deborah deb debbie",
    "patricia pat patty tricia trish",
    "barbara barb barbie",
    "kimberly kim",
    "victoria vicky tori",
    "abigail abby",
    "samantha sam sammy",
    "stephanie steph",
    "jacqueline jackie",
    "cynthia cindy",
    "dorothy dot dottie",
    "theresa terry tess",
    "pamela pam",
    "judith judy",
    "caroline carol carrie",
    "josephine jo josie",
    "madeline maddie",
    "melissa mel missy",
    "amanda mandy",
    "kristen kris",
    "valerie val",
    "allison allie ali",
    "gabrielle gabby",
    "angela angie",
    "sandra sandy",
    "eleanor ellie nora",
    "olivia liv",
];

fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for group in GROUPS {
            let mut words = group.split(' ');
            let formal = words.next().unwrap_or("");
            map.insert(formal, formal);
            for nick in words {
                // A nickname shared by two formal names (chris) keeps the first group's.
                map.entry(nick).or_insert(formal);
            }
        }
        map
    })
}

/// The formal name a given name stands for (`bob` → `robert`), or the name itself.
pub fn alias(name: &str) -> &str {
    table().get(name).copied().unwrap_or(name)
}

/// True when two given names are nicknames of one another (or of one formal name).
pub fn same_person_name(a: &str, b: &str) -> bool {
    a == b || alias(a) == alias(b) || alias(a) == b || alias(b) == a
}

/// A generational suffix a name carries: father and son (`John Smith Sr.`, `John Smith Jr.`) share
/// every other field more often than any duplicates do, so two records whose suffixes differ are
/// never one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    Senior,
    /// `Jr.` or `II`: both name the younger of two (people write either).
    Junior,
    Third,
    Fourth,
}

impl Generation {
    /// How a steward reads it.
    pub fn label(self) -> &'static str {
        match self {
            Generation::Senior => "Sr.",
            Generation::Junior => "Jr.",
            Generation::Third => "III",
            Generation::Fourth => "IV",
        }
    }
}

/// The generational suffix of a raw name (`Smith Jr.`, `John Smith, III`), if it carries one: a
/// suffix word after the first word (a lone `Junior` may be a nickname).
pub fn name_generation(raw: &str) -> Option<Generation> {
    super::normalise::fold(raw).split(' ').skip(1).find_map(generation_word)
}

/// The generation a name-suffix field (Salesforce's `Suffix`) holds: `Jr.`, `III`.
pub fn suffix_generation(raw: &str) -> Option<Generation> {
    super::normalise::fold(raw).split(' ').find_map(generation_word)
}

fn generation_word(word: &str) -> Option<Generation> {
    match word {
        "sr" | "senior" => Some(Generation::Senior),
        "jr" | "junior" | "ii" => Some(Generation::Junior),
        "iii" => Some(Generation::Third),
        "iv" => Some(Generation::Fourth),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_generational_suffixes() {
        let cases = [
            ("John Smith Jr.", Some(Generation::Junior)),
            ("Smith, Sr", Some(Generation::Senior)),
            ("John Smith II", Some(Generation::Junior)),
            ("Martin Luther King, III", Some(Generation::Third)),
            ("Henry Ford IV", Some(Generation::Fourth)),
            ("Junior", None),
            ("Srinivasan Iyer", None),
            ("John Smith", None),
        ];
        for (raw, want) in cases {
            assert_eq!(name_generation(raw), want, "{raw}");
        }
        assert_eq!(suffix_generation("Jr."), Some(Generation::Junior));
        assert_eq!(suffix_generation("Sr"), Some(Generation::Senior));
        assert_eq!(suffix_generation("PhD"), None);
    }

    #[test]
    fn nicknames_resolve_to_formal_names() {
        for (a, b, same) in [
            ("bob", "robert", true),
            ("rob", "bobby", true),
            ("liz", "elizabeth", true),
            ("bill", "will", true),
            ("jon", "john", true),
            ("bob", "william", false),
            ("zed", "zed", true),
            ("zed", "zoe", false),
        ] {
            assert_eq!(same_person_name(a, b), same, "{a} {b}");
        }
    }
}
