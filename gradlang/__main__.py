"""`python -m gradlang`: the same command as `gradlang` (a plain `run` without click)."""

from gradlang.cli_fast import main

if __name__ == "__main__":
    main()
