//! Helpers of the tests.

pub mod xlsx_xml;
