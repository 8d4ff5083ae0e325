"""`finshield demo` and the portal (issue #14, "done when"): the demo prints, once, a sample user
of each role with a password it set, each of which signs in to the portal; a later run of the demo
prints no password again and says how to set one; `serve` names the portal's address."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hubtest import BIN, ENV, Hub, run  # noqa: E402

SIGNIN = re.compile(r"^  (\S+)\s+([a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4}-[a-zA-Z0-9]{4})\s+(\S+)", re.M)


class DemoPortal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fs-demo-portal-")
        p = run("demo", "--data", cls.dir, "--no-serve")
        assert p.returncode == 0, p.stderr
        cls.first = p.stderr
        cls.signins = SIGNIN.findall(p.stderr)
        cls.hub = Hub.existing(cls.dir)  # no init: the demo made it

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def test_a_user_of_each_role_signs_in_with_the_printed_password(self):
        self.assertIn("Portal sign-ins", self.first)
        roles = {role for _, _, role in self.signins}
        self.assertEqual(roles, {"member-analyst", "member-admin", "hub-analyst", "hub-admin", "supervisor"},
                         self.first)
        self.assertIn("assoc-013-analyst", [u for u, _, _ in self.signins])  # a response team's member
        self.hub.start()
        for user, password, role in self.signins:
            r = self.hub.request("POST", "/api/v1/session",
                                 body={"username": user, "password": password, "cookie": True})
            self.assertEqual(r.status, 201, (user, r))
            self.assertEqual(r.json()["user"]["role"], role)
            self.assertIn("fs_session=", r.headers["Set-Cookie"])
        r = self.hub.request("POST", "/api/v1/session",
                             body={"username": self.signins[0][0], "password": "not-the-password-1"})
        self.assertEqual(r.status, 401)
        self.assertEqual(self.hub.stop(), 0)  # no leak, no crash (tearDownClass finds it stopped)

    def test_the_passwords_are_printed_once(self):
        p = run("demo", "--data", self.dir, "--no-serve")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(self.signins, self.first)
        for _, password, _ in self.signins:
            self.assertNotIn(password, p.stdout + p.stderr)
        self.assertIn("passwords were shown when the sector was made", p.stderr)
        self.assertIn("finshield user passwd", p.stderr)

    def test_serve_names_the_portal(self):
        proc = subprocess.Popen([BIN, "serve", "--data", self.dir, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
        try:
            first = proc.stdout.readline()
            second = proc.stdout.readline()
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=60), 0)
            proc.stdout.close()
        url = re.search(r"(https?://\S+?/) ", first).group(1)
        self.assertEqual(second.strip(), f"The portal: {url} (sign in with a user's name and password)")


if __name__ == "__main__":
    unittest.main()
