"""Faults: a locked database and a full one answer 503 and write nothing half-way; kill -9 of
`serve` at any moment loses no acknowledged change. (On PostgreSQL the lock is the write lock every
node takes; the size cap is SQLite's.)"""
import random
import threading
import time
import unittest

from hubtest import PG, Hub, hold_write_lock, org_body


def audit_intact(hub):
    p = hub.cli("audit", "verify")
    return p.returncode == 0, p.stdout + p.stderr


class Locked(unittest.TestCase):
    def test_locked_database_answers_503_then_recovers(self):
        hub = Hub(config="[store]\nbusy_timeout_ms = 200\n").start()
        try:
            with hold_write_lock(hub):
                r = hub.admin("POST", "/api/v1/orgs", org_body("locked-1"))
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.json()["error"]["code"], "busy")
                self.assertEqual(r.headers.get("Retry-After"), "1")
            r = hub.admin("POST", "/api/v1/orgs", org_body("locked-2"))
            self.assertEqual(r.status, 201, r)
            codes = [o["code"] for o in hub.admin("GET", "/api/v1/orgs").json()["items"]]
            self.assertNotIn("locked-1", codes)
            self.assertIn("locked-2", codes)
            self.assertEqual(hub.stop(), 0)
            ok, out = audit_intact(hub)
            self.assertTrue(ok, out)
        finally:
            hub.cleanup()


class Full(unittest.TestCase):
    @unittest.skipIf(PG, "store.max_size_mb is SQLite's (docs/config.md)")
    def test_full_database_answers_503_and_keeps_everything_whole(self):
        hub = Hub(config="[store]\nmax_size_mb = 3\n").start()  # an empty hub takes about 1.5 MB
        try:
            contacts = [{"role": "general", "name": "x" * 200, "email": f"c{i}@x.example"} for i in range(20)]
            created, status = 0, 201
            for i in range(2000):
                r = hub.admin("POST", "/api/v1/orgs", org_body(f"full-{i}", contacts=contacts))
                status = r.status
                if status != 201:
                    break
                created += 1
            self.assertEqual(status, 503)
            self.assertEqual(r.json()["error"]["code"], "no_space")
            self.assertGreater(created, 10)
            # Reads still work, and every organisation that was acknowledged is there, whole.
            items = hub.admin("GET", "/api/v1/orgs?limit=1000&q=full-").json()["items"]
            self.assertEqual(len(items), created)
            self.assertTrue(all(len(o["contacts"]) == 20 for o in items))
            self.assertEqual(hub.stop(), 0)
            ok, out = audit_intact(hub)
            self.assertTrue(ok, out)
            n = int(hub.cli("audit", "export").stdout.count('"action":"org.create"'))
            self.assertEqual(n, created + 1)  # and the hub's own, from init
        finally:
            hub.cleanup()


class KillNine(unittest.TestCase):
    def test_kill_9_loses_no_acknowledged_change(self):
        """Each round kills `serve` at a random moment once its writers have had at least
        PER_ROUND changes acknowledged: how many that is depends on nothing but the count (no
        rate is assumed), and every acknowledged change must be there after the restart."""
        PER_ROUND = 5
        hub = Hub()
        rnd = random.Random(20261127)
        acknowledged = []
        try:
            for round_ in range(4):
                hub.start()
                stop = threading.Event()
                enough = threading.Event()
                target = len(acknowledged) + PER_ROUND

                def writer(w):
                    i = 0
                    while not stop.is_set():
                        code = f"k{round_}-{w}-{i}"
                        try:
                            r = hub.admin("POST", "/api/v1/orgs", org_body(code))
                        except Exception:
                            return  # the server died mid-request: not acknowledged
                        if r.status == 201:
                            acknowledged.append(code)
                            if len(acknowledged) >= target:
                                enough.set()
                        i += 1

                threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
                for t in threads:
                    t.start()
                # (a guard against a hang, not a timing: the writers have all the time they need)
                got = enough.wait(300)
                time.sleep(rnd.uniform(0.0, 0.5))  # kill at a random point of the writes
                hub.kill9()
                stop.set()
                for t in threads:
                    t.join()
                self.assertTrue(got, f"round {round_}: fewer than {PER_ROUND} changes acknowledged")
            hub.start()
            codes = set()
            after = None
            while True:
                r = hub.admin("GET", "/api/v1/orgs?limit=1000" + (f"&after={after}" if after else ""))
                page = r.json()
                codes.update(o["code"] for o in page["items"])
                after = page["next"]
                if not after:
                    break
            missing = [c for c in acknowledged if c not in codes]
            self.assertEqual(missing, [])
            self.assertGreaterEqual(len(acknowledged), 4 * PER_ROUND)
            self.assertEqual(hub.stop(), 0)
            ok, out = audit_intact(hub)
            self.assertTrue(ok, out)
        finally:
            hub.cleanup()


if __name__ == "__main__":
    unittest.main()
