"""Incident response end to end over real HTTP, with a simulated clock (hub.clock_file): a level-3
ransomware incident at a holding-group subsidiary from the report to the closing report, an
overdue clock escalated by serve's worker (e-mail received by a real local SMTP server from
Debian, a signed webhook), help served by the group's own response team, bad input refused with
nothing written, optimistic versions, evidence, statistics, and indicators published as STIX
without any trace of the reporter."""
import base64
import datetime
import email
import email.header
import hashlib
import hmac
import http.server
import json
import mailbox
import os
import re
import socket
import subprocess
import threading
import time
import unittest

from hubtest import Hub, free_port, org_body, wait_for, write_clock

T0 = datetime.datetime(2026, 3, 2, 1, 0, 0, tzinfo=datetime.timezone.utc)  # 09:00 in Taipei
SECRET = "webhook-test-secret"


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class MailServer:
    """A real SMTP server from Debian's python3-aiosmtpd, delivering into a Maildir. Installed by
    the project's own installer when missing (CI runs as root on a fresh Debian 12)."""

    PYTHON = "/usr/bin/python3"

    def __init__(self, root):
        if subprocess.run([self.PYTHON, "-c", "import aiosmtpd"], capture_output=True).returncode:
            subprocess.run(["scripts/install-deps.sh"], check=True)
        self.maildir = os.path.join(root, "maildir")
        self.port = free_port()
        self.log = open(os.path.join(root, "smtpd.log"), "w")
        self.proc = subprocess.Popen([self.PYTHON, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:%d" % self.port,
                                      "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.listening, "the SMTP server to listen")

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def messages(self):
        if not os.path.isdir(self.maildir):
            return []
        out = []
        for m in mailbox.Maildir(self.maildir, create=False):
            subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
            body = m.get_payload(decode=True).decode("utf-8")
            out.append({"to": m["To"], "subject": subject, "body": body})
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


class Webhooks(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhooks.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Incident(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.clock = None
        hub = Hub()
        cls.hub = hub
        cls.mail = MailServer(hub.dir)
        cls.web = http.server.HTTPServer(("127.0.0.1", 0), Webhooks)
        threading.Thread(target=cls.web.serve_forever, daemon=True).start()
        cls.clock_path = hub.path("clock.txt")
        cls.set_clock(T0)
        hub.write_config(
            "[auth]\nargon2 = interactive\n"
            "[http]\naccess_log = off\nrate_per_second = 0\n"
            "[hub]\nclock_file = %s\n"
            "[incident]\nmax_evidence_bytes = 4096\nworker_interval_ms = 200\n"
            "[notify]\nsmtp_url = smtp://127.0.0.1:%d\nsmtp_from = cert@hub.example\n"
            "hub_email = cert@hub.example\nwebhook_url = http://127.0.0.1:%d/hook\n"
            "webhook_secret = %s\nretry_base_s = 1\n"
            % (cls.clock_path, cls.mail.port, cls.web.server_address[1], SECRET))
        hub.start()
        a = hub.admin
        for body in (org_body("fhc-x", "financial_holding"),
                     org_body("bank-x", parent_id="fhc-x", name_zh="範例商業銀行", name_en="Example Commercial Bank",
                              contacts=[{"role": "ciso", "name": "資安長", "email": "ciso@bank-x.example"}]),
                     org_body("bank-y"), org_body("assoc-b", "association"),
                     {"code": "fsc", "name_zh": "主管機關", "name_en": "Supervisor", "industry": "regulator",
                      "size_tier": "large"}):
            assert a("POST", "/api/v1/orgs", body).status == 201
        cls.tokens, cls.user_ids = {}, {}
        for user, org, role in (("alice", "bank-x", "member-analyst"), ("yuri", "bank-y", "member-analyst"),
                                ("grp-lead", "fhc-x", "member-analyst"), ("grp-admin", "fhc-x", "member-admin"),
                                ("assoc-ir", "assoc-b", "member-analyst"), ("ana", "hub", "hub-analyst"),
                                ("sup", "fsc", "supervisor")):
            r = a("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user, "role": role})
            assert r.status == 201, r
            cls.user_ids[user] = r.json()["id"]
            cls.tokens[user] = a("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        # The shared response teams of the action plan.
        teams = ({"org": "fhc-x", "code": "fhc-x-irt", "name_zh": "甲金控應變小組", "name_en": "Group X IRT",
                  "kind": "group", "skills": ["forensics", "ransomware_recovery", "active_directory"],
                  "contact_email": "irt@fhc-x.example"},
                 {"org": "assoc-b", "code": "bankers-support", "name_zh": "公會支援小組", "name_en": "Bankers support",
                  "kind": "support", "skills": ["forensics", "ddos_mitigation"], "serves": ["bank"]},
                 {"org": "hub", "code": "f-cert", "name_zh": "金融資安應變中心", "name_en": "Sector CERT",
                  "kind": "cert", "skills": ["forensics", "malware_analysis"]})
        for t in teams:
            r = cls.req("ana", "POST", "/api/v1/teams", t)
            assert r.status == 201, r
        r = cls.req("grp-admin", "POST", "/api/v1/teams/fhc-x-irt/members", {"user": "grp-lead"})
        assert r.status == 201, r
        assert cls.req("ana", "POST", "/api/v1/teams/bankers-support/members", {"user": "assoc-ir"}).status == 201

    @classmethod
    def tearDownClass(cls):
        rc = cls.hub.stop()
        cls.mail.stop()
        cls.web.shutdown()
        cls.hub.cleanup()
        assert rc == 0, f"serve exited with {rc} (leak or crash?)"

    @classmethod
    def set_clock(cls, t):
        cls.now = t
        write_clock(cls.clock_path, t)

    @classmethod
    def req(cls, who, method, path, body=None, **kw):
        return cls.hub.request(method, path, token=cls.tokens[who], body=body, **kw)

    def count_incidents(self):
        return len(self.req("ana", "GET", "/api/v1/incidents?limit=1000").json()["items"])

    def report_body(self, **extra):
        body = {"title": "勒索軟體加密核心帳務系統", "description": "Core banking servers encrypted.\nRansom note found.",
                "discovered_at": iso(self.now - datetime.timedelta(minutes=30)), "category": "ransomware",
                "services": ["core banking", "ATM"],
                "impact": {"system_class": "core", "data_class": "core", "confidentiality": "none",
                           "integrity": "minor", "availability": "beyond_mtpd"},
                "indicators": [{"type": "ipv4-addr", "value": "203.0.113.66"},
                               {"type": "domain-name", "value": "evil-c2.example.net"},
                               {"type": "file-sha256", "value": "ab" * 32},
                               {"type": "ipv4-addr", "value": "10.1.2.3", "internal": True,
                                "note": "our own file server"}],
                "tlp": "amber", "hide_reporter": True}
        body.update(extra)
        return body

    def test_policy_file_edited_while_serving(self):
        """#18 item 6: an edit of the policy file applies at once; an invalid edit does not make
        callers' requests fail: the last good policy stays in force and the hub logs the error
        once with file:line, in the words the CLI uses."""
        policy = self.hub.path("incident-policy.ini")

        def put(text):
            with open(policy + ".tmp", "w") as f:
                f.write(text)
            os.replace(policy + ".tmp", policy)

        def review_l3():
            r = self.req("yuri", "GET", "/api/v1/incidents/rules")
            self.assertEqual(r.status, 200, r)
            return r.json()["clocks"]["default"]["review_l3"]

        try:
            put("[clocks]\nreview_l3 = 1h\n")
            self.assertEqual(review_l3(), "1h")
            put("[clocks]\nreview_l3 = 1h\n[industry.bank]\nreview_l3 = 3h\n")
            self.assertEqual(review_l3(), "1h")  # the last good policy
            r = self.req("yuri", "GET", "/api/v1/incidents")
            self.assertEqual(r.status, 200, r)
            cli = self.hub.cli("incident", "rules")
            self.assertEqual(cli.returncode, 1)
            msg = cli.stderr.strip().split(": ", 2)[2]  # "finshield: invalid input: FILE:LINE: what"
            self.assertTrue(msg.startswith(policy + ":4: review_l3 for bank is longer"), msg)
            logged = wait_for(lambda: [l for l in open(self.hub.stderr_path) if "incident.policy_invalid" in l],
                              "the error in the hub's log")
            self.assertIn("level=error", logged[0])
            self.assertIn(policy + ":4", logged[0])
            self.assertIn("review_l3 for bank is longer than the default 1h", logged[0])
            self.assertEqual(review_l3(), "1h")
            self.assertEqual(len([l for l in open(self.hub.stderr_path) if "incident.policy_invalid" in l]), 1)  # once
            put("[clocks]\nreview_l3 = 90m\n")
            self.assertEqual(review_l3(), "90m")
        finally:
            os.unlink(policy)
        self.assertEqual(review_l3(), "2h")  # no file: the legal defaults

    def test_ransomware_walk(self):
        T = self.set_clock
        T(T0)
        # --- bad input: clear 4xx, nothing written -------------------------------------------------
        before = self.count_incidents()
        r = self.req("alice", "POST", "/api/v1/incidents",
                     self.report_body(discovered_at=iso(T0 + datetime.timedelta(hours=2))))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["error"]["where"], "$.discovered_at")
        r = self.req("alice", "POST", "/api/v1/incidents", self.report_body(category="alien-invasion"))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["where"], "$.category")
        r = self.req("alice", "POST", "/api/v1/incidents", self.report_body(org="bank-y"))
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count_incidents(), before)

        # --- the report: level 3 proposed by rule 3.d, clocks started --------------------------------
        r = self.req("alice", "POST", "/api/v1/incidents", self.report_body())
        self.assertEqual(r.status, 201, r)
        inc = r.json()
        iid, ref = inc["id"], inc["ref"]
        self.assertRegex(ref, r"^INC-bank-x-2026-\d{4}$")  # numbered within bank-x
        self.assertEqual(inc["level"], 3)
        self.assertEqual(inc["level_state"], "proposed")
        self.assertEqual(inc["proposal"]["rule"], "3.d")
        self.assertEqual(inc["proposal"]["reason_en"], "Level 3: core system not restored within MTPD (rule 3.d)")
        self.assertIn("規則 3.d", inc["proposal"]["reason_zh"])
        self.assertIn("2.b", inc["proposal"]["matched"])
        clocks = {c["clock"]: c for c in inc["clocks"]}
        self.assertEqual(clocks["report"]["state"], "met")
        self.assertEqual(clocks["review"]["state"], "running")
        self.assertEqual(clocks["review"]["duration"], "2h")
        self.assertEqual(clocks["review"]["seconds_left"], 2 * 3600)
        self.assertEqual(clocks["review"]["due_local"], "2026-03-02 11:00:00 +08:00")
        self.assertEqual(clocks["recovery"]["duration"], "36h")
        self.assertEqual(clocks["investigation"]["state"], "pending")
        self.assertEqual(inc["times"]["discovered_local"], "2026-03-02 08:30:00 +08:00")

        # Visibility: another member and a team not (yet) on the case do not see it at all.
        self.assertEqual(self.req("yuri", "GET", f"/api/v1/incidents/{iid}").status, 404)
        self.assertEqual(self.req("grp-lead", "GET", f"/api/v1/incidents/{iid}").status, 404)
        self.assertNotIn(iid, [i["id"] for i in self.req("yuri", "GET", "/api/v1/incidents").json()["items"]])
        self.assertEqual(self.req("sup", "GET", f"/api/v1/incidents/{iid}").status, 200)
        # A team assigning itself to a case it may not see: 404, nothing written.
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/assignments", {"team": "fhc-x-irt"})
        self.assertEqual(r.status, 404)
        # ... and a member of the reporting organisation may not assign teams either (hub only).
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/assignments", {"team": "fhc-x-irt"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.req("ana", "GET", f"/api/v1/incidents/{iid}/assignments").json()["items"], [])

        # --- three hours on: the level review (2 h for level 3) is overdue and escalated ------------
        T(T0 + datetime.timedelta(hours=3))
        def escalated():
            tl = self.req("ana", "GET", f"/api/v1/incidents/{iid}/timeline").json()["items"]
            return [e for e in tl if e["kind"] == "escalated"]
        esc = wait_for(escalated, "the escalation of the overdue review clock")
        self.assertIn("review clock is overdue", esc[0]["text"])
        self.assertIn("等級審核期限已逾期", esc[0]["text_zh"])
        # The hub's own words come in both languages; what a person wrote (the title) as written.
        tl = self.req("ana", "GET", f"/api/v1/incidents/{iid}/timeline").json()["items"]
        found = {e["kind"]: e for e in tl}
        self.assertEqual(found["discovered"]["text_zh"], "通報機構知悉此事件")
        self.assertTrue(found["level_proposed"]["text_zh"].startswith("建議"))
        self.assertIsNone(found["reported"]["text_zh"])
        inc = self.req("alice", "GET", f"/api/v1/incidents/{iid}").json()
        self.assertTrue(inc["overdue"])
        review = [c for c in inc["clocks"] if c["clock"] == "review"][0]
        self.assertEqual(review["state"], "overdue")
        self.assertEqual(review["seconds_overdue"], 3600)
        overdue = self.req("ana", "GET", "/api/v1/incidents?overdue=1").json()["items"]
        self.assertIn(iid, [i["id"] for i in overdue])
        # The member's CISO and the hub got an e-mail through the real SMTP server ...
        mails = wait_for(lambda: [m for m in self.mail.messages() if "review" in m["body"] and ref in m["subject"]]
                         and [m for m in self.mail.messages() if ref in m["subject"]], "the e-mails")
        rcpts = {m["to"] for m in wait_for(lambda: [m for m in self.mail.messages() if "逾期" in m["body"]]
                                           if len({m["to"] for m in self.mail.messages() if "逾期" in m["body"]}) >= 2
                                           else None, "both escalation e-mails")}
        self.assertEqual(rcpts, {"<ciso@bank-x.example>", "<cert@hub.example>"})
        self.assertTrue(any("Asia/Taipei" in m["body"] and "2026-03-02 11:00:00" in m["body"] for m in mails))
        # ... and the webhook a post signed with HMAC-SHA256.
        hook = wait_for(lambda: [h for h in Webhooks.received if h[0].get("X-Finshield-Event") == "incident.overdue"],
                        "the signed webhook")
        headers, body = hook[0]
        want = "sha256=" + hmac.new(SECRET.encode(), headers["X-Finshield-Timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Finshield-Signature"], want)
        self.assertEqual(json.loads(body)["incident"]["ref"], ref)
        notes = self.req("ana", "GET", f"/api/v1/incidents/{iid}/notifications").json()["items"]
        self.assertTrue(any(n["event"] == "incident.overdue" and n["status"] == "sent" for n in notes))
        self.assertEqual(self.req("alice", "GET", f"/api/v1/incidents/{iid}/notifications").status, 403)

        # --- the hub reviews the level: confirming needs no reason, changing it does ----------------
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/level", {"level": 3})
        self.assertEqual(r.status, 403)
        r = self.req("ana", "POST", f"/api/v1/incidents/{iid}/level", {"level": 4})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["where"], "$.reason")
        r = self.req("ana", "POST", f"/api/v1/incidents/{iid}/level", {"level": 3, "version": inc["version"]})
        self.assertEqual(r.status, 200, r)
        inc = r.json()
        self.assertEqual(inc["level_state"], "reviewed")
        self.assertEqual([c for c in inc["clocks"] if c["clock"] == "review"][0]["state"], "late")

        # --- help: the holding group's own team comes first ------------------------------------------
        m = self.req("alice", "GET", f"/api/v1/incidents/{iid}/matches?skills=forensics,ransomware_recovery").json()
        self.assertEqual([c["team"] for c in m["candidates"]], ["fhc-x-irt", "bankers-support", "f-cert"])
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/help",
                     {"skills": ["forensics", "ransomware_recovery"], "note": "需要鑑識支援"})
        self.assertEqual(r.status, 201, r)
        help_ = r.json()
        self.assertEqual(help_["ranking"]["candidates"][0]["team"], "fhc-x-irt")
        aid = help_["offered_assignment"]
        # Why a team is left out, in both languages (#18 item 12).
        m = self.req("alice", "GET", f"/api/v1/incidents/{iid}/matches?skills=forensics").json()
        asked = [x for x in m["excluded"] if x["team"] == "fhc-x-irt"]
        self.assertEqual(asked, [{"team": "fhc-x-irt", "reason": "already offered or assigned",
                                  "reason_zh": "已請求協助或已指派"}])
        # The offered team sees the case but may not work it before accepting; others may not answer.
        self.assertEqual(self.req("grp-lead", "GET", f"/api/v1/incidents/{iid}").status, 200)
        self.assertEqual(self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/timeline", {"text": "x"}).status, 403)
        self.assertEqual(self.req("alice", "POST", f"/api/v1/incidents/{iid}/assignments/{aid}/accept").status, 403)
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/assignments/{aid}/accept",
                     {"note": "集團應變小組出動"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["items"][0]["status"], "accepted")
        tl = self.req("grp-lead", "GET", f"/api/v1/incidents/{iid}/timeline").json()["items"]
        acc = [e for e in tl if e["kind"] == "team_accepted"][-1]
        self.assertEqual(acc["text_zh"], "應變小組 fhc-x-irt 已接受：集團應變小組出動")
        self.assertEqual(self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/assignments/{aid}/decline").status, 409)
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/timeline", {"text": "Forensic images taken of 12 servers."})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(any(i["id"] == iid for i in self.req("grp-lead", "GET", "/api/v1/incidents").json()["items"]))
        wait_for(lambda: [m for m in self.mail.messages() if m["to"] == "<irt@fhc-x.example>"], "the team's e-mail")

        # --- tasks with owners, due times and versions -----------------------------------------------
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/tasks",
                     {"title": "Rebuild domain controllers", "owner": "grp-lead",
                      "due_at": iso(self.now + datetime.timedelta(hours=12))})
        self.assertEqual(r.status, 201, r)
        task = r.json()["items"][0]
        r = self.req("alice", "PATCH", f"/api/v1/incidents/{iid}/tasks/{task['id']}",
                     {"status": "done", "version": task["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.req("grp-lead", "PATCH", f"/api/v1/incidents/{iid}/tasks/{task['id']}",
                     {"status": "cancelled", "version": task["version"]})
        self.assertEqual(r.status, 409)
        self.assertEqual(self.req("alice", "GET", f"/api/v1/incidents/{iid}/tasks").json()["items"][0]["status"], "done")

        # --- evidence: SHA-256, size limit, nothing written when refused -----------------------------
        data = b"ransom note: pay 10 BTC\n" * 20
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/evidence?name=ransom%20note.txt",
                     raw=data, headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 201, r)
        ev = r.json()["items"][0]
        self.assertEqual(ev["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(ev["size"], len(data))
        r = self.req("alice", "GET", f"/api/v1/incidents/{iid}/evidence/{ev['id']}")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body.encode(), data)
        self.assertIn("ransom%20note.txt", r.headers["Content-Disposition"])
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/evidence?name=disk.img", raw=b"\0" * 5000,
                     headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status, 413)
        self.assertEqual(len(self.req("alice", "GET", f"/api/v1/incidents/{iid}/evidence").json()["items"]), 1)
        self.assertEqual(self.req("yuri", "GET", f"/api/v1/incidents/{iid}/evidence/{ev['id']}").status, 404)

        # --- workflow: times validated, versions enforced --------------------------------------------
        inc = self.req("alice", "GET", f"/api/v1/incidents/{iid}").json()
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status",
                     {"status": "recovered", "at": iso(T0 - datetime.timedelta(hours=5))})
        self.assertEqual(r.status, 400)
        self.assertIn("before the discovery", r.json()["error"]["detail"])
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status", {"status": "triaged", "version": inc["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.req("alice", "PATCH", f"/api/v1/incidents/{iid}", {"title": "stale", "version": inc["version"]})
        self.assertEqual(r.status, 409)
        self.assertNotEqual(self.req("alice", "GET", f"/api/v1/incidents/{iid}").json()["title"], "stale")
        T(T0 + datetime.timedelta(hours=10))
        r = self.req("grp-lead", "POST", f"/api/v1/incidents/{iid}/status", {"status": "contained",
                                                                           "note": "infected hosts isolated"})
        self.assertEqual(r.status, 200, r)
        T(T0 + datetime.timedelta(hours=30))
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status", {"status": "recovered"})
        self.assertEqual(r.status, 200, r)
        clocks = {c["clock"]: c for c in r.json()["clocks"]}
        self.assertEqual(clocks["recovery"]["state"], "met")
        self.assertEqual(clocks["investigation"]["state"], "running")
        self.assertEqual(clocks["investigation"]["duration"], "30d")

        # --- the closing report: seven parts, closing needs all -------------------------------------
        parts = {"times": "發現 08:30、通報 09:00、控制 19:00、復原翌日 15:00", "scope": "核心帳務 12 台伺服器",
                 "damage_control": "隔離網段、停用遭入侵帳號", "investigation": "鑑識映像分析",
                 "root_cause": "VPN 帳號遭撞庫", "preventive_measures": "VPN 加上多因素驗證"}
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/closing-report", {"parts": parts})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["missing"], ["follow_up"])
        self.assertEqual(self.req("alice", "POST", f"/api/v1/incidents/{iid}/status", {"status": "closed"}).status, 409)
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/closing-report",
                     {"parts": {"follow_up": "每月追蹤至 2026 年底"}, "version": r.json()["version"]})
        self.assertTrue(r.json()["complete"], r)
        T(T0 + datetime.timedelta(days=3))
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status", {"status": "closed"})
        self.assertEqual(r.status, 200, r)
        clocks = {c["clock"]: c["state"] for c in r.json()["clocks"]}
        self.assertEqual(clocks, {"report": "met", "review": "late", "recovery": "met", "investigation": "met"})

        # --- indicators shared as intelligence, the reporter hidden ----------------------------------
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/publications", {"tlp": "amber", "hide_reporter": True})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.req("yuri", "POST", f"/api/v1/incidents/{iid}/publications", {}).status, 404)
        pubs = self.req("alice", "GET", f"/api/v1/incidents/{iid}/publications").json()["items"]
        self.assertEqual(len(pubs), 1)
        bundle = pubs[0]["bundle"]
        text = json.dumps(bundle, ensure_ascii=False)
        org = self.req("alice", "GET", "/api/v1/orgs/bank-x").json()
        for trace in (org["id"], org["code"], org["name_zh"], org["name_en"], self.user_ids["alice"], "alice",
                      "10.1.2.3", "勒索軟體加密核心帳務系統", "fhc-x"):
            self.assertNotIn(trace, text)
        self.assertEqual(bundle["type"], "bundle")
        idents = [o for o in bundle["objects"] if o["type"] == "identity"]
        self.assertEqual(len(idents), 1)
        inds = [o for o in bundle["objects"] if o["type"] == "indicator"]
        self.assertEqual({i["pattern"] for i in inds},
                         {"[ipv4-addr:value = '203.0.113.66']", "[domain-name:value = 'evil-c2.example.net']",
                          "[file:hashes.'SHA-256' = '%s']" % ("ab" * 32)})
        for i in inds:
            self.assertEqual(i["created_by_ref"], idents[0]["id"])
            self.assertEqual(i["object_marking_refs"], ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"])
            self.assertEqual(i["spec_version"], "2.1")
            self.assertEqual(i["pattern_type"], "stix")
        # Handed to intelligence: stored as a submission, anonymous, under TLP:AMBER.
        self.assertTrue(pubs[0]["handed_over"])
        found = self.hub.admin("GET", "/api/v1/intel/search?value=203.0.113.66").json()["items"]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["tlp"], "amber")
        self.assertTrue(found[0]["source"]["anonymous"])
        self.assertNotIn(org["code"], json.dumps(found[0]["object"], ensure_ascii=False))
        self.assertEqual(self.req("yuri", "GET", "/api/v1/intel/search?value=203.0.113.66").json()["items"], [])

        # --- statistics -----------------------------------------------------------------------------
        st = self.req("sup", "GET", "/api/v1/incidents/stats?from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z").json()
        self.assertEqual(st["scope"], "sector")
        self.assertEqual(st["incidents"], 1)
        self.assertGreaterEqual(st["by_category"]["ransomware"], 1)
        self.assertGreaterEqual(st["by_level"]["3"], 1)
        self.assertIn("2026-03", st["by_month"])
        bx = [o for o in st["clocks_by_org"] if o["org"] == "bank-x"][0]
        self.assertEqual((bx["clocks_decided"], bx["clocks_met"]), (4, 3))
        self.assertEqual(st["times"]["to_report"]["median_seconds"], 1800)
        own = self.req("yuri", "GET", "/api/v1/incidents/stats").json()
        self.assertEqual(own["scope"], "organisation")
        self.assertNotIn("ransomware", own["by_category"])

        # --- everything was audited, the chain is intact ---------------------------------------------
        audit = self.hub.admin("GET", "/api/v1/audit?limit=1000").json()["items"]
        actions = {a["action"] for a in audit}
        for act in ("incident.report", "incident.escalate", "incident.level", "incident.help", "incident.offer",
                    "incident.accept", "incident.status", "incident.evidence", "incident.closing_report",
                    "incident.publish", "team.create", "team.member.add"):
            self.assertIn(act, actions)
        self.assertTrue(self.hub.admin("GET", "/api/v1/audit/verify").json()["intact"])

    def test_containment_before_late_report(self):
        """#18 item 16: an organisation that contained the damage before it got round to reporting
        records the containment at its true time; the steps it took keep their order."""
        self.set_clock(T0 + datetime.timedelta(days=40))
        aware = self.now - datetime.timedelta(hours=5)
        r = self.req("alice", "POST", "/api/v1/incidents", {
            "title": "Card skimming at branch ATMs", "category": "fraud", "discovered_at": iso(aware),
            "impact": {"system_class": "core", "confidentiality": "minor", "integrity": "none",
                       "availability": "none"}})
        self.assertEqual(r.status, 201, r)
        inc = r.json()
        iid = inc["id"]
        self.assertEqual({c["clock"]: c["state"] for c in inc["clocks"]}["report"], "late")
        contained = aware + datetime.timedelta(minutes=30)
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status", {"status": "contained", "at": iso(contained)})
        self.assertEqual(r.status, 200, r)
        inc = r.json()
        self.assertEqual(inc["times"]["contained_at"], iso(contained))
        self.assertGreaterEqual(inc["times"]["triaged_at"], inc["times"]["reported_at"])  # not before the report
        self.assertEqual({c["clock"]: c["state"] for c in inc["clocks"]}["recovery"], "met")
        # Its own steps keep their order, and nothing goes before the discovery.
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status",
                     {"status": "eradicated", "at": iso(aware + datetime.timedelta(minutes=10))})
        self.assertEqual(r.status, 400)
        self.assertIn("eradicated cannot be before contained", r.json()["error"]["detail"])
        r = self.req("alice", "POST", f"/api/v1/incidents/{iid}/status",
                     {"status": "recovered", "at": iso(aware + datetime.timedelta(hours=1))})
        self.assertEqual(r.status, 200, r)

    def test_draft_from_alert_decline_and_merge(self):
        self.set_clock(T0 + datetime.timedelta(days=10))
        alert = {"alert_id": "alert-42", "org": "bank-y", "title": "Beaconing to known C2",
                 "category": "malware", "summary": "3 hosts beacon every 60 s",
                 "indicators": [{"type": "domain-name", "value": "beacon.example.org"}]}
        self.assertEqual(self.req("yuri", "POST", "/api/v1/incidents/drafts", alert).status, 403)
        r = self.req("ana", "POST", "/api/v1/incidents/drafts", alert)
        self.assertEqual(r.status, 201, r)
        draft = r.json()
        self.assertEqual(draft["status"], "draft")
        self.assertEqual(self.req("ana", "POST", "/api/v1/incidents/drafts", alert).status, 409)
        self.assertEqual(self.req("yuri", "GET", f"/api/v1/incidents/{draft['id']}").status, 200)
        self.assertEqual(self.req("alice", "GET", f"/api/v1/incidents/{draft['id']}").status, 404)
        r = self.req("yuri", "POST", f"/api/v1/incidents/{draft['id']}/status", {"status": "reported"})
        self.assertEqual(r.status, 200, r)
        # A bank outside any group: the association's support team first; it declines, the CERT is next.
        r = self.req("yuri", "POST", f"/api/v1/incidents/{draft['id']}/help", {"skills": ["forensics"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual([c["team"] for c in r.json()["ranking"]["candidates"]], ["bankers-support", "f-cert"])
        aid = r.json()["offered_assignment"]
        r = self.req("assoc-ir", "POST", f"/api/v1/incidents/{draft['id']}/assignments/{aid}/decline",
                     {"note": "人力不足"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "declined")
        self.assertEqual(self.req("assoc-ir", "GET", f"/api/v1/incidents/{draft['id']}").status, 404)
        r = self.req("ana", "GET", f"/api/v1/incidents/{draft['id']}/assignments")
        self.assertEqual(sorted((a["team"], a["status"]) for a in r.json()["items"]),
                         [("bankers-support", "declined"), ("f-cert", "offered")])
        # A duplicate report of the same event is merged into the first.
        dup = self.req("yuri", "POST", "/api/v1/incidents", {
            "title": "C2 beaconing", "discovered_at": iso(self.now - datetime.timedelta(minutes=5)),
            "category": "malware", "impact": {"system_class": "non_core", "confidentiality": "none",
                                              "integrity": "none", "availability": "none"},
            "indicators": [{"type": "url", "value": "https://beacon.example.org/gate.php"}]}).json()
        self.assertEqual(dup["level"], 1)
        self.assertEqual(dup["proposal"]["rule"], "1.0")
        r = self.req("ana", "POST", f"/api/v1/incidents/{draft['id']}/merge", {"duplicate": dup["id"]})
        self.assertEqual(r.status, 200, r)
        obs = {o["value"] for o in self.req("yuri", "GET", f"/api/v1/incidents/{draft['id']}/observables").json()["items"]}
        self.assertEqual(obs, {"beacon.example.org", "https://beacon.example.org/gate.php"})
        self.assertEqual(self.req("yuri", "GET", f"/api/v1/incidents/{dup['id']}").json()["status"], "merged")

    def test_references_per_organisation(self):
        """#12 item 16: a member's references number its own cases only; the sector-wide number
        is the hub's and the supervisor's, and finds a case for them alone."""
        self.set_clock(T0 + datetime.timedelta(days=20))

        def report(who):
            body = {"title": "DDoS on the web site", "category": "ddos",
                    "discovered_at": iso(self.now - datetime.timedelta(minutes=5)),
                    "impact": {"system_class": "non_core", "confidentiality": "none", "integrity": "none",
                               "availability": "none"}}
            r = self.req(who, "POST", "/api/v1/incidents", body)
            self.assertEqual(r.status, 201, r)
            return r.json()

        def number(ref, prefix):
            self.assertRegex(ref, "^" + re.escape(prefix) + r"\d{4}$")
            return int(ref[len(prefix):])

        y1, x1, x2, y2 = report("yuri"), report("alice"), report("alice"), report("yuri")
        # bank-x's two cases in between leave no gap in bank-y's numbers, and the other way round.
        self.assertEqual(number(y2["ref"], "INC-bank-y-2026-"), number(y1["ref"], "INC-bank-y-2026-") + 1)
        self.assertEqual(number(x2["ref"], "INC-bank-x-2026-"), number(x1["ref"], "INC-bank-x-2026-") + 1)
        # Members never see the sector number, in a case or in a list.
        for who, case in (("yuri", y1), ("alice", x1)):
            self.assertNotIn("sector_ref", case)
            self.assertNotIn("sector_ref", self.req(who, "GET", f"/api/v1/incidents/{case['id']}").json())
            for item in self.req(who, "GET", "/api/v1/incidents?limit=1000").json()["items"]:
                self.assertNotIn("sector_ref", item)
        # The hub and the supervisor keep the sector-wide count.
        sector = [self.req("ana", "GET", f"/api/v1/incidents/{c['id']}").json()["sector_ref"]
                  for c in (y1, x1, x2, y2)]
        ns = [number(s, "INC-2026-") for s in sector]
        self.assertEqual(ns, list(range(ns[0], ns[0] + 4)))
        self.assertEqual(self.req("sup", "GET", f"/api/v1/incidents/{y1['id']}").json()["sector_ref"], sector[0])
        listed = {i["id"]: i.get("sector_ref") for i in self.req("sup", "GET", "/api/v1/incidents?limit=1000").json()["items"]}
        self.assertEqual(listed[y2["id"]], sector[3])
        # It finds the case for them; for a member it is as unknown as a made-up number.
        self.assertEqual(self.req("ana", "GET", "/api/v1/incidents/" + sector[0]).json()["id"], y1["id"])
        self.assertEqual(self.req("ana", "GET", "/api/v1/incidents/" + y1["ref"]).json()["id"], y1["id"])
        own = self.req("yuri", "GET", "/api/v1/incidents/" + sector[0])
        made_up = self.req("yuri", "GET", "/api/v1/incidents/INC-2026-9999")
        self.assertEqual((own.status, made_up.status), (404, 404))
        self.assertEqual(own.json()["error"]["detail"].replace(sector[0], "X"),
                         made_up.json()["error"]["detail"].replace("INC-2026-9999", "X"))
        # Cases of two organisations are not merged: each timeline would name the other's case.
        r = self.req("ana", "POST", f"/api/v1/incidents/{x1['id']}/merge", {"duplicate": y1["id"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.req("yuri", "GET", f"/api/v1/incidents/{y1['id']}").json()["status"], "reported")

    def test_rules_and_policy_listed(self):
        r = self.req("yuri", "GET", "/api/v1/incidents/rules").json()
        self.assertEqual({x["rule"] for x in r["levels"]} >= {"1.a", "2.d", "3.d", "4.d"}, True)
        self.assertEqual(r["clocks"]["default"]["review_l3"], "2h")


class NoMailServer(unittest.TestCase):
    """#18 item 8: with notify.smtp_url empty an e-mail cannot be sent: it is recorded as failed at
    once (as docs/config.md says), not retried, and the failure is logged at warning."""

    def test_email_without_smtp_url_fails_at_once(self):
        hub = Hub(config="[incident]\nworker_interval_ms = 100\n[notify]\nhub_email = cert@hub.example\n")
        try:
            hub.start()
            assert hub.admin("POST", "/api/v1/orgs", org_body("bank-z")).status == 201
            r = hub.admin("POST", "/api/v1/incidents", {
                "org": "bank-z", "title": "Phishing wave", "category": "phishing",
                "discovered_at": iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)),
                "impact": {"system_class": "non_core", "confidentiality": "none", "integrity": "none",
                           "availability": "none"}})
            self.assertEqual(r.status, 201, r)
            iid = r.json()["id"]

            def settled():
                items = hub.admin("GET", f"/api/v1/incidents/{iid}/notifications").json()["items"]
                return items if items and all(n["attempts"] > 0 for n in items) else None

            notes = wait_for(settled, "the delivery attempt")
            self.assertEqual([(n["channel"], n["target"], n["status"], n["attempts"]) for n in notes],
                             [("email", "cert@hub.example", "failed", 1)])
            self.assertIn("notify.smtp_url is not set", notes[0]["last_error"])
            warned = wait_for(lambda: [l for l in open(hub.stderr_path) if "notify.failed" in l],
                              "the warning")
            self.assertEqual(len(warned), 1)
            self.assertIn("level=warn", warned[0])
            self.assertIn("cert@hub.example", warned[0])
        finally:
            self.assertEqual(hub.stop(), 0)
            hub.cleanup()


if __name__ == "__main__":
    unittest.main()
