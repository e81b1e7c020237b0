"""`python -m runegate` runs the CLI."""

from runegate.cli.__main__ import main

main()
