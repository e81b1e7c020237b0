"""The `runegate` command line."""
