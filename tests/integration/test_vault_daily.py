"""finshield vault as used every day, from the command line: backups of several paths restore as
one tree (#18 item 5), part of a snapshot restores with --include, and (below) key files, ls,
diff and snapshots --json."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vault_data  # noqa: E402
import test_vault  # noqa: E402
from test_vault import BIN, check, run  # noqa: E402

BIN = os.path.abspath(BIN)


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def scenario(tmp):
    pw = os.path.join(tmp, "pw")
    put(pw, "a long institution password\n")
    repo = os.path.join(tmp, "repo")
    common = ["--repo", repo, "--password-file", pw]
    run("init", *common, "--kdf", "min")
    backups(tmp, common)
    looking(tmp, pw)
    key_files(tmp, pw)


def backups(tmp, common):
    """Two paths with the same last name (#18 item 5)."""
    a, b = os.path.join(tmp, "site-a", "export"), os.path.join(tmp, "site-b", "export")
    put(os.path.join(a, "t.csv"), "from a\n")
    put(os.path.join(b, "t.csv"), "from b\n")
    put(os.path.join(b, "docs", "note.txt"), "a note\n")
    run("backup", *common, a, b)
    out = os.path.join(tmp, "out")
    p = run("restore", "latest", *common, "--target", out, ok=None)
    check("a backup of two paths with one name restores", p.returncode == 0, p.stderr)
    check("each absolute path comes back with its folders, side by side",
          read(out + a + "/t.csv") == "from a\n" and read(out + b + "/t.csv") == "from b\n"
          and not os.path.exists(os.path.join(out, "export")))
    p = run("verify", *common, "--files", "--json")
    check("verify --files finds nothing wrong with it", json.loads(p.stdout)["ok"], p.stdout)
    p = run("drill", *common, "--scratch", tmp, ok=None)
    check("a drill of it passes", p.returncode == 0 and json.loads(p.stdout)["result"] == "pass",
          p.stderr)

    # Relative paths are stored from the current folder; "../export" and "export" would collide.
    put(os.path.join(tmp, "export", "t.csv"), "from tmp\n")
    p = subprocess.run([BIN, "vault", "backup", *common, "export", "../export"], cwd=os.path.join(tmp, "site-b"),
                       capture_output=True, text=True, env=dict(os.environ, FINSHIELD_LANG="en"))
    check("two files that would share a stored path are refused, naming both",
          p.returncode == 1 and "../export and export would both be stored as export" in p.stderr, p.stderr)
    p = subprocess.run([BIN, "vault", "backup", *common, "export", "../site-a/export"],
                       cwd=os.path.join(tmp, "site-b"), capture_output=True, text=True,
                       env=dict(os.environ, FINSHIELD_LANG="en"))
    check("relative paths are accepted", p.returncode == 0, p.stderr)
    out = os.path.join(tmp, "out-rel")
    run("restore", "latest", *common, "--target", out)
    check("relative paths restore from the target as given",
          read(os.path.join(out, "export", "t.csv")) == "from b\n"
          and read(os.path.join(out, "site-a", "export", "t.csv")) == "from a\n")

    # Part of a snapshot.
    out = os.path.join(tmp, "out-part")
    p = run("restore", "latest", *common, "--target", out, "--include", "*.txt")
    check("restore --include restores what the pattern picks, with its folders",
          read(os.path.join(out, "export", "docs", "note.txt")) == "a note\n"
          and not os.path.exists(os.path.join(out, "export", "t.csv"))
          and " 1 files" in p.stdout, p.stdout)
    p = run("restore", "latest", *common, "--target", os.path.join(tmp, "none"), "--include", "*.xlsx",
            ok=False)
    check("restore --include that picks nothing says so", "picks nothing" in p.stderr, p.stderr)


def rows_by_key(path):
    with open(path) as f:
        lines = f.read().split("\n")[1:]
    return {x.split(",", 1)[0]: x for x in lines if x}


def looking(tmp, pw):
    """ls, diff and snapshots --json on two daily deposits (#18 item 20)."""
    repo = os.path.join(tmp, "deposits")
    common = ["--repo", repo, "--password-file", pw]
    run("init", *common, "--kdf", "min")
    bank = vault_data.Bank(accounts=800)
    days = []
    for d in range(2):
        folder = os.path.join(tmp, "day%d" % d)
        run("deposit", *common, "--business-date", bank.date(), *bank.write(folder))
        days.append(folder)
        bank.advance()
    snaps = json.loads(run("snapshots", *common, "--json").stdout)
    check("snapshots --json: each snapshot with its entries, size and retention rule",
          len(snaps) == 2 and snaps[1]["parent"] == snaps[0]["id"] and snaps[1]["entries"] == 6
          and snaps[1]["size"] == sum(f.get("size", 0) for f in snaps[1]["files"])
          and snaps[1]["retained_by"] == "latest" and snaps[0]["kind"] == "deposit", json.dumps(snaps)[:400])

    p = run("ls", "latest", *common)
    check("ls lists the files of a snapshot",
          sorted(p.stdout.split()) == sorted(os.listdir(days[1])), p.stdout)
    p = run("ls", snaps[0]["id"][:12], "balances.csv", "--long", *common)
    rows = len(rows_by_key(os.path.join(days[0], "balances.csv")))
    check("ls SNAPSHOT PATH --long shows type, mode, size and the table's rows",
          p.stdout.startswith("f 0") and p.stdout.rstrip().endswith("balances.csv  [balances, %d rows]" % rows)
          and len(p.stdout.splitlines()) == 1, p.stdout)
    entries = json.loads(run("ls", "latest", "--json", *common).stdout)
    check("ls --json gives each entry", len(entries) == 6 and all("sha256" in e for e in entries))
    p = run("ls", "latest", "missing.csv", *common, ok=False)
    check("ls of a path the snapshot does not have says so", "not in snapshot" in p.stderr, p.stderr)

    old, new = (rows_by_key(os.path.join(d, "balances.csv")) for d in days)
    want = (len(new.keys() - old.keys()), len(old.keys() - new.keys()),
            sum(1 for k in old.keys() & new.keys() if old[k] != new[k]))
    differ = sum(1 for f in os.listdir(days[1]) if read(os.path.join(days[0], f)) != read(os.path.join(days[1], f)))
    p = run("diff", snaps[0]["id"], "latest", *common)
    line = [x for x in p.stdout.splitlines() if x.startswith("M  balances.csv")]
    check("diff names changed tables with their rows added, removed and changed",
          line == ["M  balances.csv  (rows: %d added, %d removed, %d changed)" % want]
          and "0 added, 0 removed, %d changed" % differ in p.stdout, p.stdout)
    d = json.loads(run("diff", snaps[0]["id"], "latest", "--json", *common).stdout)
    bal = [c for c in d["changes"] if c["path"] == "balances.csv"][0]
    check("diff --json has the same counts",
          (bal["change"], bal["rows"]["added"], bal["rows"]["removed"], bal["rows"]["changed"]) == ("M",) + want
          and d["changed"] == differ and d["from"] == snaps[0]["id"], json.dumps(d)[:400])
    p = run("diff", "latest", "latest", *common)
    check("diff of a snapshot with itself: nothing", "0 added, 0 removed, 0 changed" in p.stdout, p.stdout)
    for sub in ("ls", "diff", "restore", "key", "snapshots", "forget"):
        p = run(sub, "--help")
        check("vault %s --help" % sub, p.returncode == 0 and "finshield vault %s" % sub in p.stdout, p.stdout)


def key_files(tmp, pw):
    """A key file: no password, no key derivation; revocable (#18 item 17)."""
    repo = os.path.join(tmp, "keyed")
    run("init", "--repo", repo, "--password-file", pw, "--kdf", "min")
    kf = os.path.join(tmp, "deposit.key")
    p = run("key", "add", "--out", kf, "--repo", repo, "--password-file", pw)
    check("key add writes a key file readable by its owner alone",
          os.stat(kf).st_mode & 0o777 == 0o400 and "slot" in p.stdout, p.stdout)
    p = run("key", "add", "--out", kf, "--repo", repo, "--password-file", pw, ok=False)
    check("key add never overwrites a file", "already exists" in p.stderr, p.stderr)
    bank = vault_data.Bank(accounts=300)
    files = bank.write(os.path.join(tmp, "kday"))
    env = {"FINSHIELD_VAULT_PASSWORD_FILE": ""}
    p = run("deposit", "--repo", repo, "--key-file", kf, "--business-date", bank.date(), *files, env=env)
    check("a deposit with --key-file needs no password", "finshield-vault-deposit-attestation" in p.stdout)
    p = run("snapshots", "--repo", repo, env={"FINSHIELD_VAULT_KEY_FILE": kf})
    check("FINSHIELD_VAULT_KEY_FILE opens the repository", "deposit" in p.stdout, p.stdout + p.stderr)
    slots = run("key", "list", "--repo", repo, "--key-file", kf).stdout
    slot = [x.split()[0] for x in slots.splitlines() if "key file" in x]
    check("key list shows the password and the key file's slot",
          len(slot) == 1 and slot[0] in p.stdout + slots and "password" in slots, slots)
    os.chmod(kf, 0o644)
    p = run("snapshots", "--repo", repo, "--key-file", kf, ok=False)
    check("a key file others may read is refused", "chmod 0400" in p.stderr, p.stderr)
    os.chmod(kf, 0o400)
    other = os.path.join(tmp, "other")
    run("init", "--repo", other, "--password-file", pw, "--kdf", "min")
    p = run("snapshots", "--repo", other, "--key-file", kf, ok=False)
    check("a key file opens its own repository only", "belongs to repository" in p.stderr, p.stderr)
    copy = os.path.join(tmp, "keyed-offsite")
    run("replicate", "--repo", repo, "--key-file", kf, "--to", copy)
    p = run("snapshots", "--repo", copy, "--key-file", kf)
    check("the key file opens the offsite copy", "deposit" in p.stdout, p.stdout + p.stderr)
    run("key", "remove", slot[0], "--repo", repo, "--password-file", pw)
    p = run("snapshots", "--repo", repo, "--key-file", kf, ok=False)
    check("a removed slot revokes its key file", "revoked" in p.stderr, p.stderr)
    p = run("replicate", "--repo", repo, "--password-file", pw, "--to", copy)
    check("replicate says it revoked the slot on the copy", "revoked 1 key file" in p.stdout, p.stdout)
    p = run("snapshots", "--repo", copy, "--key-file", kf, ok=False)
    check("a slot removed at the source is removed from the copy by the next replicate",
          "revoked" in p.stderr, p.stderr)
    p = run("snapshots", "--repo", copy, "--password-file", pw)
    check("the copy still opens with the password", "deposit" in p.stdout, p.stdout + p.stderr)
    p = run("key", "remove", "password", "--repo", repo, "--password-file", pw, ok=False)
    check("the password cannot be removed", p.returncode == 2, p.stderr)


if __name__ == "__main__":
    sys.exit(test_vault.main(scenario, "fs-vault-daily-"))
