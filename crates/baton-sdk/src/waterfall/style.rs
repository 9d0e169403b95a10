//! Colour for the waterfall: ANSI escapes when drawing to a terminal, nothing otherwise.

/// Colours, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    pub(crate) color: bool,
}

/// Bar colours, one per service in order of appearance.
const PALETTE: [&str; 6] = ["36", "35", "34", "33", "32", "96"];

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn service(self, index: usize, text: &str) -> String {
        self.paint(PALETTE[index % PALETTE.len()], text)
    }

    pub(crate) fn error(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub(crate) fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}
