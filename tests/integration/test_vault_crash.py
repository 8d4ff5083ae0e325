"""finshield vault under faults: kill -9 at random points of backups and deposits leaves a valid
repository whose earlier snapshots all restore, with no lock to clear by hand; an interrupted run is
run again and reuses what it stored; a full disk gives a clear error and changes nothing."""
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vault_data  # noqa: E402

from test_vault import BIN, check, main as vault_main, run as vault  # noqa: E402

ENV = dict(os.environ, FINSHIELD_LANG="en")


def packs(repo):
    out = []
    for root, _, files in os.walk(os.path.join(repo, "data")):
        out += [f for f in files if len(f) == 64]
    return out


def make_data(folder, seed, mib):
    rng = random.Random(seed)
    os.makedirs(os.path.join(folder, "sub"), exist_ok=True)
    for i in range(mib):
        with open(os.path.join(folder, "sub" if i % 2 else "", "part%02d.bin" % i), "wb") as f:
            f.write(rng.randbytes(1 << 20))


def play(tmp):
    try:
        scenario(tmp)
        disk_full(tmp)
    finally:
        subprocess.run(["umount", os.path.join(tmp, "small")], capture_output=True)


def scenario(tmp):
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("pw for crash tests\n")
    repo = os.path.join(tmp, "repo")
    common = ["--repo", repo, "--password-file", pw]
    vault("init", *common, "--kdf", "min", "--pack-size", "1")
    base = os.path.join(tmp, "base")
    make_data(base, 1, 3)
    vault("backup", *common, base)
    bank = vault_data.Bank(accounts=3000)
    day = os.path.join(tmp, "day0")
    vault("deposit", *common, "--business-date", bank.date(), *bank.write(day))
    bank.advance()

    work = os.path.join(tmp, "work")
    make_data(work, 2, 6)
    rng = random.Random(1234)
    rounds = 10
    for i in range(rounds):
        if i % 2:
            folder = os.path.join(tmp, "dep%d" % i)
            args = ["deposit", *common, "--business-date", bank.date(), *bank.write(folder)]
            bank.advance()
        else:
            args = ["backup", *common, work]
        p = subprocess.Popen([BIN, "vault", *args], env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.8))
        p.send_signal(signal.SIGKILL)
        p.wait()
        # No manual unlock: the next command just works, and the repository is valid.
        v = vault("verify", *common, "--read-data", ok=None)
        check("round %d (%s killed): repository valid" % (i, args[0]), v.returncode == 0,
              v.stdout + v.stderr)
    snaps = json.loads(vault("snapshots", *common, "--json").stdout)
    out = os.path.join(tmp, "out-base")
    vault("restore", "--target", out, *common, snaps[0]["id"])
    check("the first snapshot still restores bit for bit", vault_data.same_tree(base, out + base))
    out = os.path.join(tmp, "out-day0")
    dep = [s["id"] for s in snaps if s["kind"] == "deposit"][0]
    vault("restore", dep, "--target", out, *common)
    check("the first deposit still restores bit for bit", vault_data.same_tree(day, out))

    # An interrupted backup, killed once packs exist, is run again and reuses them.
    fresh = os.path.join(tmp, "fresh")
    make_data(fresh, 3, 8)
    before = set(packs(repo))
    p = subprocess.Popen([BIN, "vault", "backup", *common, fresh], env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(set(packs(repo)) - before) < 3 and p.poll() is None:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    stored = len(set(packs(repo)) - before)
    r = vault("backup", *common, "--json", fresh)
    added = json.loads(r.stdout)["bytes_added"] / 1048576
    check("rerun after kill -9 reuses what was stored (%d packs stored, %.1f MiB added of 8)"
          % (stored, added), stored == 0 or added < 8.0 - 0.9 * min(stored, 3), r.stdout)
    v = vault("verify", *common, "--read-data", "--files", "--json")
    check("after the rerun everything verifies", json.loads(v.stdout)["ok"], v.stdout)
    out = os.path.join(tmp, "out-fresh")
    vault("restore", "latest", "--target", out, *common)
    check("the rerun's snapshot restores bit for bit", vault_data.same_tree(fresh, out + fresh))


def disk_full(tmp):
    small = os.path.join(tmp, "small")
    os.makedirs(small)
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small], capture_output=True)
    if m.returncode != 0:
        print("skip disk-full check: cannot mount a small tmpfs here")
        return
    pw = os.path.join(tmp, "pw")
    repo = os.path.join(small, "repo")
    common = ["--repo", repo, "--password-file", pw]
    vault("init", *common, "--kdf", "min", "--pack-size", "1")
    one = os.path.join(tmp, "one")
    make_data(one, 5, 1)
    vault("backup", *common, one)
    big = os.path.join(tmp, "big")
    make_data(big, 6, 4)
    p = vault("backup", *common, big, ok=False)
    check("disk full: a clear error", "disk full" in p.stderr and "earlier snapshot" in p.stderr, p.stderr)
    v = vault("verify", *common, "--read-data", "--files", ok=None)
    check("disk full: the repository is still valid", v.returncode == 0, v.stdout + v.stderr)
    out = os.path.join(tmp, "out-one")
    vault("restore", "latest", "--target", out, *common)
    check("disk full: the earlier snapshot restores", vault_data.same_tree(one, out + one))


if __name__ == "__main__":
    sys.exit(vault_main(play, "fs-vault-crash-"))
