"""Command line: parse arguments, run a pipeline stage, print problems, exit with a documented code.

Exit codes: 0 success; 1 content errors (or warnings under --strict); 2 usage errors;
70 an internal error (a bug: please report it, and rerun with --debug for the traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import pipeline, terminal
from .errors import BuildError, ExplainerError, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
NEW_KINDS = ("source", "fact", "event", "summary")  # `build.py new KIND`; scaffold.py is imported only then

DESCRIPTION = """\
Build a sourced news explainer from site.yaml, content/, seeds/, templates/ and static/.

commands:
  build   (default) validate, verify every quote against seeds/, render and write output/
  check   validate and verify without writing anything
  serve   build, serve output/ on 127.0.0.1 and rebuild + live-reload on every edit
  new     start a new entry from a commented template: new source|fact|event|summary
  schemas regenerate schemas/*.json (JSON Schema for editors) from explainer/schema.py

exit codes:
  0   success
  1   content errors (or warnings, with --strict); nothing was written
  2   usage errors (bad option, unsafe --output)
  70  internal error: a bug in the generator; rerun with --debug and report it
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="build", choices=("build", "check", "serve", "new", "schemas"),
                   help="what to do (default: build)")
    p.add_argument("kind", nargs="?", choices=NEW_KINDS, help="new: what to add")
    p.add_argument("--project", type=Path, default=None, metavar="DIR",
                   help="the project folder holding site.yaml (default: the folder of build.py)")
    p.add_argument("--output", type=Path, default=None, metavar="DIR",
                   help="where to write the site (default: PROJECT/output)")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="override site.yaml's base_url, e.g. for a staging host")
    p.add_argument("--strict", action="store_true", help="treat warnings (unused facts or sources) as errors")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    p.add_argument("--host", default="127.0.0.1", help="serve: address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="serve: port (default: 8000; 0 picks a free one)")
    return p


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    args = parser().parse_args(argv)
    root = (args.project or default_root or Path.cwd()).resolve()
    output = (args.output or root / "output")
    try:
        if not (root / "site.yaml").exists() and not (root / "content").exists():
            print(f"error: {root} is not an explainer project (no site.yaml or content/)", file=sys.stderr)
            return EXIT_USAGE
        if args.base_url is not None and not args.base_url.startswith(("http://", "https://")):
            print(f"error: --base-url must start with http:// or https://, got '{args.base_url}'", file=sys.stderr)
            return EXIT_USAGE
        return run(args, root, output)
    except BuildError as exc:
        report(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(terminal.failure_summary(errors, len(exc.problems) - errors, terminal.use_colour(sys.stderr)),
              file=sys.stderr)
        return EXIT_CONTENT
    except ExplainerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            import traceback  # only on this rare path: it costs start-up time

            traceback.print_exc()
        else:
            print("internal error: this is a bug in the generator, not in your content.\n"
                  "Rerun with --debug to see the traceback, and please report it.", file=sys.stderr)
        return EXIT_INTERNAL


def run(args: argparse.Namespace, root: Path, output: Path) -> int:
    if args.command in ("new", "schemas") or args.kind:
        return run_tooling(args, root)
    if args.command == "check":
        project, problems = pipeline.check(root, args.strict)
        report(problems.items)
        print(f"ok: {len(project.facts)} facts, {len(project.sources)} sources, "
              f"{len(project.events)} timeline events checked; {len(problems.warnings)} warning(s)")
        return EXIT_OK
    if args.command == "serve":
        from .serve import serve  # imported here: the preview's dependencies are not needed to build

        return serve(root, output, host=args.host, port=args.port, base_url=args.base_url,
                     strict=args.strict, debug=args.debug)
    result = pipeline.build(root, output, base_url=args.base_url, strict=args.strict)
    report(result.warnings)
    p = result.project
    pages = sum(1 for name in result.pages if name.endswith(".html"))
    shown = terminal.display(output, folder=True)
    print(terminal.build_summary(shown, pages, len(p.facts), len(p.sources), len(p.events),
                                 len(result.warnings), result.seconds, terminal.use_colour(sys.stdout)))
    from .offline import report as offline_report  # the offline edition's size, for the README and editors

    if (line := offline_report(result.pages, p.site.language)) is not None:
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
    if args.command != "new" or not args.kind:
        raise UsageError(f"write 'build.py new KIND' with KIND one of: {', '.join(NEW_KINDS)}")
    from . import scaffold

    made = scaffold.new(root, args.kind)
    print(f"{terminal.display(made.path)}:{made.line}: added {args.kind} '{made.id}'; replace its TODOs "
          "(the build lists each one that is left)")
    return EXIT_OK




def report(problems: list) -> None:
    colour = terminal.use_colour(sys.stderr)
    for problem in problems:
        print(terminal.format_problem(problem.format(), colour), file=sys.stderr)

