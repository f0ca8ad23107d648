"""`python -m skinbot`: the `skinbot` command."""

import sys

from skinbot.cli import main

sys.exit(main())
