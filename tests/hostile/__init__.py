"""Hostile input: the attack corpus, file-access escapes, determinism and the REPL's survival."""
