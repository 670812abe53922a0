//! Filings' queries: placeholder while the rules land.
