//! JSON with positions: a small parser whose tree keeps the line and column of every value and
//! key, so that a problem in weights.lock is reported as `weights.lock:41:21` with the key path
//! (`weights[0].files[2].digest`). `serde_json` has no spans; the lock is decoded from this tree
//! instead (`lock::decode`).

use cognix_gen::diagnostic::Pos;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written; the decoder decides what it may be.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    /// What the value is, in the words of an error message.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Nesting deeper than this is refused: a lock is four levels deep, and recursion must stay
/// bounded on hostile input.
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser { chars: text.chars().collect(), at: 0, line: 1, column: 1 };
    parser.skip_space();
    let node = parser.value(0)?;
    parser.skip_space();
    if parser.peek().is_some() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
}

impl Parser {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError { pos: self.pos(), message: message.to_owned() }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, want: char) -> Result<(), SyntaxError> {
        if self.peek() == Some(want) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&format!("expected '{want}'")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let pos = self.pos();
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Value::String(self.string()?),
            Some('t') => self.word("true", Value::Bool(true))?,
            Some('f') => self.word("false", Value::Bool(false))?,
            Some('n') => self.word("null", Value::Null)?,
            Some(c) if c == '-' || c.is_ascii_digit() => Value::Number(self.number()?),
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of the file")),
        };
        Ok(Node { pos, value })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        for want in word.chars() {
            if self.peek() != Some(want) {
                return Err(self.error("expected a JSON value"));
            }
            self.bump();
        }
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut members: Vec<Member> = Vec::new();
        self.skip_space();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            let key_pos = self.pos();
            if self.peek() != Some('"') {
                return Err(self.error("expected a key in double quotes"));
            }
            let key = self.string()?;
            if let Some(first) = members.iter().find(|m| m.key == key) {
                return Err(SyntaxError {
                    pos: key_pos,
                    message: format!("duplicate key \"{key}\" (first at line {})", first.key_pos.line),
                });
            }
            self.skip_space();
            self.expect(':')?;
            self.skip_space();
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_pos, value });
            self.skip_space();
            match self.peek() {
                Some(',') => self.bump(),
                Some('}') => {
                    self.bump();
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            };
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.bump(),
                Some(']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            };
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('/') => out.push('/'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => out.push(self.unicode_escape()?),
                    _ => return Err(self.error("invalid escape in string")),
                },
                Some(c) if (c as u32) < 0x20 => return Err(self.error("control character in string")),
                Some(c) => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|c| c.to_digit(16)).ok_or_else(|| self.error("invalid \\u escape"))?;
            self.bump();
            value = value * 16 + digit;
        }
        Ok(value)
    }

    /// `\uXXXX`, with surrogate pairs joined; a lone surrogate becomes U+FFFD as Go decodes it.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.chars.get(self.at) == Some(&'\\') && self.chars.get(self.at + 1) == Some(&'u') {
            let saved = (self.at, self.line, self.column);
            self.bump();
            self.bump();
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                return Ok(char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{fffd}'));
            }
            (self.at, self.line, self.column) = saved;
        }
        Ok(char::from_u32(high).unwrap_or('\u{fffd}'))
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.at;
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                self.bump();
            }
            Some(c) if c.is_ascii_digit() => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some('.') {
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values_and_keys() {
        let node = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": {\"c\": null}\n}").unwrap();
        let Value::Object(members) = &node.value else { panic!("object") };
        assert_eq!(members[0].key_pos, Pos::new(2, 3));
        let Value::Array(items) = &members[0].value.value else { panic!("array") };
        assert_eq!(items[1].pos, Pos::new(2, 12));
        assert_eq!(items[0].value, Value::Number("1".into()));
        assert_eq!(members[1].value.pos, Pos::new(3, 8));
    }

    #[test]
    fn escapes_and_surrogates() {
        let node = parse(r#""a\u0026b\n\ud83d\ude00\ud800x""#).unwrap();
        assert_eq!(node.value, Value::String("a&b\n\u{1f600}\u{fffd}x".into()));
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(
            parse("{\"a\": 1,\n \"a\": 2}").unwrap_err(),
            SyntaxError { pos: Pos::new(2, 2), message: "duplicate key \"a\" (first at line 1)".into() }
        );
        assert_eq!(parse("[1 2]").unwrap_err().pos, Pos::new(1, 4));
        assert_eq!(parse("{\"a\": tru}").unwrap_err().message, "expected a JSON value");
        assert_eq!(parse("[01]").unwrap_err().message, "expected ',' or ']'");
        assert_eq!(parse("\"a").unwrap_err().message, "unterminated string");
        assert_eq!(parse("{} x").unwrap_err().message, "unexpected text after the JSON value");
        assert!(parse(&"[".repeat(100)).unwrap_err().message.contains("deeply"));
    }
}
