//! The code `flakeproof scan` suggests for a shell-script stub, verbatim
//! (scan/tests/scan/rules.rs checks each line below is what the scanner
//! prints), built and run against flakeproof: a suggestion that doesn't
//! compile fails here.

use flakeproof::fake::{ArgMatch, FakeDir, Reply};

#[test]
fn a_derived_answer_compiles_and_answers() -> Result<(), Box<dyn std::error::Error>> {
    let fakes = FakeDir::new()?;
    fakes.fake("editor").otherwise(Reply::exit(3).with_stdout("edited\n")).install()?;
    let out = fakes.command("editor").output()?;
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(3), &b"edited\n"[..]));
    Ok(())
}

#[test]
fn the_shape_of_a_rule_compiles_once_filled_in() -> Result<(), Box<dyn std::error::Error>> {
    let fakes = FakeDir::new()?;
    // The suggestion, with its `..` filled in:
    // let fake = fakes.fake("gh").install()?; fake.when(ArgMatch::exact([..])).reply(Reply::stdout(..))?;
    let fake = fakes.fake("gh").install()?;
    fake.when(ArgMatch::exact(["pr", "list"])).reply(Reply::stdout("none\n"))?;
    let out = fakes.command("gh").args(["pr", "list"]).output()?;
    assert_eq!(out.stdout, b"none\n");
    Ok(())
}
