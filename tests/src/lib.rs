//! Scenario test helpers.
