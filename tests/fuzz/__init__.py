"""Fuzzing: programs generated from the grammar and mutations of the examples."""
