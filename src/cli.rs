//! Command-line interface (clap): parse, dispatch, exit codes.
