"""Throw-away PostgreSQL clusters for the tests and benchmarks: initdb and pg_ctl from Debian's
postgresql package, in a temporary folder, run as an unprivileged user (PostgreSQL refuses root:
when run as root the cluster belongs to the `postgres` user, or FINSHIELD_PG_USER), reached over
a Unix socket in that folder (and, with tcp=True, a free loopback port), trust authentication.
Removed by stop().

As a program (CTest's fixture for the pg.* tests):
  pgcluster.py start STATE_FILE   starts a cluster, writes its folder and base URL to STATE_FILE
  pgcluster.py stop STATE_FILE    stops it and removes the folder and STATE_FILE
Tests read the base URL (a database name is appended) from FINSHIELD_TEST_PG_URL_FILE."""
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

USER = "finshield"  # the cluster's superuser


def bindir():
    """The newest installed PostgreSQL's bin folder, or None."""
    env = os.environ.get("FINSHIELD_PG_BINDIR")
    if env:
        return env if os.path.exists(os.path.join(env, "initdb")) else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def available():
    return bindir() is not None


def _owner():
    """(uid, gid) the server runs as: ours, or an unprivileged user's when we are root."""
    if os.getuid() != 0:
        return None
    name = os.environ.get("FINSHIELD_PG_USER", "postgres")
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    """One PostgreSQL server in a temporary folder. settings: extra postgresql.conf lines."""

    def __init__(self, folder=None, tcp=False, durable=False, settings=(), port=None):
        self.bin = bindir()
        if not self.bin:
            raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
        self.dir = folder or tempfile.mkdtemp(prefix="finshield-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = port or (_free_port() if tcp else 5432)
        self.tcp = tcp
        self.durable = durable
        self.settings = list(settings)
        self.owner = _owner()
        if self.owner:
            os.chown(self.dir, *self.owner)
        os.chmod(self.dir, 0o700)

    def _run(self, *args, check=True, timeout=120):
        kw = {}
        if self.owner:
            kw = {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}
        p = subprocess.run([os.path.join(self.bin, args[0]), *args[1:]], capture_output=True,
                           text=True, timeout=timeout, cwd=self.dir, **kw)
        if check and p.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({p.returncode}): {p.stdout}{p.stderr}")
        return p

    def conf_lines(self):
        lines = [
            f"port = {self.port}",
            f"unix_socket_directories = '{self.dir}'",
            f"listen_addresses = '{'127.0.0.1' if self.tcp else ''}'",
            "max_connections = 400",
            "shared_buffers = 128MB",
            "log_min_messages = warning",
            "logging_collector = off",
        ]
        if not self.durable:
            # A throw-away cluster: nothing needs to survive a crash of the machine.
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        return lines + self.settings

    def init(self):
        self._run("initdb", "-D", self.data, "-U", USER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "--no-instructions")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\n".join(self.conf_lines()) + "\n")
        if self.tcp:
            with open(os.path.join(self.data, "pg_hba.conf"), "a") as f:
                f.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def standby_of(self, primary, name="standby1"):
        """Makes this (not initialised) cluster a streaming standby of primary (pg_basebackup -R:
        standby.signal and primary_conninfo), named `name` for synchronous_standby_names."""
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", USER,
                  "-D", self.data, "-R", "-X", "stream", "-c", "fast", timeout=300)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            # this server's own port and socket (the primary's lines were copied), and what it
            # needs once promoted: no synchronous standby of its own to wait for
            f.write("\n".join(self.conf_lines() + ["synchronous_standby_names = ''"]) + "\n")
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write(f"primary_conninfo = 'host=127.0.0.1 port={primary.port} user={USER} "
                    f"application_name={name}'\n")
        return self

    def promote(self):
        self._run("pg_ctl", "-D", self.data, "-w", "-t", "60", "promote")

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
                  "-t", "60", "start")
        return self

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def kill(self):
        """Ends the server at once (SIGKILL to the postmaster; children exit with it)."""
        pidfile = os.path.join(self.data, "postmaster.pid")
        if os.path.exists(pidfile):
            with open(pidfile) as f:
                pid = int(f.readline())
            os.kill(pid, 9)
            for _ in range(600):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname="postgres", **params):
        """A libpq URL for a database of this cluster."""
        q = dict(params)
        if self.tcp:
            return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}" + (
                "?" + urllib.parse.urlencode(q) if q else "")
        q = {"host": self.dir, "port": str(self.port), **q}
        return f"postgresql://{USER}@/{dbname}?" + urllib.parse.urlencode(q)

    def psql(self, sql, dbname="postgres", check=True):
        """Runs sql with psql; returns its output (unaligned, tuples only)."""
        p = subprocess.run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t",
                            "-v", "ON_ERROR_STOP=1", "-d", self.url(dbname), "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr}")
        return p.stdout


def psql_url(url, sql, check=True):
    """Runs sql with psql against a libpq URL; returns its output (unaligned, tuples only)."""
    b = bindir()
    p = subprocess.run([os.path.join(b, "psql") if b else "psql", "-X", "-q", "-A", "-t",
                        "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr}")
    return p.stdout


def with_dbname(base, dbname):
    """base (a URL of this module, any database) with another database name."""
    u = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, u.fragment))


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__)
        return 2
    state = argv[2]
    if argv[1] == "start":
        if os.path.exists(state):  # left by an interrupted run
            main([argv[0], "stop", state])
        c = Cluster().init().start()
        with open(state, "w") as f:
            json.dump({"dir": c.dir, "url": c.url(), "bin": c.bin}, f)
        print("PostgreSQL test cluster in %s: %s" % (c.dir, c.url()))
        return 0
    try:
        with open(state) as f:
            st = json.load(f)
    except FileNotFoundError:
        return 0
    c = Cluster.__new__(Cluster)
    c.bin, c.dir, c.owner = st["bin"], st["dir"], _owner()
    c.data = os.path.join(c.dir, "data")
    c.remove()
    os.remove(state)
    print("PostgreSQL test cluster %s removed" % st["dir"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
