//! Security hardening (issue 15): each module holds the tests for one item.

mod cert_names;
mod refusals;
mod requests;
mod routing_guard;
