"""The bundle's one executable, `albumen`: the app and its commands (albumen.cli), and, when its
first argument is `albumen-server`, the sharing server itself. A PyInstaller bundle has no Python
to run `python -m albumen_server.cli` with, so the embedded server is started this way instead
(albumen.embedded.server_command)."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    # The server renders pictures in a child process (albumen_server.prerender), which a frozen
    # bundle starts by running itself again: this hands that run to multiprocessing.
    multiprocessing.freeze_support()
    if sys.argv[1:2] == ["albumen-server"]:
        from albumen_server.cli import main as server_main

        return server_main(sys.argv[2:])
    from albumen.cli import main as albumen_main

    return albumen_main()


if __name__ == "__main__":
    sys.exit(main())
