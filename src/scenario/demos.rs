//! The built-in demos: `demos/*.toml`, embedded in the binary so that
//! `chanviz demo NAME` works from any folder. Only data and lookup here.

use super::spec::{self, Scenario, ScenarioError};

/// One built-in demo: its name and its TOML source.
#[derive(Clone, Copy, Debug)]
pub struct Demo {
    /// The name given to `chanviz demo`.
    pub name: &'static str,
    /// The TOML text of `demos/NAME.toml`.
    pub source: &'static str,
}

impl Demo {
    /// The path shown in error messages: `demos/NAME.toml`.
    pub fn file(&self) -> String {
        format!("demos/{}.toml", self.name)
    }

    /// Whether the demo is a lesson: its script talks to the class (`say`,
    /// `ask`). `false` for a demo that does not parse.
    pub fn is_lesson(&self) -> bool {
        self.scenario()
            .is_ok_and(|s| s.script.iter().any(|step| step.teaches()))
    }

    /// Parse and validate this demo.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        spec::parse(&self.file(), self.name, self.source)
    }
}

/// `Demo`s named after their files in `demos/`.
macro_rules! demos {
    ($($name:literal),* $(,)?) => {
        &[$(Demo {
            name: $name,
            source: include_str!(concat!("../../demos/", $name, ".toml")),
        }),*]
    };
}

/// Every built-in demo, in the order `chanviz demo --list` shows them.
pub const DEMOS: &[Demo] = demos![
    "spsc",
    "mpsc",
    "mpmc",
    "backpressure",
    "idle-consumers",
    "shutdown",
    "burst",
    "one-slot",
    "drop-close",
    "load-swing",
    "lesson-backpressure",
    "lesson-shutdown",
];

/// The demo called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|d| d.name == name)
}

/// The names of all demos, comma-separated (for error messages).
pub fn names() -> String {
    DEMOS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_parses_and_is_named_after_its_file() {
        for demo in DEMOS {
            let s = demo
                .scenario()
                .unwrap_or_else(|e| panic!("demo {} is invalid: {e}", demo.name));
            assert_eq!(s.name, demo.name);
            assert!(
                !s.description.is_empty(),
                "{} has no description",
                demo.name
            );
        }
    }

    #[test]
    fn find_knows_every_demo_and_nothing_else() {
        for demo in DEMOS {
            assert_eq!(find(demo.name).map(|d| d.name), Some(demo.name));
        }
        assert!(find("nope").is_none());
    }
}
