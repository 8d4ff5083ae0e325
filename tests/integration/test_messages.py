"""Messages come whole in the reader's language: the CLI prints an error's message in zh-TW (the
default) or English, not only its first words, and HTTP error bodies carry `detail_zh` beside
`detail`. The catalogue itself is checked by lint.messages (scripts/messages.py). (#18 item 12)"""
import errno
import json
import os
import re
import tempfile
import unittest

from hubtest import ENV, Hub, free_port, indicator, org_body, run

ZH = dict(ENV, FINSHIELD_LANG="zh-TW")
DEFAULT = {k: v for k, v in ENV.items() if k not in ("FINSHIELD_LANG", "LANG", "LC_ALL", "LC_MESSAGES")}


class Cli(unittest.TestCase):
    def test_error_message_whole_in_each_language(self):
        d = os.path.join(tempfile.mkdtemp(), "none")
        for env in (ZH, DEFAULT):
            p = run("org", "list", "--data", d, env=env)
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"找不到指定的項目: {d}: 這裡沒有中樞；請以下列指令建立：finshield init --data {d}",
                          p.stderr)
            self.assertNotIn("no hub here", p.stderr)
        p = run("org", "list", "--data", d)
        self.assertIn(f"not found: {d}: no hub here; create one with: finshield init --data {d}", p.stderr)

    def test_validation_message_in_chinese(self):
        h = Hub()
        try:
            p = h.cli("org", "add", "--code", "b1", "--name-zh", "一銀", "--name-en", "B1",
                      "--industry", "bakery", "--tier", "large", env=ZH)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("$.industry", p.stderr)
            self.assertIn("欄位「industry」為「bakery」；應為下列之一：", p.stderr)
            self.assertNotIn(" is ", p.stderr)
            p = h.cli("user", "show", "nobody", env=ZH)
            self.assertIn("沒有使用者「nobody」", p.stderr)
            # What the CLI prints itself is in both languages too.
            p = h.cli("incident", "rules", env=ZH)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout, r"預設\s+通報 \S+；審查 ")
            self.assertNotIn("investigation", p.stdout)
        finally:
            h.cleanup()


# Words of a sentence: three or more English words in a row ("cannot open the file"); a list of
# values ("large, medium, small") is not one.
ENGLISH_RUN = re.compile(r"(?<![\w./@%<>-])[A-Za-z][a-z']+(?: [A-Za-z][a-z']+){2,}(?![\w./@-])")
# What libraries say (strerror, curl, libyaml), which stands inside a sentence of ours.
LIBRARY = [os.strerror(e) for e in (errno.ENOENT, errno.EACCES, errno.ECONNREFUSED, errno.EISDIR)] + [
    "Couldn't connect to server", "Could not connect to server", "did not find expected node content"]


def english_sentences(text):
    """The runs of English words in text, apart from identifiers, paths, values and library text:
    quoted values (「...」, "...", '...'), usage lines and library messages are left out."""
    out = []
    for line in text.splitlines():
        if line.startswith(("用法", "usage", "Usage")):
            continue
        for lib in LIBRARY:
            line = line.replace(lib, " ")
        line = re.sub(r"「[^」]*」|\"[^\"]*\"|'[^']*'", " ", line)
        out += ENGLISH_RUN.findall(line)
    return out


class ZhTwFailures(unittest.TestCase):
    """Representative failing commands in zh-TW: what they print holds no English sentence, only
    identifiers, paths, values and library words inside sentences of ours. (#18 item 12)"""

    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.tmp = tempfile.mkdtemp(prefix="finshield-zh-")
        p = cls.hub.cli("org", "add", "--code", "bank-a", "--name-zh", "甲銀行", "--name-en", "Bank A",
                        "--industry", "bank", "--tier", "large")
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.hub.cleanup()

    def file(self, name, text, mode="w"):
        path = os.path.join(self.tmp, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    def check(self, p, *want, rc=None):
        """p failed (rc when given), its output has each of want and no English sentence."""
        text = p.stdout + p.stderr
        if rc is None:
            self.assertNotEqual(p.returncode, 0, text)
        else:
            self.assertEqual(p.returncode, rc, text)
        for w in want:
            self.assertIn(w, text)
        self.assertEqual(english_sentences(text), [], text)
        return text

    def test_the_check_itself(self):
        self.assertEqual(english_sentences("finshield: 讀寫錯誤: x: cannot open the file"),
                         ["cannot open the file"])
        self.assertEqual(english_sentences("找不到：/a/b c: " + os.strerror(errno.ENOENT)), [])
        self.assertEqual(english_sentences("欄位「name」為「a long value here」"), [])

    def test_hub_and_accounts(self):
        self.check(run("org", "list", "--data", os.path.join(self.tmp, "none"), env=ZH), "中樞")
        self.check(self.hub.cli("org", "add", "--code", "b1", "--name-zh", "一", "--name-en", "B1",
                                "--industry", "bank", "--tier", "huge", env=ZH), "應為下列之一")
        self.check(self.hub.cli("user", "add", "--org", "bank-a", "--username", "a", "--role",
                                "member-analyst", env=ZH), "長度必須是 2 至 64 個字元")
        self.check(self.hub.cli("user", "add", "--org", "bank-a", "--username", "abc", "--role",
                                "boss", env=ZH), "未知的角色")
        self.check(self.hub.cli("org", "bogus", env=ZH), "未知的子指令", "[選項]", rc=2)

    def test_intelligence(self):
        bad = indicator("10.0.0.1")
        bad["created"] = "2026-01-01T00:00:00Z"
        bad["pattern"] = "[ipv4-addr:value = "
        bundle = {"type": "bundle", "id": "bundle--0b4c8a5e-1c4a-4b8e-9a8a-1234567890ab", "objects": [bad]}
        p = self.hub.cli("intel", "import", self.file("bad.json", json.dumps(bundle)), env=ZH)
        self.check(p, "1 個被拒", "毫秒", rc=0)
        self.check(self.hub.cli("intel", "import", os.path.join(self.tmp, "missing.json"), env=ZH),
                   "無法開啟")
        port = free_port()
        self.check(self.hub.cli("taxii", "pull", f"http://127.0.0.1:{port}/taxii2/x/",
                                "--collection", "c", env=ZH), "請求失敗")

    def test_detection(self):
        rules = os.path.join(self.tmp, "rules")
        os.makedirs(rules, exist_ok=True)
        self.file("rules/modifier.yml", "title: x\nlogsource:\n  product: linux\ndetection:\n"
                  "  sel:\n    a|bogus: 1\n  condition: sel\n")
        self.file("rules/yaml.yml", "title: [\n")
        self.check(run("sigma", "check", rules, env=ZH), "未知的修飾詞「bogus」", "不是有效的 YAML")
        iocs = self.file("iocs.txt", "192.0.2.1\n")
        log = self.file("events.log", '{"a":1}\n{bad json\n{"a":"\\u12"}\nhello\n')
        for fmt, want in (("json", "應為成員名稱"), ("rfc5424", "PRI 應以 '<' 開頭")):
            # Errors found by worker threads keep their Chinese on their way to the writer.
            p = run("scan", "--iocs", iocs, "--format", fmt, "--threads", "2", log, env=ZH)
            self.check(p, want, rc=0)
        self.check(run("scan", "--iocs", iocs, os.path.join(self.tmp, "missing.log"), env=ZH),
                   "無法開啟：" + os.strerror(errno.ENOENT))

    def test_incident_audit_registers(self):
        policy = self.file("policy.ini", "[clocks]\nbogus = 3h\n")
        self.check(self.hub.cli("incident", "rules", "--set", f"incident.policy_file={policy}",
                                env=ZH), "未知的鍵「bogus」")
        self.check(self.hub.cli("register", "bcm-services", "add", "--org", "bank-a", "-f",
                                "code=deposits", "-f", "name=D", "-f", "mtpd_hours=4h", "-f",
                                "rto_hours=2", env=ZH), "必須是數字")
        self.check(self.hub.cli("register", "bcm-services", "import",
                                self.file("reg.csv", 'code,name\n"x,1\n'), "--org", "bank-a",
                                env=ZH), "儲存格未結束")

    def test_audit_verify(self):
        h = Hub()
        try:
            p = h.cli("org", "add", "--code", "bank-b", "--name-zh", "乙", "--name-en", "B",
                      "--industry", "bank", "--tier", "large")
            self.assertEqual(p.returncode, 0, p.stderr)
            db = h.db()  # sqlite3, or psql on PostgreSQL (pg.* run)
            db.execute("UPDATE audit_log SET actor_name = 'somebody' WHERE seq = 2")
            db.commit()
            db.close()
            self.check(h.cli("audit", "verify", env=ZH), "第 2 筆紀錄遭竄改")
        finally:
            h.cleanup()

    def test_vault(self):
        repo = os.path.join(self.tmp, "repo")
        pw = self.file("pw", "a long enough password\n")
        self.check(run("vault", "init", "--repo", repo, "--password-file", pw, "--kdf", "fast",
                       env=ZH), "--kdf 只接受", rc=2)
        run("vault", "init", "--repo", repo, "--password-file", pw, "--kdf", "min", check=True)
        data = os.path.join(self.tmp, "data")
        os.makedirs(data, exist_ok=True)
        self.file("data/a.bin", os.urandom(200000), "wb")
        self.file("data/b.txt", "hello\n")
        run("vault", "backup", "--repo", repo, "--password-file", pw, "--quiet", data, check=True)
        packs = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(repo, "data")) for f in fs]
        pack = max(packs, key=os.path.getsize)
        os.chmod(pack, 0o644)
        with open(pack, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 0x10]))
        self.check(run("vault", "verify", "--repo", repo, "--password-file", pw, "--read-data",
                       env=ZH), "已損毀", "使用者：快照 ")


class Http(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub().start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def test_detail_in_both_languages(self):
        body = org_body("b2")
        del body["code"]
        r = self.hub.admin("POST", "/api/v1/orgs", body)
        self.assertEqual(r.status, 400)
        e = r.json()["error"]
        self.assertEqual(e["detail"], 'missing required field "code"')
        self.assertEqual(e["detail_zh"], "缺少必填欄位「code」")
        self.assertEqual(e["where"], "$.code")
        r = self.hub.admin("GET", "/api/v1/orgs/no-such-org")
        self.assertEqual(r.status, 404)
        e = r.json()["error"]
        self.assertEqual(e["detail_zh"], "沒有機構「no-such-org」")
        self.assertEqual(e["title_zh"], "找不到指定的項目")

    def test_detail_zh_of_a_bare_code(self):
        r = self.hub.request("GET", "/api/v1/orgs")  # no token
        self.assertEqual(r.status, 401)
        e = r.json()["error"]
        self.assertTrue(e["detail_zh"])
        self.assertNotEqual(e["detail_zh"], e["detail"])


if __name__ == "__main__":
    unittest.main()
