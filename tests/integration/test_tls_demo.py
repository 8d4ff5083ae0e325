"""TLS with a self-signed pair (also off loopback; added to an existing hub by init
--self-signed), and `finshield demo`: the sample sector is created once, reused later, and served
with syslog listeners on loopback: the logger line the demo prints raises an alert that
`finshield soc alerts` shows."""
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from hubtest import BIN, ENV, Hub, run, wait_for


def free_port():
    """A port free for both TCP and UDP on 127.0.0.1 (the demo listens on both)."""
    while True:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()


class Tls(unittest.TestCase):
    def test_https_with_self_signed_pair(self):
        hub = Hub(init_args=("--self-signed",))
        try:
            hub.write_config("[http]\ntls_cert = tls/cert.pem\ntls_key = tls/key.pem\n")
            self.assertTrue(os.path.exists(hub.path("tls", "cert.pem")))
            hub.start(listen="0.0.0.0:0")
            self.assertTrue(hub.url.startswith("https://"))
            hub.url = hub.url.replace("0.0.0.0", "127.0.0.1")
            r = hub.admin("GET", "/api/v1/me")
            self.assertEqual(r.status, 200)
            out = subprocess.run(["curl", "-sk", "--tls-max", "1.1", hub.url + "/healthz"],
                                 capture_output=True)
            self.assertNotEqual(out.returncode, 0, "TLS 1.1 must be refused")
            self.assertEqual(hub.stop(), 0)
        finally:
            hub.cleanup()

    def test_self_signed_on_an_existing_hub(self):
        """The README's order: init, serve, then init --self-signed on the same folder adds the
        pair (and nothing else: no new token); a second time it refuses to replace it."""
        hub = Hub()
        try:
            self.assertFalse(os.path.exists(hub.path("tls", "cert.pem")))
            p = run("init", "--data", hub.dir, "--self-signed")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            self.assertIn("Self-signed certificate written to", p.stderr)
            for f in ("cert.pem", "key.pem"):
                self.assertTrue(os.path.exists(hub.path("tls", f)))
            with open(hub.path("tls", "cert.pem")) as f:
                cert = f.read()
            p = run("init", "--data", hub.dir, "--self-signed")
            self.assertEqual(p.returncode, 1)
            self.assertIn("cert.pem: a TLS pair exists already", p.stderr)
            with open(hub.path("tls", "cert.pem")) as f:
                self.assertEqual(f.read(), cert)
            p = run("init", "--data", hub.dir, "--self-signed", "--admin", "bob")
            self.assertEqual(p.returncode, 2)
            p = run("init", "--data", hub.dir)
            self.assertEqual(p.returncode, 1)
            self.assertIn("a hub already exists here", p.stderr)
            # and the hub serves HTTPS with it
            hub.write_config("[http]\ntls_cert = tls/cert.pem\ntls_key = tls/key.pem\n")
            hub.start()
            self.assertTrue(hub.url.startswith("https://"))
            self.assertEqual(hub.admin("GET", "/api/v1/me").status, 200)
            self.assertEqual(hub.stop(), 0)
        finally:
            hub.cleanup()


class Demo(unittest.TestCase):
    def test_demo_creates_once_and_reuses(self):
        d = tempfile.mkdtemp()
        try:
            p = run("demo", "--data", d, "--no-serve")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout, r"^fsk_\S+\n$")
            admin = p.stdout.strip()
            self.assertIn("376 institutions", p.stderr)
            orgs = json.loads(run("org", "list", "--data", d, "--json").stdout)
            members = [o for o in orgs if o["industry"] not in ("hub", "regulator")]
            self.assertEqual(len(members), 376)
            industries = {o["industry"] for o in members}
            for i in ("bank", "securities", "futures", "insurance", "bills_finance", "credit_card",
                      "electronic_payment", "financial_holding", "peripheral", "association"):
                self.assertIn(i, industries)
            self.assertTrue(all(o["sample"] for o in members))
            self.assertTrue(all("範例" in o["name_zh"] and "ample" in o["name_en"] for o in members))
            groups = [o for o in members if o["parent_code"]]
            self.assertGreater(len(groups), 50)
            users = run("user", "list", "--data", d, "--json").stdout
            for role in ("hub-admin", "hub-analyst", "member-admin", "member-analyst", "supervisor"):
                self.assertIn(role, users)
            # The shared response teams (#18 item 16): every holding group's, support teams, the CERT.
            teams = json.loads(run("incident", "team", "list", "--data", d, "--json").stdout)["items"]
            kinds = [t["kind"] for t in teams]
            self.assertEqual(kinds.count("group"), 16)
            self.assertGreaterEqual(kinds.count("support"), 2)
            self.assertEqual([t["org_code"] for t in teams if t["kind"] == "cert"], ["hub"])
            self.assertTrue(all(t["members"] and t["available"] for t in teams))
            self.assertIn([], [t["serves"] for t in teams if t["kind"] == "support"])  # one serves all
            # Deterministic: a second sector made elsewhere has the same codes and names.
            d2 = tempfile.mkdtemp()
            run("demo", "--data", d2, "--no-serve", check=True)
            orgs2 = json.loads(run("org", "list", "--data", d2, "--json").stdout)
            self.assertEqual([(o["code"], o["name_zh"]) for o in orgs], [(o["code"], o["name_zh"]) for o in orgs2])
            shutil.rmtree(d2)
            # Run again: reused, nothing duplicated, no new token printed.
            p = run("demo", "--data", d, "--no-serve")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            self.assertIn("Reusing", p.stderr)
            self.assertEqual(len(json.loads(run("org", "list", "--data", d, "--json").stdout)), len(orgs))
            self.assertEqual(run("audit", "verify", "--data", d).returncode, 0)
            # And it serves, with syslog on loopback: the logger line it prints raises an alert.
            self.serve_and_send(d, admin)
        finally:
            shutil.rmtree(d)

    def serve_and_send(self, d, admin):
        port = free_port()
        err_path = os.path.join(d, "demo.stderr")
        with open(err_path, "w") as err:
            proc = subprocess.Popen([BIN, "demo", "--data", d, "--listen", "127.0.0.1:0",
                                     "--syslog", "127.0.0.1:%d" % port],
                                    stdout=subprocess.PIPE, stderr=err, text=True, env=ENV)
        try:
            line = proc.stdout.readline()  # after the listeners have started
            self.assertIn("http://127.0.0.1:", line)
            # Help for a group subsidiary's case is brokered: the group's team first, then the
            # support teams, then the CERT.
            url = re.search(r"(http://\S+?)/? ", line).group(1)

            def call(method, path, body=None):
                req = urllib.request.Request(url + path, method=method,
                                             data=json.dumps(body).encode() if body else None,
                                             headers={"Authorization": "Bearer " + admin,
                                                      "Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    return json.loads(r.read())

            case = call("POST", "/api/v1/incidents", {
                "org": "bank-001", "title": "Ransomware (sample)", "category": "ransomware",
                "discovered_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600)),
                "impact": {"system_class": "core", "confidentiality": "none", "integrity": "minor",
                           "availability": "beyond_mtpd"}})
            ranked = call("GET", f"/api/v1/incidents/{case['id']}/matches?skills=forensics")["candidates"]
            self.assertEqual(ranked[0]["team"], "fhc-001-irt")
            self.assertEqual(ranked[-1]["team"], "hub-cert")
            self.assertIn("assoc-001-support", [c["team"] for c in ranked])
            with open(err_path) as f:
                said = f.read()
            self.assertIn("Syslog: TCP 127.0.0.1:%d, UDP 127.0.0.1:%d" % (port, port), said)
            self.assertIn("count as bank-001's", said)
            cmd = re.search(r"^  (logger --server .*)$", said, re.M)
            self.assertTrue(cmd, said)
            self.assertIn("--port %d --tcp" % port, cmd.group(1))
            self.assertIn("finshield soc alerts --data %s" % d, said)
            # The same line as a person would paste it.
            subprocess.run(shlex.split(cmd.group(1)), check=True, timeout=30)
            value = re.search(r"dst=(\S+)\"", cmd.group(1)).group(1)
            def alerts():
                p = run("soc", "alerts", "--data", d, "--kind", "ioc", "--json")
                self.assertEqual(p.returncode, 0, p.stderr)
                return [a for a in json.loads(p.stdout)
                        if a["value"] == value and a["source"].startswith("syslog-tcp:127.0.0.1")]
            found = wait_for(alerts, "an alert for %s; the demo said:\n%s" % (value, said), step=0.2)
            self.assertEqual(found[0]["org_code"], "bank-001")
            self.assertEqual(found[0]["kind"], "ioc")
            # The table a person reads shows it too.
            self.assertIn(value, run("soc", "alerts", "--data", d, "--kind", "ioc").stdout)
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=60), 0)
            proc.stdout.close()


class OpenApiCoversRoutes(unittest.TestCase):
    def test_every_route_is_documented(self):
        import re
        with open("src/http/routes.c") as f:
            routes = re.findall(r'\{"(GET|POST|PATCH|DELETE|PUT)", "([^"]+)"', f.read())
        with open("docs/openapi.yaml") as f:
            doc = f.read()
        for method, pattern in routes:
            if pattern == "/":
                continue
            rx = "^  " + re.escape(pattern).replace(r"\{\}", r"\{[a-z_]+\}") + ":$"
            self.assertTrue(re.search(rx, doc, re.M), f"{method} {pattern} is not in docs/openapi.yaml")


if __name__ == "__main__":
    unittest.main()
