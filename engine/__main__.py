"""`python -m engine …`: the jixiao command line."""
from engine.cli import run

run()
