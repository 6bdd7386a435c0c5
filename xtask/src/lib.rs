//! `cargo xtask codegen [--check]`: every spec in `openapi/` becomes a typed client
//! in `sdk/src/generated/`, through a validating pre-pass and progenitor.
//! `cargo xtask conformance`: specs, simulators and requests checked by Spectral,
//! Schemathesis and Prism.
//! `cargo xtask bench`: runs `userbridge-bench` (see [`bench`]).

pub mod bench;
pub mod codegen;
pub mod conformance;
pub mod generate;
pub mod postpass;
pub mod prepass;
pub mod spec;
