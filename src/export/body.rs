//! The fields of a decision body that the exports use, read straight from the JSON text: a small
//! pull reader that borrows every string without escapes from the body, finds string ends with
//! `memchr` and skips what the exports do not need (explanations, suggestions, choices, and for the
//! golden exports the members' values) without decoding it. A million-decision export reads a
//! million bodies of a few kilobytes, and a general deserializer spent most of the export's time
//! there. Strict where it reads (types, required and duplicate fields, trailing text, control
//! characters in a string it keeps, nesting deeper than SQLite allows), lenient only inside what it skips,
//! which `json_valid` checked when the entry was written. Pure.

use std::borrow::Cow;

/// The parts of a decision body the exports read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody<'a> {
    pub object: Cow<'a, str>,
    pub members: Vec<RawMember<'a>>,
    pub golden: Option<RawGolden<'a>>,
    /// Read only with the members' values.
    pub note: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMember<'a> {
    pub key: Cow<'a, str>,
    pub version: i64,
    /// Empty when the body was read without values.
    pub fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawGolden<'a> {
    pub fields: Vec<(Cow<'a, str>, RawGoldenField<'a>)>,
    pub survivor: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawGoldenField<'a> {
    pub value: Option<Cow<'a, str>>,
    pub from: Vec<Cow<'a, str>>,
    pub rule: Cow<'a, str>,
}

/// How deep arrays and objects may nest: as deep as SQLite's `json_valid` lets a body be written
/// (the reader recurses; this bounds its stack).
const MAX_DEPTH: usize = 1000;

type Res<T> = Result<T, String>;

struct Json<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

/// Sets a struct field once: a second occurrence is an error.
fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Res<()> {
    if slot.is_some() {
        return Err(format!("duplicate field `{name}`"));
    }
    *slot = Some(value);
    Ok(())
}

fn required<T>(slot: Option<T>, name: &str) -> Res<T> {
    slot.ok_or_else(|| format!("missing field `{name}`"))
}

impl<'a> Json<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn fail<T>(&self, what: &str) -> Res<T> {
        Err(format!("{what} at byte {}", self.pos))
    }

    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> Res<()> {
        if self.peek() != Some(b) {
            return self.fail(&format!("expected `{}`", b as char));
        }
        self.pos += 1;
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Res<()> {
        if !self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            return self.fail("expected a value");
        }
        self.pos += word.len();
        Ok(())
    }

    /// True (and consumed) when the next value is `null`.
    fn null(&mut self) -> Res<bool> {
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Moves past a string's closing quote (the opening one is consumed); true when it holds escapes.
    fn string_end(&mut self) -> Res<bool> {
        let mut escaped = false;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.bytes()[self.pos..]) {
                Some(i) if self.bytes()[self.pos + i] == b'"' => {
                    self.pos += i + 1;
                    return Ok(escaped);
                }
                Some(i) => {
                    escaped = true;
                    self.pos += i + 2;
                    if self.pos > self.text.len() {
                        return self.fail("unterminated string");
                    }
                }
                None => return self.fail("unterminated string"),
            }
        }
    }

    /// A string, borrowed from the text unless it holds escapes.
    fn string(&mut self) -> Res<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.pos;
        if self.string_end()? {
            let token = &self.text[start - 1..self.pos];
            return serde_json::from_str::<String>(token).map(Cow::Owned).map_err(|e| e.to_string());
        }
        let inner = &self.text[start..self.pos - 1];
        if inner.bytes().any(|b| b < 0x20) {
            return self.fail("control character in a string");
        }
        Ok(Cow::Borrowed(inner))
    }

    fn integer(&mut self) -> Res<i64> {
        self.peek();
        let start = self.pos;
        let b = self.bytes();
        let mut end = start + usize::from(b.get(start) == Some(&b'-'));
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
            return self.fail("expected an integer");
        }
        let number = self.text[start..end].parse().or_else(|_| self.fail("expected an integer"))?;
        self.pos = end;
        Ok(number)
    }

    fn enter(&mut self, open: u8) -> Res<()> {
        self.eat(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        Ok(())
    }

    /// Calls `each` with every key of an object, the reader placed on its value.
    fn object(&mut self, mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Res<()>) -> Res<()> {
        self.enter(b'{')?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                let key = self.string()?;
                self.eat(b':')?;
                each(self, key)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail("expected `,` or `}`"),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Calls `each` with the reader placed on every element of an array.
    fn array(&mut self, mut each: impl FnMut(&mut Self) -> Res<()>) -> Res<()> {
        self.enter(b'[')?;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                each(self)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail("expected `,` or `]`"),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Moves past any value without decoding it.
    fn skip(&mut self) -> Res<()> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string_end().map(|_| ())
            }
            Some(b'{') => self.object(|j, _| j.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => {
                let b = self.bytes();
                self.pos += 1;
                while b
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    self.pos += 1;
                }
                Ok(())
            }
            _ => self.fail("expected a value"),
        }
    }

    fn strings(&mut self) -> Res<Vec<Cow<'a, str>>> {
        let mut out = Vec::new();
        self.array(|j| {
            out.push(j.string()?);
            Ok(())
        })?;
        Ok(out)
    }

    fn member(&mut self, values: bool) -> Res<RawMember<'a>> {
        let (mut key, mut version, mut fields) = (None, None, None);
        self.object(|j, name| match &*name {
            "key" => once(&mut key, "key", j.string()?),
            "version" => once(&mut version, "version", j.integer()?),
            "fields" if values => {
                let mut pairs = Vec::with_capacity(8);
                j.object(|j, field| {
                    pairs.push((field, j.string()?));
                    Ok(())
                })?;
                once(&mut fields, "fields", pairs)
            }
            _ => j.skip(),
        })?;
        Ok(RawMember {
            key: required(key, "key")?,
            version: required(version, "version")?,
            fields: fields.unwrap_or_default(),
        })
    }

    fn golden_field(&mut self) -> Res<RawGoldenField<'a>> {
        let (mut value, mut from, mut rule) = (None, None, None);
        self.object(|j, name| match &*name {
            "value" => {
                let v = if j.null()? { None } else { Some(j.string()?) };
                once(&mut value, "value", v)
            }
            "from" => once(&mut from, "from", j.strings()?),
            "rule" => once(&mut rule, "rule", j.string()?),
            _ => j.skip(),
        })?;
        Ok(RawGoldenField {
            value: value.flatten(),
            from: from.unwrap_or_default(),
            rule: required(rule, "rule")?,
        })
    }

    fn golden(&mut self) -> Res<RawGolden<'a>> {
        let (mut fields, mut survivor) = (None, None);
        self.object(|j, name| match &*name {
            "fields" => {
                let mut pairs = Vec::with_capacity(16);
                j.object(|j, field| {
                    pairs.push((field, j.golden_field()?));
                    Ok(())
                })?;
                once(&mut fields, "fields", pairs)
            }
            "survivor" => {
                let mut key = None;
                j.object(|j, name| match &*name {
                    "key" => once(&mut key, "key", j.string()?),
                    _ => j.skip(),
                })?;
                once(&mut survivor, "survivor", required(key, "key")?)
            }
            _ => j.skip(),
        })?;
        Ok(RawGolden { fields: required(fields, "fields")?, survivor: required(survivor, "survivor")? })
    }
}

/// Reads a decision body; `values: false` skips the members' field values and the note.
pub fn read(text: &str, values: bool) -> Res<RawBody<'_>> {
    let mut j = Json { text, pos: 0, depth: 0 };
    let (mut object, mut members, mut golden, mut note) = (None, None, None, None);
    j.object(|j, name| match &*name {
        "object" => once(&mut object, "object", j.string()?),
        "members" => {
            let mut list = Vec::with_capacity(8);
            j.array(|j| {
                list.push(j.member(values)?);
                Ok(())
            })?;
            once(&mut members, "members", list)
        }
        "golden" => {
            let g = if j.null()? { None } else { Some(j.golden()?) };
            once(&mut golden, "golden", g)
        }
        "note" if values => {
            let n = if j.null()? { None } else { Some(j.string()?) };
            once(&mut note, "note", n)
        }
        _ => j.skip(),
    })?;
    if j.peek().is_some() {
        return j.fail("trailing characters");
    }
    Ok(RawBody {
        object: required(object, "object")?,
        members: required(members, "members")?,
        golden: golden.flatten(),
        note: note.flatten(),
    })
}

#[cfg(test)]
mod tests {
    //! The reader is checked against serde_json reading the same fields through derived structs
    //! (what the exports used before): the same values, and an error where serde_json errs.
    use super::*;
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use std::fmt;

    /// A JSON string, borrowed from the body unless it holds escapes.
    struct Text<'a>(Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Text<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Owned(v.to_string())))
                }
                fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Owned(v)))
                }
            }
            d.deserialize_str(V)
        }
    }

    /// A JSON object's entries in their order, without building a map.
    struct Pairs<'a, T>(Vec<(Text<'a>, T)>);

    impl<T> Default for Pairs<'_, T> {
        fn default() -> Self {
            Pairs(Vec::new())
        }
    }

    impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Pairs<'a, T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(std::marker::PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = Pairs<'de, T>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                    while let Some(entry) = map.next_entry()? {
                        out.push(entry);
                    }
                    Ok(Pairs(out))
                }
            }
            d.deserialize_map(V(std::marker::PhantomData))
        }
    }

    #[derive(serde::Deserialize)]
    struct BodyMember<'a> {
        #[serde(borrow)]
        key: Text<'a>,
        version: i64,
        #[serde(default, borrow)]
        fields: Pairs<'a, Text<'a>>,
    }

    #[derive(serde::Deserialize)]
    struct BodyGoldenField<'a> {
        #[serde(borrow)]
        value: Option<Text<'a>>,
        #[serde(default, borrow)]
        from: Vec<Text<'a>>,
        #[serde(borrow)]
        rule: Text<'a>,
    }

    #[derive(serde::Deserialize)]
    struct BodySurvivor<'a> {
        #[serde(borrow)]
        key: Text<'a>,
    }

    #[derive(serde::Deserialize)]
    struct BodyGolden<'a> {
        #[serde(borrow)]
        fields: Pairs<'a, BodyGoldenField<'a>>,
        #[serde(borrow)]
        survivor: BodySurvivor<'a>,
    }

    #[derive(serde::Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        object: Text<'a>,
        #[serde(borrow)]
        members: Vec<BodyMember<'a>>,
        #[serde(borrow)]
        golden: Option<BodyGolden<'a>>,
        #[serde(default, borrow)]
        note: Option<Text<'a>>,
    }

    /// A body read for the golden exports: members' keys only (their values are not needed there, and
    /// skipping them spares most of a body's strings).
    #[derive(serde::Deserialize)]
    struct LineageBody<'a> {
        #[serde(borrow)]
        object: Text<'a>,
        #[serde(borrow)]
        members: Vec<MemberKey<'a>>,
        #[serde(borrow)]
        golden: Option<BodyGolden<'a>>,
    }

    #[derive(serde::Deserialize)]
    struct MemberKey<'a> {
        #[serde(borrow)]
        key: Text<'a>,
        version: i64,
    }

    fn oracle_golden(g: Option<BodyGolden<'_>>) -> Option<RawGolden<'_>> {
        {
            g.map(|g| RawGolden {
                fields: g
                    .fields
                    .0
                    .into_iter()
                    .map(|(name, f)| {
                        let field = RawGoldenField {
                            value: f.value.map(|v| v.0),
                            from: f.from.into_iter().map(|t| t.0).collect(),
                            rule: f.rule.0,
                        };
                        (name.0, field)
                    })
                    .collect(),
                survivor: g.survivor.key.0,
            })
        }
    }

    fn oracle(text: &str, values: bool) -> Result<RawBody<'_>, serde_json::Error> {
        let golden = oracle_golden;
        if values {
            let b: Body = serde_json::from_str(text)?;
            let members = b
                .members
                .into_iter()
                .map(|m| RawMember {
                    key: m.key.0,
                    version: m.version,
                    fields: m.fields.0.into_iter().map(|(k, v)| (k.0, v.0)).collect(),
                })
                .collect();
            Ok(RawBody { object: b.object.0, members, golden: golden(b.golden), note: b.note.map(|n| n.0) })
        } else {
            let b: LineageBody = serde_json::from_str(text)?;
            let members = b
                .members
                .into_iter()
                .map(|m| RawMember { key: m.key.0, version: m.version, fields: vec![] })
                .collect();
            Ok(RawBody { object: b.object.0, members, golden: golden(b.golden), note: None })
        }
    }

    const BODY: &str = r#"{"choices":{"picks":[{"field":"Email","from":"sf:2"}],"sets":[],"survivor":null},"golden":{"fields":{"Email":{"chosen_by":"steward","conflict":false,"explanation":"picked from sf:2","from":["sf:2"],"rule":"steward","suggested":{"from":["sf:1"],"rule":"most_recent","value":"a@x"},"value":"b@x"},"Fax":{"chosen_by":"steward","conflict":true,"explanation":"edited","from":[],"rule":"steward","value":null}},"survivor":{"chosen_by":"rule","key":"sf:1","reason":"oldest"}},"members":[{"created":null,"fields":{"Email":"a@x","Fax":"1"},"key":"sf:1","updated":"2026-01-01T00:00:00Z","version":2},{"created":null,"fields":{},"key":"sf:2","updated":null,"version":-3}],"note":"same person","object":"contact","score":"0.93","seen":1.5e3,"status_after":"approved","status_before":"pending"}"#;

    fn same(text: &str) {
        for values in [true, false] {
            let want = oracle(text, values);
            let got = read(text, values);
            match (&want, &got) {
                (Ok(w), Ok(g)) => {
                    assert_eq!(w, g, "values={values}: {text}");
                }
                (Err(_), Err(_)) => {}
                _ => panic!("values={values}: serde_json {want:?}, reader {got:?}: {text}"),
            }
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let cases = [
            BODY.to_string(),
            // Escapes in keys, values, field names and skipped text.
            BODY.replace("a@x", r#"a\"b\u00e9\n@x"#).replace(r#""Fax""#, r#""F\u0061x""#).replace("picked", r#"pi\\cked"#),
            BODY.replace(r#""key":"sf:1""#, r#""k\u0065y":"sf:1""#),
            // Whitespace everywhere JSON allows it.
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(BODY).unwrap()).unwrap(),
            format!(" {BODY}\n\t"),
            // Optional parts absent or null.
            BODY.replace(r#""note":"same person","#, ""),
            BODY.replace(r#""note":"same person""#, r#""note":null"#),
            r#"{"object":"c","members":[]}"#.to_string(),
            r#"{"object":"c","members":[],"golden":null}"#.to_string(),
            r#"{"object":"c","members":[{"key":"a:1","version":1}],"golden":{"fields":{},"survivor":{"key":"a:1"}}}"#.to_string(),
            r#"{"golden":{"survivor":{"key":"a:1"},"fields":{"x":{"rule":"r"}}},"members":[{"version":1,"key":"a:1"}],"object":"c"}"#.to_string(),
            // Non-ASCII text.
            BODY.replace("same person", "même personne ✓").replace("a@x", "ä@x"),
            // Errors.
            String::new(),
            "not json".to_string(),
            "[]".to_string(),
            format!("{BODY}x"),
            format!("{BODY}{{}}"),
            BODY[..BODY.len() - 1].to_string(),
            BODY.replace(r#""object":"contact""#, r#""object":1"#),
            BODY.replace(r#""object":"contact","#, ""),
            BODY.replace(r#","object":"contact""#, r#","object":"contact","object":"lead""#),
            BODY.replace(r#""version":2"#, r#""version":2.0"#),
            BODY.replace(r#""version":2"#, r#""version":"2""#),
            BODY.replace(r#""version":2"#, r#""version":99999999999999999999"#),
            BODY.replace(r#""version":2"#, r#""version":1e3"#),
            BODY.replace(r#","version":2"#, ""),
            BODY.replace(r#""key":"sf:2""#, r#""key":null"#),
            BODY.replace(r#""fields":{"Email":"a@x","Fax":"1"}"#, r#""fields":{"Email":null}"#),
            BODY.replace(r#""fields":{"Email":"a@x","Fax":"1"}"#, r#""fields":null"#),
            BODY.replace(r#""from":["sf:2"]"#, r#""from":null"#),
            BODY.replace(r#""from":["sf:2"]"#, r#""from":"sf:2""#),
            BODY.replace(r#""rule":"steward","suggested""#, r#""suggested""#),
            BODY.replace(r#""value":"b@x""#, r#""value":7"#),
            BODY.replace(r#""survivor":{"chosen_by":"rule","key":"sf:1","reason":"oldest"}"#, r#""survivor":{}"#),
            BODY.replace(r#""object":"contact""#, "\"object\":\"tab\there\""),
            BODY.replace(r#","status_before":"pending""#, r#","x":[[[[1]]]]"#),
            format!(r#"{{"x":{}1{},"object":"c","members":[]}}"#, "[".repeat(200), "]".repeat(200)),
        ];
        for case in &cases {
            same(case);
        }
        // Lenient only inside skipped text (which `json_valid` checked when it was written).
        let skipped = BODY.replace("picked from", "picked\tfrom");
        assert!(oracle(&skipped, true).is_err() && read(&skipped, true).is_ok());
        let deep = format!(r#"{{"x":{}1{},"object":"c","members":[]}}"#, "[".repeat(1001), "]".repeat(1001));
        assert!(read(&deep, true).unwrap_err().contains("nested too deeply"));
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let b = read(BODY, true).unwrap();
        assert!(matches!(b.object, Cow::Borrowed("contact")));
        let escaped = BODY.replace(r#""object":"contact""#, r#""object":"con\u0074act""#);
        let b = read(&escaped, true).unwrap();
        assert!(matches!(b.object, Cow::Owned(ref o) if o == "contact"));
    }
}
