"""`python -m screens.bench KIND URL ...`: one measured process."""

import sys

from screens.bench.drive import main

main(sys.argv[1:])
