"""`python -m arm_emulator` is the `arm-emulator` command."""

from .cli import main

raise SystemExit(main())
