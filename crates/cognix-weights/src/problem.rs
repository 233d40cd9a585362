//! A located problem in weights.lock or cog.yaml: the place, the key path, what is wrong and what
//! to do, rendered as `file:line:column: key: message`.

use cognix_gen::diagnostic::Pos;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    /// The key path (`weights[0].files[2].digest`); empty for the document as a whole.
    pub key: String,
    pub message: String,
}

impl Problem {
    pub fn new(pos: Pos, key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { pos, key: key.into(), message: message.into() }
    }

    /// `file:line:column: key: message`, `file` as the user should see it.
    pub fn render(&self, file: &str) -> String {
        let Pos { line, column } = self.pos;
        if self.key.is_empty() {
            format!("{file}:{line}:{column}: {}", self.message)
        } else {
            format!("{file}:{line}:{column}: {}: {}", self.key, self.message)
        }
    }
}
