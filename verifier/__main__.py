"""`python -m verifier [--host H] [--port P]`: the verifier alone, no database (what `badgeline verifier` runs)."""

from __future__ import annotations

import argparse

from verifier.serving import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m verifier", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--threads", type=int, default=8, help="worker threads per process (default 8)")
    parser.add_argument("--processes", type=int, default=1,
                        help="processes sharing the port, e.g. one per core (default 1)")
    args = parser.parse_args(argv)
    print(f"verifier on http://{args.host}:{args.port}/ with {args.processes} process(es) (Ctrl-C to stop)",
          flush=True)
    serve(host=args.host, port=args.port, threads=args.threads, processes=args.processes)


if __name__ == "__main__":
    main()
