"""A throwaway PostgreSQL cluster on a loopback port, for the server's tests.

Debian's `postgresql` package (installed by `.ci/run`) provides `initdb` and `pg_ctl`; the
cluster lives in a temporary folder, trusts local connections, and is stopped at the end of the
session. PostgreSQL refuses to run as root, so under root (CI) it runs as the `postgres` user
that the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support import free_port


def _bin_folder() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError(
            "PostgreSQL is not installed (Debian: apt-get install postgresql); "
            "the server's tests run against it"
        )
    return Path(initdb).parent


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bin: Path

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, stdin=subprocess.DEVNULL)

    @classmethod
    def start(cls) -> PostgresCluster:
        # Its own folder under the system's temporary folder, not pytest's (which is private to
        # the user running the tests, and PostgreSQL may run as another).
        folder = Path(tempfile.mkdtemp(prefix="albumen-postgres-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        cluster = cls(folder=folder, port=free_port(), bin=_bin_folder())
        data = folder / "data"
        cluster._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -k {folder} "
            # a test cluster: durability is not what is tested here
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        cluster._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"
        )
        return cluster

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL (psycopg 3)."""
        name = "albumen_" + uuid.uuid4().hex[:12]
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
