//! IMAP response data the migration preflight reads (issue 19): a small
//! tolerant reader of the response grammar (atoms, quoted strings,
//! literals, parenthesised lists, NIL; RFC 3501 §4) and the responses built
//! on it: LIST / XLIST (RFC 3501 §7.2.2, RFC 6154), STATUS (§7.2.4, SIZE
//! from RFC 8438), FETCH (§7.4.2), QUOTAROOT / QUOTA (RFC 9208),
//! NAMESPACE (RFC 2342), SEARCH, EXISTS and the response codes of EXAMINE.
//!
//! Every function takes one whole response as
//! [`Imap::read_response`](super::imap::Imap::read_response) returns it
//! (literals inline, CRLF included) and answers `None` for anything it does
//! not recognise: a server's quirk is a value, never a panic.

/// One token of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An atom, a number or a flag, as sent (brackets kept: `BODY[]<0>`).
    Atom(String),
    /// A quoted string or a literal's payload.
    Str(Vec<u8>),
    Nil,
    List(Vec<Token>),
}

impl Token {
    /// Atom or string as text (lossy UTF-8); `None` for NIL and lists.
    pub fn text(&self) -> Option<String> {
        match self {
            Token::Atom(a) => Some(a.clone()),
            Token::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<u64> {
        match self {
            Token::Atom(a) => a.parse().ok(),
            _ => None,
        }
    }

    fn is_atom(&self, name: &str) -> bool {
        matches!(self, Token::Atom(a) if a.eq_ignore_ascii_case(name))
    }
}

/// Deepest list nesting accepted (a hostile server cannot recurse us away).
const MAX_DEPTH: usize = 16;

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn token(&mut self, depth: usize) -> Option<Token> {
        self.skip_spaces();
        match self.peek()? {
            b'(' if depth < MAX_DEPTH => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    match self.peek()? {
                        b')' => {
                            self.i += 1;
                            return Some(Token::List(items));
                        }
                        b'\r' | b'\n' => return None,
                        _ => items.push(self.token(depth + 1)?),
                    }
                }
            }
            b'"' => self.quoted(),
            b'{' => self.literal(),
            b')' | b'\r' | b'\n' | b'(' => None,
            _ => {
                let atom = self.atom();
                Some(if atom.eq_ignore_ascii_case("NIL") {
                    Token::Nil
                } else {
                    Token::Atom(atom)
                })
            }
        }
    }

    fn quoted(&mut self) -> Option<Token> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'\\' => {
                    out.push(*self.b.get(self.i + 1)?);
                    self.i += 2;
                }
                b'"' => {
                    self.i += 1;
                    return Some(Token::Str(out));
                }
                b'\r' | b'\n' => return None,
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// `{n}` or `{n+}`, CRLF, n bytes.
    fn literal(&mut self) -> Option<Token> {
        let close = self.b.get(self.i..)?.iter().position(|&c| c == b'}')? + self.i;
        let n: usize = std::str::from_utf8(self.b.get(self.i + 1..close)?)
            .ok()?
            .trim_end_matches('+')
            .parse()
            .ok()?;
        let start = close + 3;
        if self.b.get(close + 1..start)? != b"\r\n" {
            return None;
        }
        let data = self.b.get(start..start.checked_add(n)?)?.to_vec();
        self.i = start + n;
        Some(Token::Str(data))
    }

    /// Up to a space or parenthesis; a `[...]` section is read whole.
    fn atom(&mut self) -> String {
        let start = self.i;
        let mut bracket = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'[' => bracket += 1,
                b']' => bracket = bracket.saturating_sub(1),
                b' ' | b'(' | b')' if bracket == 0 => break,
                b'\r' | b'\n' => break,
                _ => {}
            }
            self.i += 1;
        }
        String::from_utf8_lossy(&self.b[start..self.i]).into_owned()
    }
}

/// The tokens of one response, up to its end or the first thing that is
/// not grammar (what was read so far is returned).
pub fn tokens(bytes: &[u8]) -> Vec<Token> {
    let mut r = Reader { b: bytes, i: 0 };
    let mut out = Vec::new();
    while out.len() < 10_000 {
        r.skip_spaces();
        match r.peek() {
            None | Some(b'\r') | Some(b'\n') => break,
            _ => match r.token(0) {
                Some(t) => out.push(t),
                None => break,
            },
        }
    }
    out
}

/// An untagged response's tokens after `*`, when its keyword (or, for
/// `* n KEYWORD`, its second word) is `keyword`.
fn untagged(bytes: &[u8], keyword: &str) -> Option<Vec<Token>> {
    let t = tokens(bytes);
    if !t.first()?.is_atom("*") {
        return None;
    }
    if t.get(1)?.is_atom(keyword) || t.get(2).is_some_and(|k| k.is_atom(keyword)) {
        return Some(t[1..].to_vec());
    }
    None
}

/// One `* LIST` or `* XLIST` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// Name attributes as sent (`\HasNoChildren`, `\Sent`, `\Noselect`).
    pub attributes: Vec<String>,
    /// The hierarchy delimiter (`None`: NIL, a flat namespace).
    pub delimiter: Option<String>,
    /// The name as sent (modified UTF-7 on the wire).
    pub name: Vec<u8>,
}

pub fn list_item(bytes: &[u8]) -> Option<ListItem> {
    let t = untagged(bytes, "LIST").or_else(|| untagged(bytes, "XLIST"))?;
    if !(t[0].is_atom("LIST") || t[0].is_atom("XLIST")) {
        return None;
    }
    let Token::List(attrs) = t.get(1)? else {
        return None;
    };
    let delimiter = match t.get(2)? {
        Token::Nil => None,
        other => other.text(),
    };
    let name = match t.get(3)? {
        Token::Str(s) => s.clone(),
        Token::Atom(a) => a.as_bytes().to_vec(),
        _ => return None,
    };
    Some(ListItem {
        attributes: attrs.iter().filter_map(Token::text).collect(),
        delimiter,
        name,
    })
}

/// `* STATUS name (ITEM n ...)`: the items, upper-cased.
pub fn status(bytes: &[u8]) -> Option<Vec<(String, u64)>> {
    let t = untagged(bytes, "STATUS")?;
    let Token::List(items) = t.get(2)? else {
        return None;
    };
    Some(
        items
            .chunks(2)
            .filter_map(|p| Some((p.first()?.text()?.to_ascii_uppercase(), p.get(1)?.number()?)))
            .collect(),
    )
}

/// What one `* n FETCH (...)` carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchItem {
    pub seq: u64,
    pub uid: Option<u64>,
    pub size: Option<u64>,
    pub internal_date: Option<String>,
    /// `BODY[HEADER.FIELDS (SUBJECT)]`'s payload.
    pub header: Option<Vec<u8>>,
    /// Bytes of body payload received (`BODY[]`, `BODY[]<0>`, partial or whole).
    pub body_bytes: u64,
}

pub fn fetch(bytes: &[u8]) -> Option<FetchItem> {
    let t = untagged(bytes, "FETCH")?;
    let seq = t.first()?.number()?;
    if !t.get(1)?.is_atom("FETCH") {
        return None;
    }
    let Token::List(items) = t.get(2)? else {
        return None;
    };
    let mut out = FetchItem {
        seq,
        ..FetchItem::default()
    };
    for pair in items.chunks(2) {
        let (Some(Token::Atom(key)), Some(value)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let key = key.to_ascii_uppercase();
        match key.as_str() {
            "UID" => out.uid = value.number(),
            "RFC822.SIZE" => out.size = value.number(),
            "INTERNALDATE" => out.internal_date = value.text(),
            k if k.starts_with("BODY[HEADER") => {
                if let Token::Str(s) = value {
                    out.header = Some(s.clone());
                }
            }
            k if k.starts_with("BODY[]") || k.starts_with("BINARY[]") || k == "RFC822" => {
                if let Token::Str(s) = value {
                    out.body_bytes += s.len() as u64;
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// `* SEARCH 1 2 3`: the numbers.
pub fn search(bytes: &[u8]) -> Option<Vec<u64>> {
    let t = untagged(bytes, "SEARCH")?;
    Some(t[1..].iter().filter_map(Token::number).collect())
}

/// `* n EXISTS`.
pub fn exists(bytes: &[u8]) -> Option<u64> {
    let t = untagged(bytes, "EXISTS")?;
    if t.get(1)?.is_atom("EXISTS") {
        t.first()?.number()
    } else {
        None
    }
}

/// A response code with a number, e.g. `* OK [UIDVALIDITY 3]` → 3.
pub fn code_number(bytes: &[u8], code: &str) -> Option<u64> {
    let text = String::from_utf8_lossy(bytes);
    let at = text.to_ascii_uppercase().find(&format!("[{code} "))?;
    text[at + code.len() + 2..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// A response code anywhere in the line, e.g. `[LIMIT]`, `[OVERQUOTA]`.
pub fn has_code(bytes: &[u8], code: &str) -> bool {
    String::from_utf8_lossy(bytes)
        .to_ascii_uppercase()
        .contains(&format!("[{code}"))
}

/// `* QUOTA root (STORAGE used limit ...)`: each resource with its usage
/// and limit (STORAGE in units of 1024 octets, RFC 9208 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaItem {
    pub root: String,
    pub resource: String,
    pub usage: u64,
    pub limit: u64,
}

pub fn quota(bytes: &[u8]) -> Vec<QuotaItem> {
    let Some(t) = untagged(bytes, "QUOTA") else {
        return Vec::new();
    };
    if !t[0].is_atom("QUOTA") {
        return Vec::new();
    }
    let root = t.get(1).and_then(Token::text).unwrap_or_default();
    let Some(Token::List(items)) = t.get(2) else {
        return Vec::new();
    };
    items
        .chunks(3)
        .filter_map(|c| {
            Some(QuotaItem {
                root: root.clone(),
                resource: c.first()?.text()?.to_ascii_uppercase(),
                usage: c.get(1)?.number()?,
                limit: c.get(2)?.number()?,
            })
        })
        .collect()
}

/// `* NAMESPACE personal other shared`: each a list of (prefix, delimiter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Namespaces {
    pub personal: Vec<(String, Option<String>)>,
    pub other_users: Vec<(String, Option<String>)>,
    pub shared: Vec<(String, Option<String>)>,
}

pub fn namespace(bytes: &[u8]) -> Option<Namespaces> {
    let t = untagged(bytes, "NAMESPACE")?;
    let part = |i: usize| -> Vec<(String, Option<String>)> {
        match t.get(i) {
            Some(Token::List(entries)) => entries
                .iter()
                .filter_map(|e| match e {
                    Token::List(pair) => {
                        Some((pair.first()?.text()?, pair.get(1).and_then(Token::text)))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    Some(Namespaces {
        personal: part(1),
        other_users: part(2),
        shared: part(3),
    })
}

/// A mailbox name for a command: a quoted string (RFC 3501 §4.3), or
/// `None` when it holds bytes a quoted string cannot carry (CR, LF, NUL,
/// 8-bit), which would need a literal.
pub fn quote_mailbox(name: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for &c in name {
        match c {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            0 | b'\r' | b'\n' | 0x80.. => return None,
            _ => out.push(c as char),
        }
    }
    out.push('"');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_lines_with_quoted_literal_and_nil_delimiters() {
        let l = list_item(b"* LIST (\\HasNoChildren \\Sent) \".\" \"Sent Items\"\r\n").unwrap();
        assert_eq!(l.attributes, ["\\HasNoChildren", "\\Sent"]);
        assert_eq!(l.delimiter.as_deref(), Some("."));
        assert_eq!(l.name, b"Sent Items");
        let l = list_item(b"* LIST () NIL INBOX\r\n").unwrap();
        assert_eq!((l.delimiter, l.name), (None, b"INBOX".to_vec()));
        let l = list_item(b"* XLIST (\\Inbox) \"/\" {7}\r\na\"b/c d\r\n").unwrap();
        assert_eq!(l.name, b"a\"b/c d");
        assert_eq!(list_item(b"* LIST (\\X \"/\" x\r\n"), None);
        assert_eq!(list_item(b"* 3 EXISTS\r\n"), None);
    }

    #[test]
    fn status_fetch_quota_namespace() {
        assert_eq!(
            status(b"* STATUS \"A b\" (MESSAGES 3 SIZE 1200 UIDVALIDITY 7)\r\n").unwrap(),
            [
                ("MESSAGES".to_string(), 3),
                ("SIZE".to_string(), 1200),
                ("UIDVALIDITY".to_string(), 7)
            ]
        );
        let f = fetch(
            b"* 4 FETCH (UID 9 RFC822.SIZE 512 INTERNALDATE \"01-Jan-2020 10:00:00 +0000\" BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n)\r\n",
        )
        .unwrap();
        assert_eq!((f.seq, f.uid, f.size), (4, Some(9), Some(512)));
        assert_eq!(f.header.as_deref(), Some(&b"Subject: hi\r\n\r\n"[..]));
        let f = fetch(b"* 2 FETCH (UID 3 BODY[]<0> {5}\r\nhello)\r\n").unwrap();
        assert_eq!(f.body_bytes, 5);
        assert_eq!(
            quota(b"* QUOTA \"\" (STORAGE 10 512 MESSAGE 4 1000)\r\n"),
            [
                QuotaItem {
                    root: String::new(),
                    resource: "STORAGE".into(),
                    usage: 10,
                    limit: 512
                },
                QuotaItem {
                    root: String::new(),
                    resource: "MESSAGE".into(),
                    usage: 4,
                    limit: 1000
                }
            ]
        );
        let n = namespace(b"* NAMESPACE ((\"INBOX.\" \".\")) ((\"#u/\" \"/\")) NIL\r\n").unwrap();
        assert_eq!(n.personal, [("INBOX.".to_string(), Some(".".to_string()))]);
        assert_eq!(n.other_users[0].0, "#u/");
        assert!(n.shared.is_empty());
        assert_eq!(search(b"* SEARCH 2 84 882\r\n").unwrap(), [2, 84, 882]);
        assert_eq!(exists(b"* 23 EXISTS\r\n"), Some(23));
        assert_eq!(
            code_number(
                b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
                "UIDVALIDITY"
            ),
            Some(3857529045)
        );
        assert!(has_code(b"a5 NO [LIMIT] too many\r\n", "LIMIT"));
    }

    #[test]
    fn hostile_input_is_none_not_a_panic() {
        for bad in [
            &b"* LIST (((((((((((((((((((((((((((x"[..],
            b"* 1 FETCH (BODY[] {99999}\r\nab)\r\n",
            b"* STATUS x (MESSAGES",
            b"* QUOTA",
            b"\"\\",
            b"{",
            b"* 1 FETCH (UID {2}\r",
        ] {
            let _ = (
                list_item(bad),
                status(bad),
                fetch(bad),
                namespace(bad),
                quota(bad),
            );
            let _ = tokens(bad);
        }
        assert_eq!(quote_mailbox(b"a\"b"), Some("\"a\\\"b\"".into()));
        assert_eq!(quote_mailbox("é".as_bytes()), None);
    }
}
