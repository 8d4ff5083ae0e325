"""Helpers for integration tests: a real finshield hub in a temporary folder, started with
`finshield serve` on a free loopback port, and driven over HTTP with the standard library."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

BIN = os.path.abspath(os.environ.get("FINSHIELD_BIN", "build/finshield"))
ENV = dict(os.environ, FINSHIELD_LANG=os.environ.get("FINSHIELD_LANG", "en"))

# The storage backend the tests run on: sqlite (default), or postgresql for CTest's pg.* runs,
# whose throw-away cluster (pgcluster.py) is described by the file FINSHIELD_TEST_PG_URL_FILE
# names. Each hub then gets a database of its own in that cluster, dropped by cleanup().
BACKEND = os.environ.get("FINSHIELD_TEST_BACKEND", "sqlite")
PG = BACKEND == "postgresql"


def pg_base_url():
    """The test cluster's URL (of its postgres database)."""
    with open(os.environ["FINSHIELD_TEST_PG_URL_FILE"]) as f:
        return json.load(f)["url"]


def new_store_config(sqlite=False):
    """(INI [store] section for a new hub, database URL or None) on the backend under test (on
    SQLite whatever it is with sqlite=True)."""
    if not PG or sqlite:
        return "", None
    import uuid as _uuid
    from pgcluster import with_dbname
    url = with_dbname(pg_base_url(), "fs_" + _uuid.uuid4().hex[:16])
    return "[store]\nbackend = postgresql\nurl = %s\n" % url, url


def drop_database(url):
    """Drops a hub's PostgreSQL database (its nodes stopped or not)."""
    from pgcluster import psql_url, with_dbname
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    psql_url(with_dbname(url, "postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
             check=False)


def run(*args, input=None, env=None, check=False):
    """Runs the finshield binary; returns the CompletedProcess (text mode)."""
    p = subprocess.run([BIN, *args], input=input, capture_output=True, text=True,
                       env=env or ENV, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"finshield {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


class Hub:
    """A hub in a temporary folder. `config` is INI text written to finshield.ini."""

    def __init__(self, config="", init_args=(), sqlite=False, url=None):
        """sqlite: on SQLite whatever the backend under test; url: on that PostgreSQL database
        (made by init, left at cleanup: a test's own cluster)."""
        self.dir = tempfile.mkdtemp(prefix="finshield-it-")
        self.store_config, self.db_url = new_store_config(sqlite)
        if url:
            self.store_config = "[store]\nbackend = postgresql\nurl = %s\n" % url
        if self.store_config:
            self.write_config("")
        p = run("init", "--data", self.dir, *init_args)
        if p.returncode != 0:
            raise AssertionError(f"init failed: {p.stderr}")
        self.admin_token = p.stdout.strip()
        base = "[auth]\nargon2 = interactive\n[http]\naccess_log = %s/access.log\n" % self.dir
        self.write_config(base + config)
        self.proc = None
        self.url = None
        self.stderr_path = os.path.join(self.dir, "serve.stderr")

    def write_config(self, text):
        """Writes finshield.ini, and after it the [store] section of the backend under test (the
        text's lines keep their numbers)."""
        if text and not text.endswith("\n"):
            text += "\n"
        with open(os.path.join(self.dir, "finshield.ini"), "w") as f:
            f.write(text + self.store_config)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def cli(self, *args, **kw):
        return run(args[0], *args[1:], "--data", self.dir, **kw) if args else None

    def start(self, listen="127.0.0.1:0", extra=()):
        err = open(self.stderr_path, "a")
        self.proc = subprocess.Popen([BIN, "serve", "--data", self.dir, "--listen", listen, *extra],
                                     stdout=subprocess.PIPE, stderr=err, text=True, env=ENV)
        err.close()  # the child has its own descriptor
        line = self.proc.stdout.readline()
        m = re.search(r"(https?://\S+?)/? ", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"serve did not start: {line!r} {open(self.stderr_path).read()}")
        self.url = m.group(1).rstrip("/")
        return self

    @classmethod
    def existing(cls, folder):
        """A hub on a folder made otherwise (`finshield demo --no-serve`): no init, its
        configuration as it is, and no administrator's token."""
        h = cls.__new__(cls)
        h.dir, h.proc, h.url, h.admin_token = folder, None, None, None
        h.store_config, h.db_url = "", None  # the store its configuration names, left as it is
        h.stderr_path = os.path.join(folder, "serve.stderr")
        return h

    def stop(self):
        """Stops with SIGTERM and returns the exit status (0 means no leak under ASan)."""
        if not self.proc:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=60)
        finally:
            self.proc.stdout.close()
            self.proc = None
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def cleanup(self):
        if self.proc:
            self.stop()
        if self.db_url:
            drop_database(self.db_url)
        shutil.rmtree(self.dir, ignore_errors=True)

    def node(self):
        """Another node of this hub (PostgreSQL): a data folder of its own with the same secrets
        and configuration, serving the same database. Its cleanup leaves the database."""
        n = Hub.__new__(Hub)
        n.dir = tempfile.mkdtemp(prefix="finshield-node-")
        shutil.copytree(self.path("secrets"), os.path.join(n.dir, "secrets"))
        shutil.copy(self.path("finshield.ini"), os.path.join(n.dir, "finshield.ini"))
        if os.path.isdir(self.path("tls")):
            shutil.copytree(self.path("tls"), os.path.join(n.dir, "tls"))
        n.store_config, n.db_url = self.store_config, None
        n.admin_token = self.admin_token
        n.proc, n.url = None, None
        n.stderr_path = os.path.join(n.dir, "serve.stderr")
        return n

    def db(self):
        """A connection to the hub's database for tests that change it behind the hub's back:
        sqlite3's, or the same few calls over psql on PostgreSQL (PgDb)."""
        if self.db_url:
            return PgDb(self.db_url)
        import sqlite3
        return sqlite3.connect(self.path("hub.db"))

    def close(self):
        """Stops the hub, removes its folder, and fails when serve did not exit with 0 (a leak
        under the sanitizers, or a crash): a test class's tearDownClass."""
        rc = self.stop()
        self.cleanup()
        assert rc == 0, f"serve exited with {rc} (leak or crash?)"

    def request(self, method, path, token=None, body=None, headers=None, raw=None, basic=None):
        url = self.url + path
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        if basic:
            h["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        ctx = ssl._create_unverified_context() if url.startswith("https") else None
        try:
            with urllib.request.urlopen(req, timeout=60, context=ctx) as r:
                return Response(r.status, dict(r.headers), r.read().decode())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read().decode())

    def admin(self, method, path, body=None, **kw):
        return self.request(method, path, token=self.admin_token, body=body, **kw)


class PgRow(tuple):
    """A row read by PgDb: by position, or by column name like sqlite3.Row."""

    def __new__(cls, names, values):
        r = super().__new__(cls, values)
        r._names = names
        return r

    def __getitem__(self, k):
        return super().__getitem__(self._names.index(k) if isinstance(k, str) else k)

    def keys(self):
        return list(self._names)


class PgCursor:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def sql_bind(sql, params):
    """sql with each ? outside quotes replaced by the next parameter as a literal."""
    out, it, quote = [], iter(params), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append(sql_literal(next(it)))
        else:
            out.append(ch)
    return "".join(out)


class PgDb:
    """The sqlite3 calls the tests make on hub.db, for a hub on PostgreSQL: each statement runs
    at once through psql (autocommit; commit() does nothing). Rows of a SELECT keep their types
    (read as JSON)."""
    row_factory = None

    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=()):
        from pgcluster import psql_url
        text = sql_bind(sql, params)
        if not text.lstrip().upper().startswith(("SELECT", "WITH")):
            psql_url(self.url, text)
            return PgCursor([])
        out = psql_url(self.url, "SELECT json_agg(row_to_json(q)) FROM (%s) q" % text).strip()
        rows = json.loads(out) if out else None
        return PgCursor([PgRow(list(r.keys()), list(r.values())) for r in rows or []])

    def columns(self, table):
        return [r[0] for r in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", (table,))]

    def commit(self):
        pass

    def close(self):
        pass


class hold_write_lock:
    """Context: another client holds the hub's write lock (SQLite: an exclusive transaction on
    hub.db; PostgreSQL: a session holding the advisory lock of write transactions)."""

    def __init__(self, hub):
        self.hub = hub

    def __enter__(self):
        if self.hub.db_url:
            from pgcluster import bindir
            self.proc = subprocess.Popen([os.path.join(bindir(), "psql"), "-X", "-q", "-A", "-t",
                                          "-d", self.hub.db_url], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
            self.proc.stdin.write("BEGIN; SELECT pg_advisory_xact_lock(%s); SELECT 'held';\n"
                                  % PG_WRITER_LOCK)
            self.proc.stdin.flush()
            while self.proc.stdout.readline().strip() != "held":
                pass
        else:
            import sqlite3
            # (waits for the lock: the hub's checkpointer may hold it for a moment)
            self.db = sqlite3.connect(self.hub.path("hub.db"), isolation_level=None, timeout=10)
            self.db.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        if self.hub.db_url:
            self.proc.stdin.write("ROLLBACK;\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
            self.proc.stdout.close()
        else:
            self.db.execute("ROLLBACK")
            self.db.close()
        return False


# The advisory lock every write transaction takes on PostgreSQL (src/store/postgres.c).
PG_WRITER_LOCK = 7379238441893749100


def table_columns(db, table):
    """The column names of a table, on either backend."""
    if isinstance(db, PgDb):
        return db.columns(table)
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def free_port(kind=None):
    """A loopback port free for now (TCP, or socket.SOCK_DGRAM for UDP)."""
    import socket
    s = socket.socket(socket.AF_INET, kind or socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sector(hub, members=("bank-a", "bank-b"),
           users=(("a1", "bank-a", "member-analyst"), ("b1", "bank-b", "member-analyst"),
                  ("h1", "hub", "hub-analyst"), ("s1", "fsc", "supervisor"))):
    """Registers the member organisations and the regulator fsc, then users (name, org, role)
    with an API token each; returns {name: token}."""
    for code in members:
        assert hub.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
    assert hub.admin("POST", "/api/v1/orgs", {"code": "fsc", "name_zh": "主管", "name_en": "FSC",
                                               "industry": "regulator", "size_tier": "large"}).status == 201
    tokens = {}
    for user, org, role in users:
        r = hub.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user, "role": role})
        assert r.status == 201, r
        tokens[user] = hub.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
    return tokens


class SectorCase(unittest.TestCase):
    """Tests on one hub for the class, started with the sector() organisations and users
    (cls.tokens) and without rate limits or access log; CONFIG is more INI text for it."""
    CONFIG = ""

    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.hub.write_config("[auth]\nargon2 = interactive\n[http]\naccess_log = off\nrate_per_second = 0\n"
                             + cls.CONFIG)
        cls.hub.start()
        cls.tokens = sector(cls.hub)

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def get(self, user, path):
        return self.hub.request("GET", path, token=self.tokens[user])


def pages(hub, path, token, limit=1, most=100):
    """The pages of a paged list ({"items", "next"}) from its first, following "next" with
    `limit` items a page; returns the pages' answers. Fails on an answer other than 200, a page
    over the limit, a cursor that is a bare number (cursors are sealed: docs/security.md, "Paging
    cursors and ids"), or more than `most` pages (paging that does not progress)."""
    out, after = [], None
    sep = "&" if "?" in path else "?"
    while True:
        r = hub.request("GET", f"{path}{sep}limit={limit}" + (f"&after={after}" if after else ""), token=token)
        assert r.status == 200, (path, after, r)
        page = r.json()
        assert len(page["items"]) <= limit, (path, page)
        out.append(page)
        after = page.get("next")
        if not after:
            return out
        assert not re.fullmatch(r"[0-9]+", after), (path, after)
        assert len(out) < most, f"{path}: more than {most} pages"


def write_clock(path, t):
    """Sets the simulated clock of a hub with hub.clock_file = path to the datetime t (atomically)."""
    with open(path + ".tmp", "w") as f:
        f.write(t.strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")
    os.replace(path + ".tmp", path)


def totp(secret_b32, t=None, step=30):
    """RFC 6238 code (SHA-1, 6 digits) for a base32 secret."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((t or time.time()) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def org_body(code, industry="bank", **extra):
    body = {"code": code, "name_zh": "測試機構" + code, "name_en": "Test " + code,
            "industry": industry, "size_tier": "medium"}
    body.update(extra)
    return body


TAXII = "application/taxii+json;version=2.1"
TLP_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def indicator(ip, tlp=None, n=0, modified="2026-01-01T00:00:00.000Z", uid=None, **extra):
    """A STIX 2.1 indicator for one IPv4 address; uid gives a stable id."""
    import uuid as _uuid
    oid = "indicator--" + (uid or str(_uuid.uuid5(_uuid.NAMESPACE_URL, f"{ip}/{n}")))
    obj = {"type": "indicator", "spec_version": "2.1", "id": oid,
           "created": "2026-01-01T00:00:00.000Z", "modified": modified,
           "name": f"Bad address {ip}", "pattern": f"[ipv4-addr:value = '{ip}']",
           "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
    if tlp:
        obj["object_marking_refs"] = [TLP_IDS[tlp]]
    obj.update(extra)
    return obj


def taxii(hub, method, path, token, body=None, accept=TAXII, ctype=TAXII, raw=None):
    headers = {"Accept": accept} if accept else {}
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
    if data is not None and ctype:
        headers["Content-Type"] = ctype
    return hub.request(method, "/taxii2/hub/" + path if not path.startswith("/") else path,
                       token=token, raw=data, headers=headers)


def open_stream(hub, path, token, last_id=None):
    """Opens a Server-Sent Events stream; returns (connection, response)."""
    u = urllib.parse.urlparse(hub.url)
    if u.scheme == "https":
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=20,
                                           context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    headers = {"Authorization": "Bearer " + token, "Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    return conn, resp


# How long a test waits for something that must happen. A guard against a hang, never a measure
# of speed: a loaded machine running the sanitizers may take long, and only "never" fails.
HANG_GUARD = 300


def wait_for(cond, what, seconds=HANG_GUARD, step=0.1):
    """Polls cond() until it returns a true value, and returns that value; fails saying `what`
    never happened (a string, or a function giving one, called at the end) after `seconds`."""
    end = time.time() + seconds
    while True:
        v = cond()
        if v:
            return v
        if time.time() >= end:
            raise AssertionError("never happened: " + (what() if callable(what) else what))
        time.sleep(step)


def wait_engine(hub, indicators):
    """Waits until the matching engine's index holds at least that many indicators; returns the
    hub's /api/v1/soc/status."""
    status = lambda: hub.admin("GET", "/api/v1/soc/status").json()  # noqa: E731
    return wait_for(lambda: (lambda st: st if st["indicators"]["objects"] >= indicators else None)(status()),
                    lambda: f"the engine loading {indicators} indicators: {status()}")


def read_events(resp, n, timeout=HANG_GUARD):
    """Reads n events (id, event, data) from a stream."""
    events, cur, deadline = [], {}, time.time() + timeout
    while len(events) < n and time.time() < deadline:
        line = resp.fp.readline().decode()
        if not line:
            break
        line = line.rstrip("\n")
        if not line:
            if "data" in cur:
                events.append(cur)
            cur = {}
        elif not line.startswith(":"):
            k, _, v = line.partition(": ")
            cur[k] = v
    return events


AUDIT_HASHED = ("prev_hash", "at", "actor_user", "actor_name", "actor_org", "source", "action",
                "object_type", "object_id", "digest")


def audit_sha256_link(row):
    """An unkeyed audit record's hash (docs/internals/audit.md): SHA-256 of the compact JSON array."""
    text = json.dumps([row[c] for c in AUDIT_HASHED], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def audit_rewrite_unkeyed(db, from_seq):
    """What whoever can write hub.db (but not read the hub's secret) can do: recompute every audit
    hash from from_seq on with SHA-256, each record matching its content and linking to the one
    before. db is a sqlite3 connection; the caller commits."""
    import sqlite3
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT * FROM audit_log WHERE seq >= ? - 1 ORDER BY seq", (from_seq,)).fetchall()
    prev = rows[0]["hash"] if rows[0]["seq"] < from_seq else "0" * 64
    for r in rows:
        if r["seq"] < from_seq:
            continue
        d = dict(r)
        d["prev_hash"] = prev
        d["hash"] = audit_sha256_link(d)
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (d["prev_hash"], d["hash"], r["seq"]))
        prev = d["hash"]
    db.row_factory = None


def audit_make_unkeyed(hub):
    """Turns a stopped hub's trail into one of before keyed records: the audit schema back at step
    1, no mark (in the database or beside the secret), every record linked by SHA-256. Returns
    the last record's seq."""
    import sqlite3
    os.remove(hub.path("secrets", "audit.mark"))
    db = hub.db()
    db.execute("DROP TABLE audit_meta")
    db.execute("DELETE FROM schema_version WHERE module = 'audit' AND version > 1")
    v1 = {"seq", "at", "actor_user", "actor_name", "actor_org", "source", "action", "object_type",
          "object_id", "detail", "digest", "prev_hash", "hash"}
    for col in table_columns(db, "audit_log"):
        if col not in v1:
            db.execute(f"ALTER TABLE audit_log DROP COLUMN {col}")
    audit_rewrite_unkeyed(db, 1)
    last = db.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    db.commit()
    db.close()
    return last
# ---- test data ---------------------------------------------------------------------------------
# Fixtures written for the tests are in the project, under tests/data. The third-party corpora
# (SigmaHQ's rules and regression events, the OASIS STIX examples) are not: a test file's
# CorpusTest classes are its corpus run (`test_x.py --corpus`, CTest's integration.x.corpus), which
# finds them under FINSHIELD_TEST_DATA (default ../shared/data, next to the project) and is
# skipped (exit code 77, one line naming the folder) when they are absent, or fails when CI=true.
SOURCE = os.path.abspath(os.environ.get("FINSHIELD_SOURCE_DIR", os.getcwd()))


def fixture(*parts):
    """The path of a fixture under tests/data."""
    return os.path.join(SOURCE, "tests", "data", *parts)


def json_lines(path):
    """The JSON values of a file of concatenated values (Sigma regression events), one compact
    line each."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    dec, i, lines = json.JSONDecoder(), 0, []
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text):
            obj, i = dec.raw_decode(text, i)
            lines.append(json.dumps(obj))
    return lines


def corpus_root():
    return os.environ.get("FINSHIELD_TEST_DATA") or os.path.join(os.path.dirname(SOURCE), "shared",
                                                                 "data")


class CorpusTest(unittest.TestCase):
    """A test of a third-party corpus; `corpus` names its folder under corpus_root()."""
    corpus = ""

    @classmethod
    def corpus_path(cls, *parts):
        return os.path.join(corpus_root(), cls.corpus, *parts)


def main():
    """Runs the test file: its CorpusTest classes with --corpus (after checking that their corpora
    are there), every other TestCase without. Exits 0, 1, or 77 for a corpus that is absent."""
    module = sys.modules["__main__"]
    want_corpus = "--corpus" in sys.argv[1:]
    cases = [c for c in vars(module).values() if isinstance(c, type)
             and issubclass(c, unittest.TestCase) and c is not CorpusTest]
    cases = [c for c in cases if issubclass(c, CorpusTest) == want_corpus]
    if want_corpus:
        required = os.environ.get("CI") == "true"
        for c in cases:
            path = c.corpus_path()
            if not os.path.isdir(path):
                print("%s: third-party corpus %s not found (set FINSHIELD_TEST_DATA to the folder "
                      "that holds it)%s" % ("FAILED" if required else "SKIPPED", path,
                                            "; it is required when CI=true" if required else ""))
                sys.exit(1 if required else 77)
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(c) for c in cases)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
