"""Messages come whole in the reader's language: the CLI prints an error's message in zh-TW (the
default) or English, not only its first words, and HTTP error bodies carry `detail_zh` beside
`detail`. The catalogue itself is checked by lint.messages (scripts/messages.py). (#18 item 12)"""
import os
import tempfile
import unittest

from hubtest import ENV, Hub, org_body, run

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


class Http(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub().start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.cleanup()

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
