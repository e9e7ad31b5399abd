//! Security hardening (issue 15): each module holds the tests for one item.

mod capacity;
mod cert_names;
mod checks;
mod credentials;
mod outbound;
mod readiness_login;
mod refusals;
mod requests;
mod routing_guard;
mod testssl;
