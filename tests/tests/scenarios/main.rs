//! Scenario tests: several real vaults, real files, real processes.
//!
//! Every scenario is a module of this one test binary, so the workspace
//! links one large test executable instead of one per file (linking and
//! re-instantiating the same generic code per binary was most of the test
//! build's time). Run one file's tests with a filter, for example
//! `cargo test -p inwonercloud-tests --test scenarios nat::`.

mod always_opens;
mod app_node;
mod atomic;
mod atomic_review;
mod backup;
mod claims_index;
mod cli_conventions;
mod convergence;
mod crash;
mod discovery;
mod every_euro;
mod gui;
mod gui_b1;
mod gui_confirm;
mod gui_confirm2;
mod gui_devices;
mod gui_discovery;
mod gui_dutch_errors;
mod gui_files;
mod gui_flows;
mod gui_forms;
mod gui_household;
mod gui_informal;
mod gui_join;
mod gui_journey;
mod gui_keys;
mod gui_look;
mod gui_mandate;
mod gui_points;
mod gui_pot;
mod gui_screen_review;
mod gui_screens;
mod headers;
mod household;
mod informal;
mod integrity;
mod lifecycle;
mod mandate;
mod market;
mod nat;
mod node_service;
mod order_independence;
mod owner_devices;
mod partition;
mod points;
mod postbus;
mod postbus_attacks;
mod receipts;
mod review_claims;
mod review_household;
mod second_handles;
mod signatures;
mod simnet;
mod sync_basic;
mod sync_hostile;
mod sync_resume;
mod sync_scenarios;
mod trust;
mod ui;
mod vault_reopen;
mod wijkbudget;
