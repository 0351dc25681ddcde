//! The channel.

pub mod schema;
