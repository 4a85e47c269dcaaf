"""`python -m tools`: the `tryggest` command."""

from tools.cli import main

raise SystemExit(main())
