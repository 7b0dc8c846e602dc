"""`wmconsole`: the console itself, and a scripting command line like RT's `rt`.

`main` holds the root command; one module per group of commands; `options`
what every command shares; `output` every shape they print.

Start-up is part of the contract: `wmconsole --help` and every command's parsing
import only click, the standard library and these light modules. The domain
(SQLAlchemy, the models, the reads and operations) and the screens (Textual) are
imported inside the command bodies, when a command runs; keep them there."""

from console.cli.main import main

__all__ = ["main"]
