"""python -m qingdao_groups.bench --scale city|province|nation (what `make bench` runs)."""

import argparse
import shutil
import sys

from qingdao_groups.bench import config, report
from qingdao_groups.bench.runner import (
    run,
    run_only_exports,
    run_only_ledgers,
    run_only_reports,
    write,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qingdao_groups.bench")
    parser.add_argument("--scale", choices=config.SCALES, default="city")
    parser.add_argument(
        "--no-write", action="store_true", help="print the summary, leave the files alone"
    )
    parser.add_argument(
        "--only",
        choices=("exports", "ledgers", "reports"),
        help="run one phase alone; its figures replace only its own in bench/results.json",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="PART",
        help="measure only the pages whose key (name:role) or path contains a PART, against F "
        "(no ledgers, reports or exports); prints their table, writes no file",
    )
    args = parser.parse_args(argv)
    if args.pages and args.only:
        parser.error("--pages and --only do not go together")
    if args.only == "exports":
        figures = run_only_exports(args.scale)
    elif args.only == "ledgers":
        figures = run_only_ledgers(args.scale)
    elif args.only == "reports":
        figures = run_only_reports(args.scale)
    elif shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk (make bench installs it)", file=sys.stderr)
        return 2
    else:
        figures = run(args.scale, only_pages=args.pages)
    if args.pages:
        print(report.render_tables({args.scale: figures}))
    elif not args.no_write:
        write(args.scale, figures, partial=bool(args.only))
    print(report.summary_line(args.scale, figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
