"""The visibility matrix: roles x organisation relations x TLP levels x every read path (REST get,
REST search, REST export, TAXII objects, TAXII object, TAXII manifest, CLI get, search, export).
Nobody sees what TLP 2.0 does not give them; an object's level is the strictest of all its TLP
markings, object and granular, TLP 1.0 and 2.0; anonymous submissions hide their source from all
but the hub."""
import json
import re
import unittest
import uuid

from hubtest import TLP_IDS, Hub, indicator, org_body, run, taxii

TLP1_IDS = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}


def granular(*marks):
    """granular_markings: (marking id, property) pairs."""
    return [{"marking_ref": m, "selectors": [prop]} for m, prop in marks]


# Who is who: A produces, B is named as recipient, C is an unrelated member.
USERS = {
    "a1": ("bank-a", "member-analyst"),  # the producing user
    "a2": ("bank-a", "member-admin"),    # same organisation, not the producer
    "b1": ("bank-b", "member-analyst"),  # a named recipient user (for RED)
    "b2": ("bank-b", "member-admin"),    # named organisation, not a named user
    "c1": ("bank-c", "member-analyst"),  # unrelated member
    "h1": ("hub", "hub-analyst"),
    "s1": ("fsc", "supervisor"),
}
ALL = set(USERS)
# object -> (tlp, recipients, who may see it)
OBJECTS = {
    "clear": ("clear", None, ALL),
    "green": ("green", None, ALL),
    "amber": ("amber", {"orgs": ["bank-b"]}, {"a1", "a2", "b1", "b2", "h1"}),
    "strict": ("amber+strict", {"orgs": ["bank-b"]}, {"a1", "a2", "b1", "b2"}),
    "red": ("red", {"users": ["b1"]}, {"a1", "b1"}),
    "unmarked": (None, None, {"a1", "a2", "h1"}),  # the submissions default: AMBER
    "amber-nobody": ("amber", None, {"a1", "a2", "h1"}),
    # Granular markings count: the strictest of every TLP marking the object carries.
    "green-granular-red": ("green", {"users": ["b1"]}, {"a1", "b1"},
                           {"granular_markings": granular((TLP_IDS["red"], "pattern"))}),
    "unmarked-granular-strict": (None, {"orgs": ["bank-b"]}, {"a1", "a2", "b1", "b2"},
                                 {"granular_markings": granular((TLP_IDS["amber+strict"], "pattern"))}),
    "white1-granular-amber1": (None, None, {"a1", "a2", "h1"},
                               {"object_marking_refs": [TLP1_IDS["white"]],
                                "granular_markings": granular((TLP1_IDS["amber"], "name"))}),
    "clear-granular-green-red1": ("clear", {"users": ["b1"]}, {"a1", "b1"},
                                  {"granular_markings": granular((TLP_IDS["green"], "name"),
                                                                 (TLP1_IDS["red"], "pattern"))}),
    "strict-granular-green": ("amber+strict", {"orgs": ["bank-b"]}, {"a1", "a2", "b1", "b2"},
                              {"granular_markings": granular((TLP_IDS["green"], "name"))}),
}


class Visibility(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = h = Hub().start()
        for code in ("bank-a", "bank-b", "bank-c"):
            assert h.admin("POST", "/api/v1/orgs", org_body(code)).status == 201
        assert h.admin("POST", "/api/v1/orgs", {"code": "fsc", "name_zh": "主管", "name_en": "FSC",
                                                 "industry": "regulator", "size_tier": "large"}).status == 201
        cls.tokens = {}
        for user, (org, role) in USERS.items():
            r = h.admin("POST", "/api/v1/users", {"org": org, "username": user, "display_name": user, "role": role})
            assert r.status == 201, r
            cls.tokens[user] = h.admin("POST", "/api/v1/tokens", {"user": user, "name": "t"}).json()["token"]
        cls.ids, cls.ips = {}, {}
        objs = []
        for i, (name, (tlp, recipients, _, *marks)) in enumerate(OBJECTS.items()):
            ip = f"192.0.2.{i + 10}"
            extra = {"x_finshield_recipients": recipients} if recipients else {}
            extra.update(marks[0] if marks else {})
            o = indicator(ip, tlp, n=i, **extra)
            objs.append(o)
            cls.ids[name], cls.ips[name] = o["id"], ip
        r = taxii(h, "POST", "collections/submissions/objects/", cls.tokens["a1"], body={"objects": objs})
        assert r.status == 202 and r.json()["success_count"] == len(objs), r
        cls.by_id = {v: k for k, v in cls.ids.items()}

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def seen_via(self, path, user):
        """The set of object names `user` sees through one read path."""
        h, tok = self.hub, self.tokens[user]
        names = set()
        if path == "taxii-objects":
            env = taxii(h, "GET", "collections/submissions/objects/?match[version]=all", tok).json()
            names = {self.by_id[o["id"]] for o in env["objects"] if o["id"] in self.by_id}
        elif path == "taxii-manifest":
            env = taxii(h, "GET", "collections/submissions/manifest/", tok).json()
            names = {self.by_id[o["id"]] for o in env["objects"] if o["id"] in self.by_id}
        elif path == "taxii-object":
            for name, oid in self.ids.items():
                r = taxii(h, "GET", f"collections/submissions/objects/{oid}/", tok)
                if r.status == 200 and r.json()["objects"]:
                    names.add(name)
                else:
                    self.assertEqual(r.status, 404)
        elif path == "rest-get":
            for name, oid in self.ids.items():
                r = h.request("GET", f"/api/v1/intel/objects/{oid}", token=tok)
                if r.status == 200:
                    names.add(name)
                else:
                    self.assertEqual(r.status, 404)
        elif path == "rest-search":
            for name, ip in self.ips.items():
                r = h.request("GET", f"/api/v1/intel/search?value={ip}", token=tok)
                if r.json()["items"]:
                    names.add(name)
        elif path == "rest-export":
            r = h.request("GET", "/api/v1/intel/export?collection=submissions", token=tok)
            names = {self.by_id[o["id"]] for o in r.json()["objects"] if o["id"] in self.by_id}
        elif path == "cli-get":
            for name, oid in self.ids.items():
                if self.hub.cli("intel", "get", oid, "--as", user).returncode == 0:
                    names.add(name)
        elif path == "cli-search":
            for name, ip in self.ips.items():
                p = self.hub.cli("intel", "search", ip, "--as", user, "--json")
                if p.stdout.strip():
                    names.add(name)
        elif path == "cli-export":
            p = self.hub.cli("intel", "export", "--collection", "submissions", "--as", user)
            names = {self.by_id[o["id"]] for o in json.loads(p.stdout)["objects"] if o["id"] in self.by_id}
        return names

    def test_matrix(self):
        paths = ["taxii-objects", "taxii-manifest", "taxii-object", "rest-get", "rest-search",
                 "rest-export", "cli-get", "cli-search", "cli-export"]
        failures = []
        for user in USERS:
            expected = {name for name, (_, _, who, *_) in OBJECTS.items() if user in who}
            for path in paths:
                got = self.seen_via(path, user)
                if got != expected:
                    failures.append(f"{user} via {path}: saw {sorted(got)}, expected {sorted(expected)}")
        self.assertEqual(failures, [])

    def test_control_properties_not_published(self):
        r = taxii(self.hub, "GET", f"collections/submissions/objects/{self.ids['amber']}/", self.tokens["b1"])
        self.assertNotIn("x_finshield_recipients", r.body)

    def test_anonymous_submission(self):
        h = self.hub
        ident = {"type": "identity", "spec_version": "2.1", "id": "identity--8a1d4c5e-aaaa-4bbb-8ccc-123456789abc",
                 "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                 "name": "Bank A SOC", "identity_class": "organization"}
        o = indicator("192.0.2.200", "green", n=99, created_by_ref=ident["id"], x_finshield_anonymous=True)
        r = taxii(h, "POST", "collections/submissions/objects/", self.tokens["a1"], body={"objects": [ident, o]})
        self.assertEqual(r.json()["success_count"], 2)
        for user in ("c1", "b1", "s1"):
            body = taxii(h, "GET", f"collections/submissions/objects/{o['id']}/", self.tokens[user]).body
            self.assertNotIn(ident["id"], body)
            self.assertNotIn("Bank A", body)
            self.assertNotIn("x_finshield_anonymous", body)
            item = h.request("GET", f"/api/v1/intel/objects/{o['id']}", token=self.tokens[user]).json()["versions"][0]
            self.assertNotIn("source", item)
        # The submitter's identity is withheld altogether, even from its own organisation.
        for user in ("c1", "a2", "h1"):
            self.assertEqual(h.request("GET", f"/api/v1/intel/objects/{ident['id']}", token=self.tokens[user]).status, 404)
        hub_view = h.request("GET", f"/api/v1/intel/objects/{o['id']}", token=self.tokens["h1"]).json()["versions"][0]
        a_org = h.request("GET", "/api/v1/orgs/bank-a", token=self.tokens["h1"]).json()["id"]
        self.assertEqual(hub_view["source"]["org_id"], a_org)
        self.assertTrue(hub_view["source"]["anonymous"])
        hub_ident = hub_view["object"]["created_by_ref"]
        self.assertTrue(hub_ident.startswith("identity--"))
        self.assertNotEqual(hub_ident, ident["id"])

    def test_recipients_cannot_widen_the_audience(self):
        h = self.hub
        r = h.admin("POST", "/api/v1/intel/collections", {"alias": "grp-bc", "kind": "group", "default_tlp": "amber",
                                                           "members": ["bank-b", "bank-c"], "member_can_write": True})
        self.assertEqual(r.status, 201, r)
        # b1 may see the AMBER object, but may not put it where bank-c would see it.
        amber = taxii(h, "GET", f"collections/submissions/objects/{self.ids['amber']}/", self.tokens["b1"]).json()["objects"][0]
        r = taxii(h, "POST", "collections/grp-bc/objects/", self.tokens["b1"], body={"objects": [amber]})
        self.assertEqual(r.json()["failure_count"], 1)
        self.assertIn("beyond TLP:GREEN", r.json()["failures"][0]["message"])
        self.assertEqual(taxii(h, "GET", "collections/grp-bc/objects/", self.tokens["c1"]).json()["objects"], [])
        # GREEN may travel.
        green = taxii(h, "GET", f"collections/submissions/objects/{self.ids['green']}/", self.tokens["b1"]).json()["objects"][0]
        r = taxii(h, "POST", "collections/grp-bc/objects/", self.tokens["b1"], body={"objects": [green]})
        self.assertEqual(r.json()["success_count"], 1)
        # A group member's own AMBER object is visible to the group's members, not to others.
        own = indicator("192.0.2.250", "amber", n=250)
        self.assertEqual(taxii(h, "POST", "collections/grp-bc/objects/", self.tokens["b1"], body={"objects": [own]}).json()["success_count"], 1)
        seen = lambda u: {o["id"] for o in taxii(h, "GET", "collections/grp-bc/objects/", self.tokens[u]).json()["objects"]}
        self.assertIn(own["id"], seen("c1"))
        self.assertEqual(taxii(h, "GET", "collections/grp-bc/objects/", self.tokens["a1"]).status, 404)

    def test_versioning_another_organisations_object_is_refused(self):
        o = indicator("192.0.2.10", "clear", n=0, modified="2026-06-01T00:00:00.000Z")
        r = taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens["c1"], body={"objects": [o]})
        self.assertEqual(r.json()["failure_count"], 1)
        self.assertIn("another organisation", r.json()["failures"][0]["message"])

    def answers(self, user, oid):
        """What every way of reading or deleting one id answers `user`, with the id written ID."""
        h, tok = self.hub, self.tokens[user]
        out = []
        for method, path in (("GET", f"/api/v1/intel/objects/{oid}"),
                             ("GET", f"/taxii2/hub/collections/submissions/objects/{oid}/"),
                             ("GET", f"/taxii2/hub/collections/submissions/objects/{oid}/versions/"),
                             ("DELETE", f"/taxii2/hub/collections/submissions/objects/{oid}/")):
            hdr = {"Accept": "application/taxii+json;version=2.1"} if "taxii2" in path else {}
            r = h.request(method, path, token=tok, headers=hdr)
            body = re.sub(r'"request_id": ?"[0-9a-f]+"', '"request_id":"-"', r.body.replace(oid, "ID"))
            out.append((method, path.replace(oid, "ID"), r.status, body))
        p = h.cli("intel", "get", oid, "--as", user)
        out.append(("cli", p.returncode, p.stdout.replace(oid, "ID"), p.stderr.replace(oid, "ID")))
        return out

    def refusal(self, user, obj):
        """The failure a TAXII POST of obj to submissions gives `user`, with the id written ID."""
        r = taxii(self.hub, "POST", "collections/submissions/objects/", self.tokens[user], body={"objects": [obj]})
        self.assertEqual(r.status, 202, r)
        env = r.json()
        self.assertEqual((env["success_count"], env["failure_count"]), (0, 1), env)
        f = env["failures"][0]
        return {k: (v.replace(obj["id"], "ID") if isinstance(v, str) else v) for k, v in f.items()}

    def test_ids_it_cannot_see_read_like_no_id(self):
        """An id the caller cannot see answers every read exactly like an id nobody used (REST,
        TAXII object and versions, TAXII DELETE, CLI --as); a write to it is refused exactly like a
        new version of another organisation's object the caller can see, whether the caller
        guessed the version or not, and the hub's roles, which may version what they see, may not
        version what they do not see."""
        unused = "indicator--6c1b9f0e-2d4a-4e8b-9c7d-0a1b2c3d4e5f"
        for user, hidden in (("c1", "strict"), ("c1", "amber"), ("h1", "strict"), ("b2", "red"),
                             ("c1", "green-granular-red")):
            self.assertEqual(self.answers(user, self.ids[hidden]), self.answers(user, unused),
                             f"{user} on {hidden}")
        visible = self.refusal("c1", indicator(self.ips["green"], "green", n=list(OBJECTS).index("green"),
                                               modified="2026-07-01T00:00:00.000Z"))
        self.assertIn("another organisation", visible["message"])
        for user, hidden in (("c1", "strict"), ("c1", "amber"), ("h1", "strict"), ("b2", "red")):
            i = list(OBJECTS).index(hidden)
            for modified in ("2026-07-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"):  # new, guessed
                obj = indicator(self.ips[hidden], "green", n=i, modified=modified)
                self.assertEqual(self.refusal(user, obj), visible, f"{user} writing {hidden} at {modified}")
        # Nothing was stored: the producer still sees only its own version.
        item = self.hub.request("GET", f"/api/v1/intel/objects/{self.ids['strict']}", token=self.tokens["a1"]).json()
        self.assertEqual([v["version"] for v in item["versions"]], ["2026-01-01T00:00:00.000Z"])

    def test_observables_are_each_organisations_own(self):
        """SCO ids come from their value, so two organisations may well report the same address.
        A report of an address someone else keeps beyond the caller's sight is accepted exactly
        like a report of an address nobody reported, and it is the caller's own: it reads back its
        report alone, deletes only its own, and learns nothing of the other one."""
        h = self.hub
        ns = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

        def sco(ip, **extra):
            o = {"type": "ipv4-addr", "spec_version": "2.1",
                 "id": "ipv4-addr--" + str(uuid.uuid5(ns, json.dumps({"value": ip}, separators=(",", ":")))),
                 "value": ip}
            o.update(extra)
            return o

        def post(user, obj):
            r = taxii(h, "POST", "collections/submissions/objects/", self.tokens[user], body={"objects": [obj]})
            self.assertEqual(r.status, 202, r)
            env = r.json()
            for k in ("id", "request_timestamp"):
                env.pop(k)
            return json.loads(json.dumps(env).replace(obj["id"], "ID"))

        def versions(user, oid):
            r = h.request("GET", f"/api/v1/intel/objects/{oid}", token=self.tokens[user])
            return [v["object"] for v in r.json()["versions"]] if r.status == 200 else r.status

        theirs = sco("198.51.100.201", object_marking_refs=[TLP_IDS["amber+strict"]],
                     x_finshield_recipients={"orgs": ["bank-b"]}, x_note="bank-a's")
        self.assertEqual(post("a1", theirs)["success_count"], 1)
        self.assertEqual(self.answers("c1", theirs["id"]), self.answers("c1", sco("198.51.100.203")["id"]))
        mine = sco("198.51.100.201", x_note="bank-c's")
        nobody = sco("198.51.100.202", x_note="bank-c's")
        self.assertEqual(post("c1", mine), post("c1", nobody))
        clean = lambda o: {k: v for k, v in o.items() if not k.startswith("x_finshield")}
        self.assertEqual(versions("c1", mine["id"]), [mine])
        self.assertEqual(versions("a1", mine["id"]), [clean(theirs)])
        self.assertEqual(versions("b1", mine["id"]), [clean(theirs)])
        self.assertEqual(versions("h1", mine["id"]), [mine])  # bank-c's is AMBER; bank-a's is not the hub's
        found = h.request("GET", "/api/v1/intel/search?value=198.51.100.201", token=self.tokens["c1"]).json()["items"]
        self.assertEqual([i["object"] for i in found], [mine])
        env = taxii(h, "GET", f"collections/submissions/objects/{mine['id']}/", self.tokens["c1"]).json()
        self.assertEqual(env["objects"], [mine])
        # c1 deletes its report; bank-a's stays.
        r = taxii(h, "DELETE", f"collections/submissions/objects/{mine['id']}/", self.tokens["c1"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(versions("c1", mine["id"]), 404)
        self.assertEqual(versions("a1", mine["id"]), [clean(theirs)])


if __name__ == "__main__":
    unittest.main()
