"""finshield vault from the command line: deposits in the standard format, snapshots, bit-exact
restores and exports, verification, retention refusals, replication, the restoration partner's key,
restore drills, and the continuity service (balance inquiry with bearer tokens)."""
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vault_data  # noqa: E402
from hubtest import free_port, wait_for  # noqa: E402

BIN = os.environ.get("FINSHIELD_BIN", "build/finshield")
FAILURES = []
CHECKS = [0]


def run(*args, ok=True, env=None):
    e = dict(os.environ, FINSHIELD_LANG="en")
    if env:
        e.update(env)
    p = subprocess.run([BIN, "vault", *args], capture_output=True, text=True, env=e, timeout=300)
    if ok is not None and (p.returncode == 0) != ok:
        raise AssertionError("vault %s: exit %d\nstdout: %s\nstderr: %s"
                             % (" ".join(args), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    return p


def check(name, cond, detail=""):
    CHECKS[0] += 1
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        FAILURES.append(name)


def packs_of(repo):
    """The pack files of a repository (data/XX/<64 hex>)."""
    data = os.path.join(repo, "data")
    return [f for d in os.listdir(data) if len(d) == 2 for f in os.listdir(os.path.join(data, d))]


def main(play=None, prefix="fs-vault-it-"):
    """Runs play(tmp) (this file's scenario by default) in a temporary folder; the exit status."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        (play or scenario)(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (CHECKS[0] - len(FAILURES), len(FAILURES)))
    return 1 if FAILURES else 0


def scenario(tmp):
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("a long institution password\n")
    repo = os.path.join(tmp, "repo")
    common = ["--repo", repo, "--password-file", pw]

    # A restoration partner's keys, and the repository sealed to them.
    run("partner-keygen", "--out", os.path.join(tmp, "partner"))
    run("init", *common, "--kdf", "min", "--partner-key", os.path.join(tmp, "partner.pub"))
    check("init refuses a folder that is not empty",
          run("init", *common, "--kdf", "min", ok=False).returncode == 1)

    # Three business days of critical data.
    # Business dates within retention today (10 to 40 days ago, three days of one month), so that
    # what the real clock protects is known whenever the test runs.
    start = datetime.date.today() - datetime.timedelta(days=10)
    bank = vault_data.Bank(accounts=1500, start=start.replace(day=min(start.day, 25)))
    days = []
    for d in range(3):
        folder = os.path.join(tmp, "day%d" % d)
        files = bank.write(folder)
        date = bank.date()
        p = run("deposit", *common, "--business-date", date, *files)
        check("deposit day %d prints a signed attestation" % d,
              '"finshield-vault-deposit-attestation"' in p.stdout and '"signature"' in p.stdout)
        if d:
            check("deposit day %d stored as row deltas" % d, "5 stored as row deltas" in p.stdout, p.stdout)
        att = json.loads(p.stdout[p.stdout.index("{"):])
        said = re.search(r": (\d+) files,", p.stdout)
        check("deposit day %d counts the files its attestation lists" % d,
              said and int(said.group(1)) == len(att["files"]) == 6, p.stdout[:300])
        days.append((folder, date))
        bank.advance()

    snaps = json.loads(run("snapshots", *common, "--json").stdout)
    check("three snapshots, chained", len(snaps) == 3 and snaps[1]["parent"] == snaps[0]["id"]
          and snaps[2]["parent"] == snaps[1]["id"])
    for (folder, _), s in zip(days, snaps):
        out = os.path.join(tmp, "restore-" + s["id"][:8])
        run("restore", s["id"][:12], *common, "--target", out)
        check("restore %s is bit-exact" % s["business_date"], vault_data.same_tree(folder, out))
    out = os.path.join(tmp, "export")
    p = run("export", "latest", "--format", "standard", *common, "--threads", "1", "--target", out)
    check("export says it exported, in the standard format", "exported snapshot" in p.stdout
          and "standard format" in p.stdout, p.stdout)
    p = run("export", "latest", "--format", "xml", *common, "--target", out + "-x", ok=False)
    check("an unknown export format is named", p.returncode == 2
          and "--format xml: the only export format is standard" in p.stderr, p.stderr)
    p = run("restore", "latest", "--format", "standard", *common, "--target", out + "-r", ok=False)
    check("restore has no --format (export does)", p.returncode == 2 and "--format" in p.stderr, p.stderr)
    man = json.load(open(os.path.join(out, "manifest.json")))
    ok = all(hashlib.sha256(open(os.path.join(out, f["name"]), "rb").read()).hexdigest() == f["sha256"]
             for f in man["files"])
    check("export writes tables matching their manifest", ok and len(man["files"]) == 5)

    # An invalid deposit names file, line and field, and records nothing.
    bad = os.path.join(tmp, "bad")
    files = bank.write(bad)
    with open(os.path.join(bad, "balances.csv"), "r+") as f:
        lines = f.read().split("\n")
        lines[3] = lines[3].replace(".", ",", 1)
        f.seek(0)
        f.truncate()
        f.write("\n".join(lines))
    packs_before = sorted(packs_of(repo))
    p = run("deposit", *common, "--business-date", bank.date(), *files, ok=False)
    check("a refused deposit leaves no pack behind", sorted(packs_of(repo)) == packs_before,
          "%d packs before, %d after" % (len(packs_before), len(packs_of(repo))))
    check("invalid deposit names file, line and field",
          "balances.csv:4: field" in p.stderr and "SHA-256 differs from the manifest" in p.stderr, p.stderr)
    check("invalid deposit records no snapshot",
          len(json.loads(run("snapshots", *common, "--json").stdout)) == 3)
    p = run("deposit", *common, "--business-date", days[0][1], *[os.path.join(days[0][0], x)
            for x in os.listdir(days[0][0])], ok=False)
    check("a business date is deposited once", "already deposited" in p.stderr, p.stderr)

    # Verification, drills.
    p = run("verify", *common, "--read-data", "--files", "--json")
    v = json.loads(p.stdout)
    check("verify --read-data --files finds nothing wrong", v["ok"] and v["snapshots"] == 3, p.stdout)
    p = run("verify", *common, "--files", "--json")
    v = json.loads(p.stdout)
    check("verify --files counts the blobs and files it rebuilt",
          v["ok"] and v["blobs"] > 0 and v["files"] == 18 and v["file_bytes"] > 0, p.stdout)
    p = run("verify", *common, "--files")
    check("verify --files says what it rebuilt",
          re.search(r"checked 3 snapshots, \d+ packs, [1-9]\d* blobs, rebuilt 18 files", p.stdout), p.stdout)
    p = run("drill", *common, "--scratch", tmp)
    ev = json.loads(p.stdout)
    check("drill passes and records the restore time",
          ev["result"] == "pass" and ev["restore_seconds"] >= 0 and ev["files"] == 6 and ev["signature"])
    secs = re.search(r'"restore_seconds": ([0-9.e+-]+)', p.stdout).group(1)
    check("drill seconds are recorded to the millisecond", re.fullmatch(r"\d+(\.\d{1,3})?", secs), secs)
    check("drill prints a line with rounded seconds",
          re.search(r"drill passed: snapshot \w+, 6 files, [0-9.]+ MiB restored and checked in \d+\.\d\d s",
                    p.stderr), p.stderr)
    check("drill evidence is kept in the repository", len(os.listdir(os.path.join(repo, "drills"))) == 1)
    check("drill leaves no scratch folder behind",
          not [x for x in os.listdir(tmp) if x.startswith("finshield-drill-")])

    # Retention: refused now, allowed once the snapshot is old and not a month's last.
    first = snaps[0]["id"]
    p = run("forget", *common, first, ok=False)
    check("forget under retention is refused", "under retention" in p.stderr, p.stderr)
    # A simulated clock only previews (#18 item 4): the three deposits are within 90 days today.
    later = "%d-01-01T00:00:00Z" % (datetime.date.today().year + 4)
    p = run("forget", *common, "--expired", "--now", later, ok=False)
    check("forget --now without --dry-run is refused", p.returncode == 2 and "--dry-run" in p.stderr,
          p.stderr)
    p = run("forget", *common, "--expired", "--now", later, "--dry-run")
    # Four years on, the first two are out of retention; the third is its month's last (monthly).
    check("forget --expired --now --dry-run lists what a later date would forget",
          p.stdout.count("would forget") == 2 and first in p.stdout and snaps[2]["id"] not in p.stdout
          and "nothing was changed" in p.stdout, p.stdout)
    p = run("forget", *common, "--expired")
    check("forget --expired by the real clock forgets nothing under retention today",
          "forgot" not in p.stdout
          and len(json.loads(run("snapshots", *common, "--json").stdout)) == 3, p.stdout)
    p = run("retention", *common, "--daily-days", "10", ok=False)
    check("retention cannot be shortened", "only be lengthened" in p.stderr, p.stderr)
    run("prune", *common)
    v = json.loads(run("verify", *common, "--read-data", "--files", "--json").stdout)
    check("after forget and prune the chain and the data are whole", v["ok"], json.dumps(v))

    # Offsite copy, incremental and verified; the partner restores from it alone.
    copy = os.path.join(tmp, "offsite")
    p = run("replicate", *common, "--to", copy)
    check("replicate copies and verifies", "copy verified: no problems" in p.stdout, p.stdout)
    p = run("replicate", *common, "--to", copy)
    check("replicate again copies nothing", "copied 0 files" in p.stdout, p.stdout)
    out = os.path.join(tmp, "partner-restore")
    run("restore", "latest", "--repo", copy, "--partner-secret", os.path.join(tmp, "partner.key"),
        "--target", out)
    check("the partner restores from the copy with its key alone", vault_data.same_tree(days[2][0], out))
    p = run("snapshots", "--repo", repo, "--password-file", os.path.join(tmp, "partner.pub"), ok=False)
    check("a wrong password is refused", "wrong password" in p.stderr, p.stderr)

    continuity(tmp, common, bank_state=days[2])


def continuity(tmp, common, bank_state):
    tokens = os.path.join(tmp, "tokens")
    token = run("token", "create", "--tokens", tokens, "--name", "branch desk").stdout.strip()
    check("token file keeps only hashes", token not in open(tokens).read() and len(token) > 20)
    p = run("serve", *common, "--tokens", tokens, "--listen", "192.0.2.1:8470", ok=False)
    check("plain HTTP off loopback is refused", p.returncode == 2 and "TLS" in p.stderr, p.stderr)
    port = free_port()
    env = dict(os.environ, FINSHIELD_LANG="en")
    # The hub's HTTP layer with its [http] settings: a small budget of failed authentications.
    srv = subprocess.Popen([BIN, "vault", "serve", *common, "--tokens", tokens,
                            "--listen", "127.0.0.1:%d" % port, "--set", "http.auth_failure_burst=4",
                            "--set", "http.auth_failures_per_minute=1"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def healthz():
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                return json.loads(c.getresponse().read())
            except OSError:
                return None
        health = wait_for(healthz, "vault serve answering /healthz")
        check("healthz answers", health["status"] == "ok" and health["accounts"] > 1000)
        bal = open(os.path.join(bank_state[0], "balances.csv")).read().split("\n")[5].split(",")

        def get(path, tok):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path, headers={"Authorization": "Bearer " + tok} if tok else {})
            r = c.getresponse()
            return r.status, json.loads(r.read())

        st, _ = get("/v1/accounts/" + bal[0], None)
        check("no token: 401", st == 401)
        st, _ = get("/v1/accounts/" + bal[0], "fsv_wrong")
        check("wrong token: 401", st == 401)
        st, body = get("/v1/accounts/" + bal[0], token)
        check("balance from the vault alone", st == 200 and body["balance"]["ledger"] == bal[1]
              and body["source"]["business_date"] == bank_state[1], json.dumps(body))
        st, _ = get("/v1/accounts/A9999999999", token)
        check("unknown account: 404", st == 404)
        # Accounts all over the table (the index holds every 64th row): first, last, a stride
        # apart and in between, and absent keys just around present ones.
        rows = [r.split(",") for r in open(os.path.join(bank_state[0], "balances.csv")).read()
                .split("\n")[1:] if r]
        picks = sorted(set([0, 1, 62, 63, 64, 65, 127, 128, len(rows) - 2, len(rows) - 1]
                           + list(range(0, len(rows), 37))))
        wrong = [i for i in picks if i < len(rows)
                 and get("/v1/accounts/" + rows[i][0], token)[1].get("balance", {}).get("ledger")
                 != rows[i][1]]
        check("%d accounts across the table answer with their balance" % len(picks), not wrong,
              str(wrong[:5]))
        absent = [rows[0][0][:-1], rows[0][0] + "0", rows[-1][0] + "0", rows[100][0] + "Z"]
        codes = [get("/v1/accounts/" + k, token)[0] for k in absent]
        check("keys around present ones: 404", codes == [404] * len(absent), str(codes))
        http_layer(port, token, bal[0])
    finally:
        srv.terminate()
        srv.wait(timeout=10)
    log = srv.stderr.read().decode()
    check("each request is in the access log", "http.access" in log and "/v1/accounts/" in log
          and "vault-token:" in log, log[-2000:])
    tls(tmp, common, tokens, token)


def http_layer(port, token, account):
    """The continuity service runs on the hub's HTTP layer (#13 item 5): its error bodies and
    realm, methods and bodies refused from the headers, metrics, the failure budget."""
    def req(method, path, tok=None, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        h = dict(headers or {})
        if tok:
            h["Authorization"] = "Bearer " + tok
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r, r.read()

    r, body = req("GET", "/v1/accounts/" + account)
    err = json.loads(body)["error"]
    check("401 in the hub's error form, realm finshield-vault",
          r.status == 401 and err["code"] == "unauthenticated" and err["request_id"]
          and r.getheader("WWW-Authenticate") == 'Bearer realm="finshield-vault"'
          and r.getheader("X-Request-Id") == err["request_id"], body.decode())
    r, body = req("POST", "/v1/accounts/" + account, token, b"{}", {"Content-Type": "application/json"})
    check("read-only: POST is 405 with Allow", r.status == 405 and r.getheader("Allow") == "GET",
          "%d %s" % (r.status, body.decode()))
    r, body = req("GET", "/v1/accounts/" + account, token, b"x" * 100)
    check("a request body is refused from the headers (413)", r.status == 413, "%d %s" % (r.status, body.decode()))
    r, body = req("GET", "/metrics")
    check("metrics from loopback", r.status == 200 and b"finshield_http_requests_total" in body,
          body.decode()[:300])
    statuses = [req("GET", "/v1/accounts/" + account, "fsv_guess%d" % i)[0].status for i in range(6)]
    check("wrong tokens spend the address's failure budget, then 429", statuses[-1] == 429
          and 401 in statuses, str(statuses))
    r, _ = req("GET", "/v1/accounts/" + account, token)
    check("once spent, even a valid token from that address waits (429)", r.status == 429
          and r.getheader("Retry-After"), str(r.status))


def tls(tmp, common, tokens, token):
    if not shutil.which("openssl"):
        print("skip TLS check: no openssl")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    port = free_port()
    srv = subprocess.Popen([BIN, "vault", "serve", *common, "--tokens", tokens,
                            "--listen", "127.0.0.1:%d" % port, "--tls-cert", cert, "--tls-key", key],
                           env=dict(os.environ, FINSHIELD_LANG="en"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        def healthz_status():
            try:
                c = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
                c.request("GET", "/healthz")
                return c.getresponse().status
            except (OSError, ssl.SSLError):
                return None
        status = wait_for(healthz_status, "vault serve answering /healthz over TLS")
        check("the service speaks TLS when given a certificate", status == 200, str(status))
    finally:
        srv.terminate()
        srv.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
