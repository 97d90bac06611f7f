"""Command line: parse arguments, run a pipeline stage, print problems, exit with a documented code.

Exit codes: 0 success; 1 content errors (or warnings under --strict), or a failing disk; 2 usage errors;
70 an internal error (a bug: please report it, and rerun with --debug for the traceback); 141 when
what reads the output closed it early (`| head`), quietly, as a program stopped by SIGPIPE.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import invoked, pipeline, terminal
from .errors import BuildError, ExplainerError, UsageError

if TYPE_CHECKING:
    from .installed import Origin

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
EXIT_PIPE = 141  # what a shell reports for a program that SIGPIPE stopped (128 + 13)
NEW_KINDS = ("source", "fact", "event", "summary")  # `explainer new KIND`; scaffold.py is imported only then
COMMANDS = ("build", "check", "serve", "new", "init", "archive", "schemas")
FORMATS = ("text", "github")

DESCRIPTION = """\
Build a sourced news explainer from site.yaml, content/, seeds/, templates/ and static/.
Run it as `explainer COMMAND` or `python -m explainer COMMAND`, in the project's folder or with --project DIR.

commands:
  build   (default) validate, verify every quote against seeds/, render and write output/
  check   validate and verify without writing anything
  serve   build, serve output/ on 127.0.0.1 and rebuild + live-reload on every edit
  new     start a new entry from a commented template: new source|fact|event|summary
  init    start a new explainer in an empty folder: init DIR (it builds and passes check at once)
  archive add a source: archive FILE --id ID copies FILE (.txt, or the article text of a saved
          .html page) to seeds/ID.txt and appends its entry to content/sources.yaml
  schemas regenerate schemas/*.json (JSON Schema for editors) from explainer/schema.py

exit codes:
  0   success
  1   content errors (or warnings, with --strict), or the disk failed; output/ keeps the previous site
  2   usage errors (bad option; an --output that is not the build's own folder, or cannot be written)
  70  internal error: a bug in the generator; rerun with --debug and report it
  141 the output was closed early (`| head`); the build had finished
"""


def parser(prog: str = "explainer", default_project: str = "the current folder") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="build", choices=COMMANDS, help="what to do (default: build)")
    p.add_argument("target", nargs="?", metavar="KIND|DIR|FILE",
                   help=f"new: what to add ({', '.join(NEW_KINDS)}); init: the folder to create; "
                        "archive: the saved article (a .txt file or an .html page)")
    p.add_argument("--project", type=Path, default=None, metavar="DIR",
                   help=f"the project folder holding site.yaml (default: {default_project})")
    p.add_argument("--output", type=Path, default=None, metavar="DIR",
                   help="where to write the site (default: PROJECT/output)")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="override site.yaml's base_url, e.g. for a staging host")
    p.add_argument("--strict", action="store_true", help="treat warnings (unused facts or sources) as errors")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="how to print problems: text (default) or github (::error annotations for GitHub Actions)")
    p.add_argument("--host", default="127.0.0.1", help="serve: address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="serve: port (default: 8000; 0 picks a free one)")
    p.add_argument("--id", default=None, dest="source_id", metavar="ID", help="archive: the new source's id (a slug)")
    p.add_argument("--retrieved", default=None, metavar="YYYY-MM-DD",
                   help="archive: the day the text was taken (default: today)")
    return p


def base_url_problem(url: str) -> str | None:
    """What is wrong with a --base-url, or None: an http(s) address with a host, nothing else."""
    from urllib.parse import urlsplit

    if not url.startswith(("http://", "https://")):
        return f"must start with http:// or https://, got '{url}'"
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    if not host:
        return f"'{url}' has no host name: give the whole address, e.g. https://example.org/explainer/"
    if any(c.isspace() for c in url):
        return f"'{url}' contains a space: write it as %20, or check what was pasted"
    return None


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    default_project = f"the folder of {invoked.prog()}" if default_root else "the current folder"
    # intermixed: the options may come before, between or after the words, the same for every command
    args = parser(invoked.prog(), default_project).parse_intermixed_args(argv)
    root = (args.project or default_root or Path.cwd()).resolve()
    output = (args.output or root / "output")
    try:
        check_arguments(args)
        if args.command == "init":
            with files_written_by_hand():
                return run_init(Path(args.target))
        if not (root / "site.yaml").exists() and not (root / "content").exists():
            print(f"error: {root} is not an explainer project (no site.yaml or content/)", file=sys.stderr)
            return EXIT_USAGE
        wrong = base_url_problem(args.base_url) if args.base_url is not None else None
        if wrong:
            print(f"error: --base-url {wrong}", file=sys.stderr)
            return EXIT_USAGE
        return run(args, root, output)
    except BuildError as exc:
        report(exc.problems, args.format)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(terminal.failure_summary(errors, len(exc.problems) - errors, terminal.use_colour(sys.stderr)),
              file=sys.stderr)
        return EXIT_CONTENT
    except ExplainerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"    hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `explainer | head -1`: the reader left; the build itself was done by then
        _quiet_stdout()
        return EXIT_PIPE
    except Exception:
        if args.debug:
            import traceback  # only on this rare path: it costs start-up time

            traceback.print_exc()
        else:
            print("internal error: this is a bug in the generator, not in your content.\n"
                  "Rerun with --debug to see the traceback, and please report it.", file=sys.stderr)
        return EXIT_INTERNAL


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not raise (and print) again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def files_written_by_hand() -> Iterator[None]:
    """`init`, `new`, `archive` and `schemas` write into the editor's own folders: a folder or file
    they may not write is the editor's to fix (exit 2, like an --output that cannot be written),
    not a bug in the generator."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise UsageError(f"could not write{where}: {exc.strerror or exc}",
                         "check that you may write there (the folder's owner and permissions), "
                         "or run the command in a folder of your own") from None


def run(args: argparse.Namespace, root: Path, output: Path) -> int:
    if args.command in ("new", "schemas"):
        with files_written_by_hand():
            return run_tooling(args, root)
    if args.command == "archive":
        with files_written_by_hand():
            return run_archive(args, root)
    if args.command == "check":
        project, problems = pipeline.check(root, args.strict)
        report(problems.items, args.format)
        print(f"ok: {len(project.facts)} facts, {len(project.sources)} sources, "
              f"{len(project.events)} timeline events checked; {len(problems.warnings)} warning(s)")
        return EXIT_OK
    if args.command == "serve":
        from .serve import serve  # imported here: the preview's dependencies are not needed to build

        return serve(root, output, host=args.host, port=args.port, base_url=args.base_url,
                     strict=args.strict, debug=args.debug)
    result = pipeline.build(root, output, base_url=args.base_url, strict=args.strict)
    report(result.warnings, args.format)
    p = result.project
    pages = sum(1 for name in result.pages if name.endswith(".html"))
    shown = terminal.display(output, folder=True)
    print(terminal.build_summary(shown, pages, len(p.facts), len(p.sources), len(p.events),
                                 len(result.warnings), result.seconds, terminal.use_colour(sys.stdout)))
    from .offline import report as offline_report  # the offline edition's size, for the README and editors

    for code in p.site.languages:  # each edition's own file (editions.py puts the others under CODE/)
        folder = "" if code == p.site.language else f"{code}/"
        if (line := offline_report(result.pages, code, folder)) is not None:
            print(line)
    return EXIT_OK


def run_tooling(args: argparse.Namespace, root: Path) -> int:
    """Editors' helpers: `new KIND` appends a template entry; `schemas` regenerates schemas/."""
    if args.command == "schemas":
        from .jsonschema import write_schemas

        changed = write_schemas(root)
        for path in changed:
            print(f"wrote {terminal.display(path)}")
        print(f"schemas: {len(changed)} file(s) changed")
        return EXIT_OK
    from . import scaffold

    made = scaffold.new(root, args.target)
    print(f"{terminal.display(made.path)}:{made.line}: added {args.target} '{made.id}'; replace its TODOs "
          "(the build lists each one that is left)")
    return EXIT_OK


def check_arguments(args: argparse.Namespace) -> None:
    """The second word belongs to `new` (a kind), `init` (a folder) and `archive` (a file) only."""
    if args.command == "new" and args.target not in NEW_KINDS:
        got = f"; got '{args.target}'" if args.target else ""
        raise UsageError(f"write 'new KIND' with KIND one of: {', '.join(NEW_KINDS)}{got}")
    if args.command == "init" and not args.target:
        raise UsageError("write 'init DIR': the folder to start the new explainer in")
    if args.command == "archive" and not (args.target and args.source_id):
        raise UsageError("write 'archive FILE --id ID': the saved article and the new source's id")
    if args.command != "archive" and (args.source_id is not None or args.retrieved is not None):
        raise UsageError("'--id' and '--retrieved' belong to 'archive FILE --id ID'")
    if args.command not in ("new", "init", "archive") and args.target is not None:
        raise UsageError(f"'{args.command}' takes no '{args.target}': only 'new KIND' "
                         f"(KIND one of: {', '.join(NEW_KINDS)}), 'init DIR' and 'archive FILE' take a second word")


def run_init(folder: Path) -> int:
    """`init DIR`: a new explainer that builds and passes `check` at once."""
    from . import installed, scaffold

    origin = installed.origin()
    made = scaffold.init(folder, origin)
    print(f"started a new explainer in {terminal.display(folder, folder=True)}: {len(made)} files")
    print(f"next: cd {terminal.display(folder)}, run `{invoked.command_in(folder)} serve` "
          f"and read README.md there{requirements_step(origin)}")
    return EXIT_OK


def requirements_step(origin: Origin) -> str:
    """What is left to do in requirements.txt before CI can install the generator, if anything."""
    if origin.requirement is None:
        return "; before you push, write in requirements.txt where to install the generator from (it says how)"
    if origin.local:
        return "; before you push, replace the file:// address in requirements.txt with one CI can reach"
    return ""


def report(problems: list, fmt: str = "text") -> None:
    """Print each problem: for people (coloured on a terminal), or as GitHub Actions annotations."""
    if fmt == "github":
        for problem in problems:
            print(terminal.github_annotation(problem))
        return
    colour = terminal.use_colour(sys.stderr)
    for problem in problems:
        print(terminal.format_problem(problem.format(), colour), file=sys.stderr)


def run_archive(args: argparse.Namespace, root: Path) -> int:
    """`archive FILE --id ID` (explainer/archive.py): prints the archive's path and the new entry's line."""
    from .archive import archive

    made = archive(root, Path(args.target), args.source_id, args.retrieved)
    print(f"{terminal.display(made.archive)}: archived, sha256 {made.sha256}")
    taken = f" (from the page: {', '.join(made.filled)}; check them)" if made.filled else ""
    print(f"{terminal.display(made.sources)}:{made.line}: added source '{args.source_id}'{taken}; "
          "replace its TODOs (the build lists each one that is left)")
    return EXIT_OK
