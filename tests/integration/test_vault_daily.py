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
    p = run("verify", *common, "--files")
    check("verify --files finds nothing wrong with it", "no problems" in p.stdout, p.stdout)
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


if __name__ == "__main__":
    sys.exit(test_vault.main(scenario, "fs-vault-daily-"))
