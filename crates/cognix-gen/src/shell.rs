//! Just enough of the POSIX shell grammar to read `build.run` commands: words with quotes and
//! escapes removed, simple commands joined by pipes, pipelines separated by `&&`, `||`, `;` and
//! `&`, and stdout redirections. Anything more (subshells, loops, here-documents) is reported as
//! unsupported and the command is kept as it is. In: a command line; out: its pipelines of
//! words, or `Unsupported`. No diagnostics.

/// A word after quote removal. `dynamic` words contain an expansion (`$HOME`, `$(date)`) whose
/// value is only known when the command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub dynamic: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
    /// Target of `>`, `>>` or `&>`.
    pub stdout: Option<Word>,
}

/// One pipeline, its source text, and the operator that joins it to the next pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<SimpleCommand>,
    pub text: String,
    /// `&&`, `||`, `;` (also for a newline) or `&`; `None` for the last pipeline.
    pub operator: Option<&'static str>,
}

/// The command uses shell syntax this module does not model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported;

/// Command substitutions with a fixed answer for the image cog builds (always linux/amd64), so
/// that a download URL such as `.../pget_$(uname -s)_$(uname -m)` can be pinned.
const STATIC_SUBSTITUTIONS: &[(&str, &str)] =
    &[("uname", "Linux"), ("uname -s", "Linux"), ("uname -m", "x86_64"), ("arch", "x86_64"), ("dpkg --print-architecture", "amd64")];

const COMPOUND_KEYWORDS: &[&str] = &["if", "then", "for", "while", "until", "case", "do", "function", "select"];

pub fn parse(source: &str) -> Result<Vec<Pipeline>, Unsupported> {
    let mut p = Parser { chars: source.char_indices().collect(), source, i: 0 };
    p.pipelines()
}

struct Parser<'s> {
    chars: Vec<(usize, char)>,
    source: &'s str,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|&(_, c)| c)
    }

    fn offset(&self) -> usize {
        self.chars.get(self.i).map_or(self.source.len(), |&(o, _)| o)
    }

    fn pipelines(&mut self) -> Result<Vec<Pipeline>, Unsupported> {
        let mut out = Vec::new();
        let mut start = self.offset();
        let mut commands = vec![SimpleCommand::default()];
        let mut word: Option<Word> = None;
        let mut pending_redirect = false;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' => {
                    end_word(&mut word, &mut commands, &mut pending_redirect);
                    self.i += 1;
                }
                '#' if word.is_none() => break,
                ';' | '\n' | '&' | '|' => {
                    end_word(&mut word, &mut commands, &mut pending_redirect);
                    let double = self.peek(1) == Some(c);
                    if c == '&' && self.peek(1) == Some('>') {
                        self.i += 2;
                        self.redirect_target(&mut pending_redirect)?;
                        continue;
                    }
                    if c == '|' && !double {
                        self.i += if self.peek(1) == Some('&') { 2 } else { 1 };
                        commands.push(SimpleCommand::default());
                        continue;
                    }
                    let text = self.source[start..self.offset()].trim().to_owned();
                    let operator = match (c, double) {
                        ('&', true) => "&&",
                        ('|', true) => "||",
                        ('&', false) => "&",
                        _ => ";",
                    };
                    self.i += if double && c != ';' && c != '\n' { 2 } else { 1 };
                    push_pipeline(&mut out, std::mem::take(&mut commands), text, operator)?;
                    commands = vec![SimpleCommand::default()];
                    start = self.offset();
                }
                '>' | '<' => {
                    let fd = word
                        .as_ref()
                        .filter(|w| !w.dynamic && w.text.chars().all(|d| d.is_ascii_digit()) && !w.text.is_empty())
                        .map(|w| w.text.clone());
                    if fd.is_some() {
                        word = None;
                    }
                    if c == '<' {
                        if self.peek(1) == Some('<') {
                            return Err(Unsupported);
                        }
                        end_word(&mut word, &mut commands, &mut pending_redirect);
                        self.i += 1;
                        // Input redirection: read and drop the file name.
                        self.skip_blanks();
                        self.word()?;
                        continue;
                    }
                    end_word(&mut word, &mut commands, &mut pending_redirect);
                    self.i += 1;
                    if self.peek(0) == Some('>') {
                        self.i += 1;
                    }
                    if self.peek(0) == Some('&') {
                        // `2>&1`, `>&2`: duplication, no file.
                        self.i += 1;
                        self.word()?;
                        continue;
                    }
                    if fd.as_deref().is_none_or(|f| f == "1") {
                        self.redirect_target(&mut pending_redirect)?;
                    } else {
                        self.skip_blanks();
                        self.word()?;
                    }
                }
                // Subshells, functions and groups; `(` inside a word is a syntax error anyway.
                '(' | ')' => return Err(Unsupported),
                '{' | '}' if word.is_none() => return Err(Unsupported),
                _ => {
                    let before = self.i;
                    let w = self.word()?;
                    if self.i == before {
                        // Nothing this parser understands starts here.
                        return Err(Unsupported);
                    }
                    if let Some(existing) = &mut word {
                        existing.text.push_str(&w.text);
                        existing.dynamic |= w.dynamic;
                    } else {
                        word = Some(w);
                    }
                }
            }
        }
        end_word(&mut word, &mut commands, &mut pending_redirect);
        let text = self.source[start..self.offset()].trim().to_owned();
        push_pipeline(&mut out, commands, text, ";")?;
        if let Some(last) = out.last_mut() {
            last.operator = None;
        }
        Ok(out)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(0), Some(' ' | '\t')) {
            self.i += 1;
        }
    }

    /// After `>`: the next word is the file stdout goes to.
    fn redirect_target(&mut self, pending: &mut bool) -> Result<(), Unsupported> {
        self.skip_blanks();
        if self.peek(0).is_none() {
            return Err(Unsupported);
        }
        *pending = true;
        Ok(())
    }

    /// One word, up to the next blank or operator.
    fn word(&mut self) -> Result<Word, Unsupported> {
        let mut w = Word { text: String::new(), dynamic: false };
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '\\' => {
                    self.i += 1;
                    match self.peek(0) {
                        Some('\n') => self.i += 1,
                        Some(e) => {
                            w.text.push(e);
                            self.i += 1;
                        }
                        None => {}
                    }
                }
                '\'' => {
                    self.i += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(Unsupported),
                            Some('\'') => break,
                            Some(q) => w.text.push(q),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                }
                '"' => {
                    self.i += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(Unsupported),
                            Some('"') => break,
                            Some('\\') if matches!(self.peek(1), Some('"' | '\\' | '$' | '`' | '\n')) => {
                                if self.peek(1) != Some('\n') {
                                    w.text.push(self.peek(1).unwrap_or_default());
                                }
                                self.i += 2;
                                continue;
                            }
                            Some('$' | '`') => {
                                self.expansion(&mut w)?;
                                continue;
                            }
                            Some(q) => w.text.push(q),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                }
                '$' | '`' => self.expansion(&mut w)?,
                c => {
                    w.text.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(w)
    }

    /// `$NAME`, `${...}`, `$(...)` or a backquoted command. Known static substitutions are
    /// replaced by their value; anything else is kept as written and marks the word dynamic.
    fn expansion(&mut self, w: &mut Word) -> Result<(), Unsupported> {
        let start = self.i;
        let (inner, raw_end) = match (self.peek(0), self.peek(1)) {
            (Some('$'), Some('(')) => self.balanced(2, '(', ')')?,
            (Some('$'), Some('{')) => self.balanced(2, '{', '}')?,
            (Some('`'), _) => {
                let mut j = 1;
                loop {
                    match self.peek(j) {
                        None => return Err(Unsupported),
                        Some('`') => break,
                        Some(_) => j += 1,
                    }
                }
                let inner: String = (1..j).filter_map(|k| self.peek(k)).collect();
                (inner, j + 1)
            }
            (Some('$'), Some(c)) if c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '*' | '#' | '?' | '$' | '!' | '-') => {
                let mut j = 1;
                if c.is_ascii_alphabetic() || c == '_' {
                    while self.peek(j).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                        j += 1;
                    }
                } else {
                    j = 2;
                }
                (String::new(), j)
            }
            _ => {
                // A lone `$` is literal.
                w.text.push('$');
                self.i += 1;
                return Ok(());
            }
        };
        let raw: String = (0..raw_end).filter_map(|k| self.peek(k)).collect();
        self.i = start + raw_end;
        let normalised = inner.split_whitespace().collect::<Vec<_>>().join(" ");
        let is_command = raw.starts_with("$(") || raw.starts_with('`');
        if let Some((_, value)) = STATIC_SUBSTITUTIONS.iter().find(|(cmd, _)| is_command && *cmd == normalised) {
            w.text.push_str(value);
        } else {
            w.text.push_str(&raw);
            w.dynamic = true;
        }
        Ok(())
    }

    /// The text between `open` (at `skip - 1`) and its matching `close`, and the length consumed.
    fn balanced(&self, skip: usize, open: char, close: char) -> Result<(String, usize), Unsupported> {
        let mut depth = 1;
        let mut j = skip;
        let mut inner = String::new();
        loop {
            match self.peek(j) {
                None => return Err(Unsupported),
                Some(c) if c == open => depth += 1,
                Some(c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok((inner, j + 1));
                    }
                }
                _ => {}
            }
            inner.push(self.peek(j).unwrap_or_default());
            j += 1;
        }
    }
}

/// Ends the word being read: it is the pending redirection's target, or the current command's
/// next word.
fn end_word(word: &mut Option<Word>, commands: &mut [SimpleCommand], pending_redirect: &mut bool) {
    let Some(w) = word.take() else { return };
    let Some(cmd) = commands.last_mut() else { return };
    if *pending_redirect {
        cmd.stdout = Some(w);
        *pending_redirect = false;
    } else {
        cmd.words.push(w);
    }
}

/// Adds a pipeline unless it is empty (`a;`, a blank line), which leaves the previous operator.
fn push_pipeline(out: &mut Vec<Pipeline>, commands: Vec<SimpleCommand>, text: String, operator: &'static str) -> Result<(), Unsupported> {
    if commands.iter().all(|c| c.words.is_empty() && c.stdout.is_none()) {
        return Ok(());
    }
    if commands.iter().any(|c| c.words.first().is_some_and(|w| COMPOUND_KEYWORDS.contains(&w.text.as_str()))) {
        return Err(Unsupported);
    }
    out.push(Pipeline { commands, text, operator: Some(operator) });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(source: &str) -> Vec<Vec<Vec<String>>> {
        parse(source)
            .unwrap()
            .into_iter()
            .map(|p| p.commands.into_iter().map(|c| c.words.into_iter().map(|w| w.text).collect()).collect())
            .collect()
    }

    #[test]
    fn operators_split_pipelines() {
        assert_eq!(
            words("apt-get update && apt-get install -y git; echo 'a b' | tr a b"),
            vec![
                vec![vec!["apt-get", "update"]],
                vec![vec!["apt-get", "install", "-y", "git"]],
                vec![vec!["echo", "a b"], vec!["tr", "a", "b"]],
            ]
        );
    }

    #[test]
    fn each_pipeline_keeps_the_operator_after_it() {
        let operators = |source: &str| parse(source).unwrap().into_iter().map(|p| p.operator).collect::<Vec<_>>();
        assert_eq!(operators("a && b || c; d & e\nf"), [Some("&&"), Some("||"), Some(";"), Some("&"), Some(";"), None]);
        // Empty pipelines (a trailing `;`, a line break after `&&`) are not steps.
        assert_eq!(operators("a &&\n  b;"), [Some("&&"), None]);
        assert_eq!(operators("a | b && c"), [Some("&&"), None]);
    }

    #[test]
    fn pipeline_text_is_kept() {
        let p = parse("cd /pre-build && git fetch origin main  # comment").unwrap();
        assert_eq!(p[0].text, "cd /pre-build");
        assert_eq!(p[1].text, "git fetch origin main");
    }

    #[test]
    fn uname_substitutions_are_static() {
        let p = parse(
            "curl -o /usr/local/bin/pget -L \"https://github.com/replicate/pget/releases/latest/download/pget_$(uname -s)_$(uname -m)\"",
        )
        .unwrap();
        let url = &p[0].commands[0].words[4];
        assert_eq!(url.text, "https://github.com/replicate/pget/releases/latest/download/pget_Linux_x86_64");
        assert!(!url.dynamic);
    }

    #[test]
    fn other_expansions_are_dynamic() {
        let p = parse("wget $MODEL_URL -O /m.bin").unwrap();
        assert!(p[0].commands[0].words[1].dynamic);
        assert_eq!(p[0].commands[0].words[1].text, "$MODEL_URL");
    }

    #[test]
    fn redirections() {
        let p = parse("curl -sL https://x/y.bin > /opt/y.bin 2>&1").unwrap();
        assert_eq!(p[0].commands[0].stdout.as_ref().unwrap().text, "/opt/y.bin");
        assert_eq!(p[0].commands[0].words.len(), 3);
        let p = parse("echo hi 2> /dev/null").unwrap();
        assert!(p[0].commands[0].stdout.is_none());
    }

    #[test]
    fn escapes_and_quotes() {
        assert_eq!(words(r#"echo "a \"b\" \$c" d\ e"#), vec![vec![vec!["echo", "a \"b\" $c", "d e"]]]);
    }

    #[test]
    fn compound_syntax_is_unsupported() {
        assert_eq!(parse("(cd x && make)"), Err(Unsupported));
        assert_eq!(parse("a("), Err(Unsupported));
        assert_eq!(parse("echo )"), Err(Unsupported));
        assert_eq!(parse("for f in *; do echo $f; done"), Err(Unsupported));
        assert_eq!(parse("cat <<EOF"), Err(Unsupported));
        assert_eq!(parse("echo 'unterminated"), Err(Unsupported));
    }
}
