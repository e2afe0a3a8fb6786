"""One exception root for everything a user can cause (as in mkdocs' ``exceptions.py``).

``OpenShelfError`` is a :class:`click.ClickException`, so a problem raised anywhere below the
command line prints as one clean line (``Error: …``) with the command's exit code and no
traceback; the MkDocs plugin turns it into a ``PluginError``.  Subclasses say which stage the
problem comes from and set the exit code the command documents:

* 1: a problem in the guide or in the input (a curator can fix it);
* 2: a usage or configuration problem (an option, a state or rules file, git).
"""

from __future__ import annotations

import typing

import click


class OpenShelfError(click.ClickException):
    """The root: a problem a user caused and can fix; printed without a traceback."""

    exit_code = 1


class GuideError(OpenShelfError):
    """The guide or an input file cannot be read or is invalid (exit 1)."""

    exit_code = 1


class ConfigError(OpenShelfError):
    """A usage or configuration problem: an option, a state or rules file, git (exit 2)."""

    exit_code = 2


class BuildError(OpenShelfError):
    """The site cannot be built (exit 1)."""

    exit_code = 1


class ConfigProblems(ConfigError):
    """A usage or configuration problem with one line per finding (``file:line:column: …``), printed
    on stderr before the one-line summary (exit 2)."""

    def __init__(self, summary: str, lines: list[str]) -> None:
        super().__init__(summary)
        self.lines = lines

    def show(self, file: typing.IO[typing.Any] | None = None) -> None:
        for line in self.lines:
            click.echo(line, file=file, err=file is None)
        super().show(file)


#: The exit status of a command that Ctrl-C stopped (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class Group(click.Group):
    """The command groups' class: a command that Ctrl-C stops says so and exits 130, not click's "Aborted!" with
    exit 1, which the commands use for a broken link or an invalid guide (``openshelf links`` itself ends a run that
    has begun checking more gently: it keeps and reports what it checked)."""

    def invoke(self, ctx: click.Context) -> typing.Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(INTERRUPTED)
