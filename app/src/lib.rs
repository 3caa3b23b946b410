//! Inwonercloud's front ends: the desktop app ([`gui`]) and the command line
//! ([`cli`]), both on top of the vault and sync crates.
//!
//! The binary `inwonercloud` opens the app when it gets no command and runs
//! the command line otherwise. Both front ends talk to the vault only through
//! its public API; the app runs networking on a background thread with its own
//! handle on the same vault file, so the window never waits for the network.
//! [`demo`] builds a small, fully signed example world (a citizen, their
//! counselor, a care provider and the municipality) for first use and for
//! screenshots. [`i18n`] is the language catalogue: every text of the app,
//! the command line and the error messages, in Dutch and English.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod demo;
pub mod gui;
pub mod i18n;

// The error and refusal texts moved into the catalogue; the old paths stay.
pub use i18n::{error_text, refusal_text};
