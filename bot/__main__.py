"""`python -m bot`: the `yalu` command, for when the console script is not on PATH."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
