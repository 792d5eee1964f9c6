//! Helpers for the unit tests.

/// An environment-dependent check can't run here: say so and skip, unless
/// `FLAKEPROOF_REQUIRE` (comma-separated, set by CI where the machine is
/// known to have them) names `feature`: then not running is a failure.
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) fn skip(feature: &str, why: &str) {
    let required = std::env::var("FLAKEPROOF_REQUIRE").unwrap_or_default();
    if required.split(',').any(|f| f.trim() == feature) {
        panic!("{feature} is required here (FLAKEPROOF_REQUIRE) but: {why}");
    }
    eprintln!("SKIPPED ({feature}): {why}");
}
