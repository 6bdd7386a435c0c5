//! Embedded provider simulators (feature `mock`). Work in progress.
