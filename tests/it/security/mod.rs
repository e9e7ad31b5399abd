//! Security hardening (issue 15): each module holds the tests for one item.

mod routing_guard;
