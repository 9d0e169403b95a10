//! Colour for the waterfall: ANSI escapes when drawing to a terminal, nothing otherwise.

/// Colours, or none, and the width of the bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    pub(crate) color: bool,
    /// Characters in the bar area.
    pub(crate) bar_width: usize,
}

/// The bar width off a terminal (files, pipes, CI logs): stable, whatever the reader's width.
pub(crate) const PLAIN_BAR_WIDTH: usize = 40;

impl Style {
    /// Plain text with the default bar width.
    pub(crate) fn plain() -> Self {
        Style {
            color: false,
            bar_width: PLAIN_BAR_WIDTH,
        }
    }

    /// For a terminal `columns` wide (from `COLUMNS`, when the shell exports it): the bars
    /// take what the service, name and duration columns leave, 20 to 100 characters.
    pub(crate) fn terminal(color: bool, columns: Option<usize>) -> Self {
        let bar_width = columns.map_or(PLAIN_BAR_WIDTH, |c| c.saturating_sub(80).clamp(20, 100));
        Style { color, bar_width }
    }
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
