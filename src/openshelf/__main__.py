"""``python -m openshelf`` = ``openshelf``."""

from openshelf.cli import main

main(prog_name="openshelf")
