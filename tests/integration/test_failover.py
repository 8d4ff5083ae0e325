"""Fail-over (#17 item 5): a PostgreSQL primary and a synchronous streaming standby on loopback
(pg_basebackup -R), two `finshield serve` nodes with a multi-host URL and
target_session_attrs=read-write, writers on both nodes; the primary is killed, the standby
promoted; the nodes reconnect on their own and go on, and no write that was acknowledged is
missing afterwards, and the audit trail is still one intact chain. (Runs in the pg.* run, with
PostgreSQL processes of its own.)"""
import threading
import time
import unittest

from hubtest import PG, Hub, org_body, wait_for
from pgcluster import USER, Cluster, available


@unittest.skipUnless(PG and available(), "PostgreSQL's own processes (the pg.* run)")
class Failover(unittest.TestCase):
    def setUp(self):
        self.primary = Cluster(tcp=True, durable=True, settings=[
            "synchronous_commit = on", "synchronous_standby_names = 'FIRST 1 (standby1)'",
            "wal_level = replica", "max_wal_senders = 5"]).init().start()
        self.standby = Cluster(tcp=True, durable=True).standby_of(self.primary, "standby1").start()
        # The standby confirms every commit before the primary acknowledges it.
        wait_for(lambda: self.primary.psql("SELECT sync_state FROM pg_stat_replication").strip() == "sync",
                 "the standby to be synchronous")
        self.url = (f"postgresql://{USER}@127.0.0.1:{self.primary.port},127.0.0.1:{self.standby.port}"
                    "/fs_failover?target_session_attrs=read-write&connect_timeout=5")

    def tearDown(self):
        for n in ("b", "a"):
            if hasattr(self, n):
                getattr(self, n).cleanup()
        self.standby.remove()
        self.primary.remove()

    def test_promoted_standby_takes_over_without_losing_acknowledged_writes(self):
        # A hub made on the primary (init on its URL), served by two nodes.
        self.a = Hub(url=self.url, config="[store]\nbusy_timeout_ms = 3000\n")
        self.b = self.a.node()
        self.a.start()
        self.b.start()

        acknowledged, lock, stop = [], threading.Lock(), threading.Event()
        refused = [0]

        def writer(node, k):
            i = 0
            while not stop.is_set():
                code = f"fo-{k}-{i}"
                i += 1
                try:
                    r = node.admin("POST", "/api/v1/orgs", org_body(code))
                except Exception:
                    r = None
                with lock:
                    if r is not None and r.status == 201:
                        acknowledged.append(code)
                    else:
                        refused[0] += 1
                time.sleep(0.01)

        threads = [threading.Thread(target=writer, args=(n, k), daemon=True)
                   for k, n in enumerate([self.a, self.b, self.a, self.b])]
        self.addCleanup(stop.set)  # a failure below must not leave the writers running
        for t in threads:
            t.start()
        wait_for(lambda: len(acknowledged) >= 40, "writes before the fail-over")
        before = len(acknowledged)
        # The primary dies at once (no shutdown), the standby is promoted.
        self.primary.kill()
        t0 = time.time()
        self.standby.promote()
        # Both nodes go on by themselves: writes are acknowledged again on each.
        for node in (self.a, self.b):
            wait_for(lambda node=node: node.request("GET", "/healthz").status == 200,
                     "the node to reach the new primary")
        mark = len(acknowledged)
        wait_for(lambda: len(acknowledged) >= mark + 40, "writes after the fail-over")
        print(f"\n  writes acknowledged again {time.time() - t0:.1f} s after the kill; "
              f"{refused[0]} refused meanwhile (503 or no answer)")
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(before, 0)
        # Every acknowledged write is there, read through either node.
        codes, after = set(), None
        while True:
            page = self.b.admin("GET", "/api/v1/orgs?limit=1000" + (f"&after={after}" if after else "")).json()
            codes.update(o["code"] for o in page["items"])
            after = page["next"]
            if not after:
                break
        self.assertEqual([c for c in acknowledged if c not in codes], [])
        self.assertEqual(self.standby.psql("SELECT pg_is_in_recovery()").strip(), "f")
        self.assertEqual(self.a.stop(), 0)
        self.assertEqual(self.b.stop(), 0)
        p = self.a.cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
