"""`python -m gradlang`: the same command as `gradlang`."""

from gradlang.cli import main

if __name__ == "__main__":
    main()
