"""``python -m autoir_agent``: the same as the ``autoir-agent`` command."""

import sys

from autoir_agent.cli import main

sys.exit(main())
