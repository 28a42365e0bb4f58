"""PostgreSQL and Redis servers: throw-away ones on loopback for ``make cluster`` and tests,
and the database host of a cluster across machines (on its ``BIND_HOST``, a password).

``make cluster`` shares conversations and requests in PostgreSQL and locks in Redis. When
``DATABASE_URL`` / ``REDIS_URL`` are set those servers are used; otherwise these classes
start Debian's binaries on a free loopback port: PostgreSQL 15 from the image
(``/usr/lib/postgresql/15/bin``), redis-server from ``make cluster-deps``. PostgreSQL
refuses to run as root, so as root it runs as the ``postgres`` user (``setpriv``) in a
data folder that user owns. Redis keeps nothing on disk: locks only matter while the
servers run. Both stop with their owner (context managers), and nothing is left behind
for a test run when ``keep_data`` is off.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from settings import LOOPBACK
from stack.ports import free_port
from stack.processes import StackError

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = Path("/usr/bin/redis-server")
POSTGRES_SUPERUSER = "postgres"  # the database role; also the OS user when run as root
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
POLL_S = 0.1


class ServiceError(StackError):
    """A database server did not start; the message says why or where its log is."""


def accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"server on port {port} exited; see {log}")
        if accepts_connections(host, port):
            return
        time.sleep(POLL_S)
    raise ServiceError(f"server on port {port} not ready in {READY_TIMEOUT_S:.0f} s; see {log}")


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM (PostgreSQL's 'smart' shutdown is too polite: SIGINT is 'fast')."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL will not run as root: as root, run it as the ``postgres`` OS user.

    ``setpriv`` changes user and then execs the program, so the server is the process
    started (``runuser`` stays as a parent that does not pass a stop on cleanly).
    """
    if os.geteuid() != 0:
        return argv
    user = f"--reuid={POSTGRES_SUPERUSER}", f"--regid={POSTGRES_SUPERUSER}", "--init-groups"
    return ["setpriv", *user, "--", *argv]


def give_to_postgres(folder: Path) -> None:
    """As root, the ``postgres`` OS user must own what the server (or initdb) writes or
    reads: its data folder, the password file."""
    if os.geteuid() == 0:
        user = pwd.getpwnam(POSTGRES_SUPERUSER)
        os.chown(folder, user.pw_uid, user.pw_gid)


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in ``data_dir`` listening on ``host``:``port`` (TCP only).

    ``durable`` off (tests) turns fsync off: a crash of the machine would lose data, but a
    test's database is thrown away anyway and the run is quicker. With a ``password``
    (a database host other machines reach) every TCP connection must give it; without
    one, only loopback connects, trusted like the SQLite files' permissions.
    """

    data_dir: Path
    port: int
    log_path: Path
    durable: bool = True
    process: subprocess.Popen | None = None
    host: str = LOOPBACK
    password: str | None = None

    @property
    def url(self) -> str:
        secret = f":{self.password}" if self.password else ""
        return f"postgresql://{POSTGRES_SUPERUSER}{secret}@{self.host}:{self.port}/postgres"

    def initialise(self) -> None:
        """Create the cluster once; a data folder from an earlier run is reused."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        give_to_postgres(self.data_dir)
        argv = [str(POSTGRES_BIN / "initdb"), "-D", str(self.data_dir), "-U", POSTGRES_SUPERUSER]
        argv += ["--encoding=UTF8", "--locale=C"]
        with tempfile.NamedTemporaryFile("w", prefix="jessops-pw-") as secret:
            secret.write(self.password or "")
            secret.flush()
            give_to_postgres(Path(secret.name))  # mode 600, readable by initdb only
            argv += self._authentication(secret.name)
            done = subprocess.run(
                as_postgres_user(argv), capture_output=True, text=True, check=False
            )
        if done.returncode != 0:
            # Most often: a folder above the data folder that the postgres user cannot enter.
            raise ServiceError(f"initdb failed in {self.data_dir}: {done.stderr.strip()}")
        if self.password:
            # initdb's rules name loopback only; other hosts connect with the password.
            with (self.data_dir / "pg_hba.conf").open("a") as rules:
                rules.write("host all all all scram-sha-256\n")

    def _authentication(self, password_file: str) -> list[str]:
        """initdb's options: trust without a password (loopback only), else the password
        (from a file, so it is never on a command line) for every TCP connection."""
        if not self.password:
            return ["--auth=trust"]
        return ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}"]

    def command(self) -> list[str]:
        """The server in the foreground, TCP on ``host`` only (no Unix socket to place)."""
        settings = [f"listen_addresses={self.host}", f"port={self.port}"]
        settings += ["unix_socket_directories="]
        if not self.durable:
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        argv = [str(POSTGRES_BIN / "postgres"), "-D", str(self.data_dir)]
        for setting in settings:
            argv += ["-c", setting]
        return as_postgres_user(argv)

    def accepting_queries(self) -> bool:
        """The port opens before recovery ends; pg_isready says when queries are taken."""
        ready = [str(POSTGRES_BIN / "pg_isready"), "-h", self.host, "-p", str(self.port), "-q"]
        return subprocess.run(ready, check=False).returncode == 0

    def start(self) -> None:
        self.initialise()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.host, self.port, self.process, self.log_path)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.accepting_queries():
            if time.monotonic() > deadline:
                raise ServiceError(f"PostgreSQL not accepting queries; see {self.log_path}")
            time.sleep(POLL_S)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@dataclass
class RedisServer:
    """redis-server on ``host``:``port``, keeping nothing on disk; with a ``password``
    (a database host other machines reach), clients must give it."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    host: str = LOOPBACK
    password: str | None = None

    @property
    def url(self) -> str:
        secret = f":{self.password}" if self.password else ""
        return f"redis://{secret}{'@' if secret else ''}{self.host}:{self.port}/0"

    def command(self) -> list[str]:
        if not REDIS_SERVER.exists():
            raise ServiceError(f"{REDIS_SERVER} is missing: run `make cluster-deps`")
        argv = [str(REDIS_SERVER), "--bind", self.host, "--port", str(self.port)]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        # The password is on redis-server's command line, seen by `ps` on the database
        # host only; clients send it in AUTH.
        return [*argv, "--requirepass", self.password] if self.password else argv

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.host, self.port, self.process, self.log_path)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@contextmanager
def postgres(
    data_dir: Path | None = None, log_dir: Path | None = None, durable: bool = True
) -> Iterator[PostgresServer]:
    """A running PostgreSQL; without ``data_dir``, in a temporary folder removed after."""
    scratch = None if data_dir else Path(tempfile.mkdtemp(prefix="jessops-pg-"))
    if scratch:
        give_to_postgres(scratch)  # the postgres user must reach into it
    folder = data_dir or scratch / "data"
    log_path = (log_dir or folder.parent) / "postgres.log"
    server = PostgresServer(folder, free_port(), log_path, durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def redis(log_dir: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), log_dir / "redis.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()
