"""The `codeexecutor` command line: one entry point that dispatches to each part's subcommand."""
