"""`python -m lca.cli` (and `python -m lca`) run the command line."""

import sys

from lca.cli import main

sys.exit(main())
