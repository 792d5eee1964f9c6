//! Any text: parsing never panics; an error's column lies within the text;
//! a plan that parses displays as text that parses back to the same plan.
//!
//!     RUSTC_BOOTSTRAP=1 cargo fuzz run plan_grammar -- -max_total_time=60
#![no_main]

use flakeproof::fault::FaultPlan;
use flakeproof::classify::Os;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for os in [Os::Linux, Os::MacOs, Os::Windows] {
        match FaultPlan::parse_for(os, text) {
            Err(e) => assert!(e.column() >= 1 && e.column() <= text.chars().count() + 1, "{text:?}: {e}"),
            Ok(plan) => {
                let shown = plan.to_string();
                let back = FaultPlan::parse_for(os, &shown).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
                assert_eq!(back, plan, "{text:?} -> {shown:?}");
            }
        }
    }
});
