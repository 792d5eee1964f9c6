// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `wasmer-cli` 7.5.0
// (https://static.crates.io/crates/wasmer-cli/wasmer-cli-7.5.0.crate), file `src/commands/journal/filter.rs`.
// Licence: MIT (see ../licences/wasmer-cli-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl CliCommand for CmdJournalFilter {
    type Output = ();

    fn run(self) -> Result<(), anyhow::Error> {
        // Create a new file name that will be the temp new file
        // while its written
        let mut temp_filename = self
            .target_path
            .file_name()
            .ok_or_else(|| {
                anyhow::format_err!(
                    "The path is not a valid filename - {}",
                    self.target_path.to_string_lossy()
                )
            })?
            .to_string_lossy()
            .to_string();
        temp_filename.insert_str(0, ".staging.");
        let temp_path = self.target_path.with_file_name(&temp_filename);
        std::fs::remove_file(&temp_path).ok();

        // Load the source journal and the target journal (in the temp location)
        let source = LogFileJournal::new(self.source_path)?;
        let target = LogFileJournal::new(temp_path.clone())?;

        // Put a filter on the farget
        let mut builder = FilteredJournalBuilder::new();
        for filter in self.filters {
            builder = match filter {
                FilterOut::Memory => builder.with_ignore_memory(true),
                FilterOut::Threads => builder.with_ignore_threads(true),
                FilterOut::FileSystem => builder.with_ignore_fs(true),
                FilterOut::Core => builder.with_ignore_core(true),
                FilterOut::Snapshots => builder.with_ignore_snapshots(true),
                FilterOut::Networking => builder.with_ignore_networking(true),
            }
        }
        let target = builder.build(target);

        // Copy the journal over and rename the temp file to the target file
        copy_journal(&source, &target)?;
        drop(target);
        std::fs::rename(temp_path, self.target_path.clone())?;

        // Now print the outcome
        let journal = LogFileJournal::new(&self.target_path)?;
        let printer = PrintingJournal::default();
        copy_journal(&journal, &printer)?;
        Ok(())
    }
}
