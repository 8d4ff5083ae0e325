"""Small deterministic critical-data exports in the standard format, for the vault's tests.

A day's export has the five tables (customers, accounts, balances, holds, transactions) as CSV,
sorted by key, and manifest.json. Each later day changes some balances, adds and removes accounts,
and replaces the day's transactions, like the benchmark's generator (bench/vault/gen.c) at a
small scale.
"""
import datetime
import hashlib
import json
import os
import random

PRODUCTS = ["savings", "checking", "time_deposit", "loan", "credit_card"]
HEAD = {
    "customers": "customer_id,full_name,id_hash,phone,branch",
    "accounts": "account_id,customer_id,product,currency,status,opened",
    "balances": "account_id,ledger,available,as_of",
    "holds": "hold_id,account_id,amount,reason,placed,expires",
    "transactions": "txn_id,account_id,posted,amount,balance_after,description",
}


def money(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return "%s%d.%02d" % (sign, cents // 100, cents % 100)


class Bank:
    def __init__(self, accounts=2000, seed=7, start=None):
        """start: the first business date (a datetime.date); by default 2026-10-01, with 28-day
        months."""
        self.start = start
        self.rng = random.Random(seed)
        self.next_id = 1
        self.acc = {}
        self.day = 0
        self.txns = []
        for _ in range(accounts):
            self._open()

    def _open(self):
        i = self.next_id
        self.next_id += 1
        bal = self.rng.randrange(0, 50_000_000)
        self.acc[i] = {"bal": bal, "avail": bal - self.rng.randrange(0, 1000), "as_of": self.date()}

    def date(self, d=None):
        d = self.day if d is None else d
        if self.start:
            return (self.start + datetime.timedelta(days=d)).isoformat()
        return "2026-%02d-%02d" % (10 + d // 28, 1 + d % 28)

    def advance(self, change=0.015, add=0.001, remove=0.0005):
        self.day += 1
        self.txns = []
        ids = sorted(self.acc)
        for i in self.rng.sample(ids, max(1, int(len(ids) * change))):
            a = self.acc[i]
            amt = self.rng.randrange(-500_000, 500_000)
            a["bal"] += amt
            a["avail"] = a["bal"] - self.rng.randrange(0, 1000)
            a["as_of"] = self.date()
            self.txns.append((i, amt, a["bal"]))
        for i in self.rng.sample(ids, max(1, int(len(ids) * remove))):
            del self.acc[i]
        for _ in range(max(1, int(len(ids) * add))):
            self._open()

    def rows(self):
        t = {k: [] for k in HEAD}
        for i in sorted(self.acc):
            a = self.acc[i]
            h = hashlib.sha256(b"id%d" % i).hexdigest()
            t["customers"].append("C%010d,Customer %d,%s,+886-2-%08d,B%03d" % (i, i, h, i, i % 300))
            t["accounts"].append("A%010d,C%010d,%s,TWD,active,2015-%02d-%02d"
                                 % (i, i, PRODUCTS[i % 5], 1 + i % 12, 1 + i % 28))
            t["balances"].append("A%010d,%s,%s,%s" % (i, money(a["bal"]), money(a["avail"]), a["as_of"]))
            if i % 97 == 0:
                t["holds"].append("H%010d,A%010d,%s,\"court order, case %d\",2026-01-05,"
                                  % (i, i, money(i * 3), i))
        for n, (i, amt, bal) in enumerate(self.txns):
            if i in self.acc:
                t["transactions"].append("T%06d%06d,A%010d,%s,%s,%s,transfer"
                                         % (self.day, n, i, self.date(), money(amt), money(bal)))
        t["transactions"].sort()
        return t

    def write(self, folder, institution="Test Bank"):
        os.makedirs(folder, exist_ok=True)
        files = []
        for name, lines in self.rows().items():
            data = ("\n".join([HEAD[name]] + lines) + "\n").encode()
            with open(os.path.join(folder, name + ".csv"), "wb") as f:
                f.write(data)
            files.append({"name": name + ".csv", "table": name, "rows": len(lines),
                          "sha256": hashlib.sha256(data).hexdigest()})
        manifest = {"format": "finshield-critical-data", "version": 1,
                    "institution": institution, "business_date": self.date(), "files": files}
        with open(os.path.join(folder, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        return [os.path.join(folder, x["name"]) for x in files] + [os.path.join(folder, "manifest.json")]


def same_tree(a, b):
    """True when every file under a is also under b with the same bytes."""
    for root, _, files in os.walk(a):
        for f in files:
            pa = os.path.join(root, f)
            pb = os.path.join(b, os.path.relpath(pa, a))
            if not os.path.exists(pb) or open(pa, "rb").read() != open(pb, "rb").read():
                return False
    return True
