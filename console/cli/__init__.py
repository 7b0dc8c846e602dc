"""`wmconsole`: the console itself, and a scripting command line like RT's `rt`."""

from console.cli.main import main

__all__ = ["main"]
