"""A PostgreSQL cluster of a test's (or benchmark's) own, on a free loopback port, to stop and
start under a running app. Needs Debian's PostgreSQL server binaries and PostGIS."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin() -> Path:
    for version in sorted(Path("/usr/lib/postgresql").glob("*"), reverse=True):
        if (version / "bin" / "initdb").exists():
            return version / "bin"
    raise RuntimeError("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin)")


class Cluster:
    """initdb in a temporary folder (as the postgres user when run as root), with PostGIS."""

    def __init__(self) -> None:
        self.bin = _bin()
        self.folder = Path(tempfile.mkdtemp(prefix="border_map_pg_"))
        self.folder.chmod(0o777)
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*self.as_postgres, str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust",
             "-U", "postgres"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.start()
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc",
             "create extension postgis"],
            check=True, timeout=60,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgis://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-s", *args],
            check=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "-l", str(self.folder / "postgres.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m",
             "immediate", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)
