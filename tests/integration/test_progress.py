"""The progress line of long work (vault backup, deposit, restore, verify, drill; intel import;
taxii pull and push; scan): with --progress it is drawn on standard error even without a terminal
and ends with a closing line (what was done and the time taken); without a terminal and without
the flag nothing is written on standard error; --quiet draws nothing; on a terminal the line is
redrawn in place. English and Traditional Chinese."""
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import unittest

import vault_data
from hubtest import BIN, ENV, Hub, fixture, indicator, run, taxii

# The closing line: "<label>: <amount> in <seconds> s[, rate]".
def closing(label, amount):
    return re.compile(r"^%s: %s in \d+\.\d s(, .+/s)?$" % (label, re.escape(amount)), re.M)


class Progress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="finshield-progress-")
        cls.pw = os.path.join(cls.tmp, "pw")
        with open(cls.pw, "w") as f:
            f.write("a long institution password\n")
        cls.repo = os.path.join(cls.tmp, "repo")
        run("vault", "init", "--repo", cls.repo, "--password-file", cls.pw, "--kdf", "min",
            check=True)
        cls.data = os.path.join(cls.tmp, "files")
        os.mkdir(cls.data)
        for name, size in (("a.bin", 100000), ("b.bin", 200000)):  # 300,000 bytes: 293.0 KiB
            with open(os.path.join(cls.data, name), "wb") as f:
                f.write(bytes(range(256)) * (size // 256) + bytes(size % 256))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def vault(self, *args, env=None):
        p = run("vault", *args, "--repo", self.repo, "--password-file", self.pw, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def assert_progress(self, stderr, label, amount):
        lines = stderr.splitlines()
        self.assertTrue(lines, "no progress line")
        for line in lines:
            self.assertTrue(line.startswith(label + ": "), line)
        self.assertRegex(lines[-1], closing(label, amount))

    def test_vault(self):
        p = self.vault("backup", self.data, "--progress")
        self.assert_progress(p.stderr, "backup", "293.0 KiB")
        self.assertIn("snapshot", p.stdout)  # the result stays on standard output
        # no terminal, no flag: nothing on standard error; --quiet wins over --progress
        self.assertEqual(self.vault("backup", self.data).stderr, "")
        self.assertEqual(self.vault("backup", self.data, "--progress", "--quiet").stderr, "")
        target = os.path.join(self.tmp, "restored")
        self.assert_progress(self.vault("restore", "latest", "--target", target, "--progress").stderr,
                             "restore", "293.0 KiB")
        # every pack read, and every file of the three snapshots rebuilt
        p = self.vault("verify", "--read-data", "--files", "--progress")
        self.assertRegex(p.stderr.splitlines()[-1], r"^verify: [\d.]+ [KM]iB in \d+\.\d s")
        self.assertEqual(self.vault("verify", "--read-data", "--files").stderr, "")
        p = self.vault("drill", "--progress")
        # the drill's verdict is a line of its own, after the progress
        said = p.stderr.splitlines()
        self.assertTrue(said[-1].startswith("drill passed: "), said)
        self.assert_progress("\n".join(said[:-1]), "drill", "293.0 KiB")
        self.assertEqual(json.loads(p.stdout)["result"], "pass")
        # in Traditional Chinese
        p = self.vault("backup", self.data, "--progress", env=dict(ENV, FINSHIELD_LANG="zh-TW"))
        self.assertRegex(p.stderr.splitlines()[-1], r"^備份：293\.0 KiB，費時 \d+\.\d 秒")

    def test_vault_deposit(self):
        repo = os.path.join(self.tmp, "deposits")
        run("vault", "init", "--repo", repo, "--password-file", self.pw, "--kdf", "min", check=True)
        bank = vault_data.Bank(accounts=300)
        files = bank.write(os.path.join(self.tmp, "day0"))
        size = sum(os.path.getsize(f) for f in files)
        p = run("vault", "deposit", "--repo", repo, "--password-file", self.pw, "--business-date",
                bank.date(), "--progress", *files)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr.splitlines()[-1], r"^deposit: [\d.]+ KiB in ")
        self.assertIn("%.1f KiB" % (size / 1024), p.stderr.splitlines()[-1])

    def test_terminal(self):
        """On a terminal the line is redrawn in place: carriage return, the text, erase to the end
        of the line; the closing line ends it."""
        master, slave = pty.openpty()
        try:
            p = subprocess.run([BIN, "vault", "backup", self.data, "--repo", self.repo,
                                "--password-file", self.pw, "--progress"],
                               stdout=subprocess.PIPE, stderr=slave, env=ENV, timeout=300)
            os.close(slave)
            slave = None
            out = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, 0)
        text = out.decode()
        self.assertRegex(text, r"\rbackup: 293\.0 KiB in \d+\.\d s[^\r\n]*\x1b\[K\r?\n$")
        self.assertNotIn("backup: ", text.replace("\rbackup: ", ""))  # every line starts with \r

    def test_intel_import_and_scan(self):
        hub = Hub()
        try:
            bundle = fixture("stix", "examples", "threat-actor.json")
            with open(bundle) as f:
                n = len(json.load(f)["objects"])
            p = hub.cli("intel", "import", bundle, "--progress")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assert_progress(p.stderr, "import", "%d objects" % n)
            p = hub.cli("intel", "import", fixture("stix", "examples", "c2-address.json"))
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            p = hub.cli("intel", "import", fixture("stix", "examples", "malware-sample.json"),
                        "--progress", env=dict(ENV, FINSHIELD_LANG="zh-TW"))
            self.assertRegex(p.stderr.splitlines()[-1], r"^匯入：\d+ 個物件，費時 ")
        finally:
            hub.cleanup()
        events = fixture("sigma", "events")
        files = sorted(os.path.join(events, f) for f in os.listdir(events))
        size = sum(os.path.getsize(f) for f in files)
        args = ["scan", "--rules", fixture("sigma", "rules")]
        p = run(*args, "--progress", *files)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_progress(p.stderr, "scan", "%.1f KiB" % (size / 1024))
        self.assertTrue(p.stdout)  # alerts on standard output, unchanged
        p = run(*args, *files)
        self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_taxii_pull_and_push(self):
        a, b = Hub().start(), Hub()
        try:
            objs = [indicator("198.51.100.%d" % i, "green", n=i) for i in range(1, 6)]
            r = taxii(a, "POST", "collections/sector/objects/", a.admin_token, body={"objects": objs})
            self.assertEqual(r.json()["success_count"], 5)
            root = a.url + "/taxii2/hub/"
            p = b.cli("taxii", "pull", root, "--collection", "sector", "--token", a.admin_token,
                      "--limit", "2", "--progress")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assert_progress(p.stderr, "pull", "5 objects")
            # B sends back what its hub organisation sees of its sector collection
            p = b.cli("taxii", "push", root, "--collection", "sector", "--for", "hub", "--token",
                      a.admin_token, "--progress")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assert_progress(p.stderr, "push", "5 objects")
            p = b.cli("taxii", "pull", root, "--collection", "sector", "--token", a.admin_token)
            self.assertEqual((p.returncode, p.stderr), (0, ""))
        finally:
            self.assertEqual(a.stop(), 0)
            a.cleanup()
            b.cleanup()


if __name__ == "__main__":
    unittest.main()
