"""`wmconsole`: the console itself, and a scripting command line like RT's `rt`.

`main` holds the root command; one module per group of commands; `options`
what every command shares; `output` every shape they print."""

from console.cli.main import main

__all__ = ["main"]
