"""`python cli.py …` in a checkout: the same program as the installed `jixiao`
command and `python -m engine` (the code is `engine.cli`)."""
from engine.cli import main, run  # noqa: F401  (main: the testable entry)

if __name__ == "__main__":
    run()
