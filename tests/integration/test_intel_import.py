"""#15 (Speed, bundle): `finshield intel import` reads a large bundle in parts, each stored in its
own transaction, with bounded memory. Parts are made small here (intel.import_part_objects), so
that a bundle of a few objects takes several; the run is the real binary on a real hub."""
import json
import os
import tempfile
import unittest
import uuid

from hubtest import Hub

NS = uuid.UUID("2b8c36e2-6f0e-4c55-9b33-7d1d1a0c2f4e")


def indicator(i, modified="2026-11-01T00:00:00.000Z"):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid5(NS, str(i)),
            "created": "2026-11-01T00:00:00.000Z", "modified": modified,
            "name": "import test %d" % i, "pattern": "[ipv4-addr:value = '10.9.%d.%d']" % (i >> 8, i & 255),
            "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"}


def bundle(objects, **top):
    doc = {"type": "bundle", "id": "bundle--0b4c8a5e-1c4a-4b8e-9a8a-1234567890ab"}
    doc.update(top)
    doc["objects"] = objects
    return json.dumps(doc)


class IntelImportTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub(config="[intel]\nimport_part_objects = 3\n", sqlite=False)
        self.tmp = tempfile.mkdtemp(prefix="fs-import-")

    def tearDown(self):
        self.hub.cleanup()

    def file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def stored(self):
        """The ids of the latest versions in the sector collection."""
        p = self.hub.cli("intel", "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        return [o["id"] for o in json.loads(p.stdout)["objects"]]

    def test_parts_and_whole_bundle_indexes(self):
        """A bundle of 10 objects is stored in four parts; the refused one is named by its index
        in the whole bundle (7), not in its part (1)."""
        objs = [indicator(i) for i in range(10)]
        objs[7]["pattern"] = "[ipv4-addr:value = "
        p = self.hub.cli("intel", "import", self.file("b.json", bundle(objs)), "--progress")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("10 objects read, 9 stored in sector, 1 refused", p.stdout)
        refused = [l for l in p.stderr.splitlines() if l.startswith("  ")]
        self.assertEqual(len(refused), 1, p.stderr)
        self.assertIn("#7 %s: " % objs[7]["id"], refused[0])
        self.assertIn("pattern", refused[0])
        self.assertEqual(sorted(self.stored()), sorted(o["id"] for i, o in enumerate(objs) if i != 7))
        # the same through --json: every success, the failure with its whole-bundle index
        p = self.hub.cli("intel", "import", self.file("b.json", bundle(objs)), "--json")
        out = json.loads(p.stdout)
        self.assertEqual((out["total"], out["stored"], out["refused"]), (10, 9, 1))
        self.assertEqual(len(out["successes"]), 9)
        self.assertEqual([f["index"] for f in out["failures"]], [7])

    def test_truncated_bundle_stores_the_parts_before(self):
        """A bundle cut in its ninth object: the eight before it are stored and the error says
        where and what is stored; importing the whole file afterwards stores the rest, and once
        more changes nothing (storing is idempotent by id and modified)."""
        objs = [indicator(i) for i in range(12)]
        text = bundle(objs)
        cut = text.index(objs[8]["id"])
        p = self.hub.cli("intel", "import", self.file("cut.json", text[:cut]))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("$.objects[8]: line ", p.stderr)
        self.assertIn("(byte ", p.stderr)
        self.assertIn("the 8 objects before it were read (8 stored, 0 refused)", p.stderr)
        self.assertEqual(sorted(self.stored()), sorted(o["id"] for o in objs[:8]))
        path = self.file("whole.json", text)
        for _ in range(2):
            p = self.hub.cli("intel", "import", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("12 objects read, 12 stored", p.stdout)
            self.assertEqual(sorted(self.stored()), sorted(o["id"] for o in objs))
        # a newer version of one object is a new version; the others stay as they are
        objs[4] = indicator(4, modified="2026-11-02T00:00:00.000Z")
        self.assertEqual(self.hub.cli("intel", "import", self.file("v2.json", bundle(objs))).returncode, 0)
        self.assertEqual(sorted(self.stored()), sorted(o["id"] for o in objs))
        for i, versions in ((4, 2), (5, 1)):
            p = self.hub.cli("intel", "get", objs[i]["id"])
            self.assertEqual(len(p.stdout.splitlines()), versions, p.stdout)

    def test_bad_json_after_the_list(self):
        """Malformed JSON after the objects list is the top level's, not an object's: the error
        says where, and that every object was stored."""
        text = bundle([indicator(i) for i in range(5)])[:-1] + ', "more": tru}'
        p = self.hub.cli("intel", "import", self.file("after.json", text))
        self.assertNotEqual(p.returncode, 0)
        self.assertNotIn("$.objects[", p.stderr)
        self.assertIn("after.json: line 1, column %d" % (len(text) - 3), p.stderr)
        self.assertIn("the 5 objects before it were read (5 stored", p.stderr)
        self.assertEqual(len(self.stored()), 5)

    def test_bad_element_in_a_later_part(self):
        """An element whose error shows only when it is built (a duplicate key) fails its part:
        the error names the byte in the file and the objects of the part; the parts before it are
        stored."""
        objs = [indicator(i) for i in range(7)]
        text = bundle(objs)
        at = text.index('"name": "import test 4"')
        text = text[:at] + '"name": "x", ' + text[at:]
        p = self.hub.cli("intel", "import", self.file("dup.json", text))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("duplicate object key", p.stderr)
        self.assertIn("objects #3 to #5", p.stderr)
        self.assertIn("byte %d" % text.index('"name"', at + 5), p.stderr)
        self.assertIn("the 3 objects before it were read (3 stored", p.stderr)
        self.assertEqual(len(self.stored()), 3)

    def test_over_the_limit_stores_nothing(self):
        self.hub.write_config("[intel]\nimport_part_objects = 3\nimport_max_bytes = 2048\n")
        text = bundle([indicator(i) for i in range(10)])
        self.assertGreater(len(text), 2048)
        for args, kw in ((("intel", "import", self.file("big.json", text)), {}),
                         (("intel", "import", "-"), {"input": text})):
            p = self.hub.cli(*args, **kw)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("larger than the limit of 2048 bytes (intel.import_max_bytes): nothing stored",
                          p.stderr)
        self.assertEqual(self.stored(), [])

    def test_stdin(self):
        """'-' reads standard input (a pipe: read whole, then in parts), an envelope here."""
        objs = [indicator(i) for i in range(8)]
        p = self.hub.cli("intel", "import", "-", input=json.dumps({"more": False, "objects": objs}))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("8 objects read, 8 stored", p.stdout)
        self.assertEqual(len(self.stored()), 8)

    def test_anonymous_submission_is_one_part(self):
        """The identity an anonymous object names is withheld wherever it is in the bundle: an
        anonymous document is not cut into parts (in parts, the identity in the first part was
        stored before the anonymous object in the second was read). Also with the property's
        name written with escapes, and with --anonymous."""
        ident = {"type": "identity", "spec_version": "2.1", "id": "identity--%s" % uuid.uuid5(NS, "me"),
                 "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
                 "name": "Bank A", "identity_class": "organization"}
        cases = (("flag", '"x_finshield_anonymous": true', ()),
                 ("escaped", '"x_finshield_\\u0061nonymous": true', ()),
                 ("option", '"x_other": true', ("--anonymous",)))
        for n, (name, flag, args) in enumerate(cases):
            objs = [dict(ident, id="identity--%s" % uuid.uuid5(NS, name))]
            objs += [indicator(100 * n + i) for i in range(1, 6)]
            for o in objs[1:]:
                o["created_by_ref"] = objs[0]["id"]
            text = bundle(objs)
            last = json.dumps(objs[-1])
            text = text.replace(last, last[:-1] + ", " + flag + "}")
            p = self.hub.cli("intel", "import", self.file(name + ".json", text), *args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("6 objects read, 6 stored", p.stdout)
            got = self.hub.cli("intel", "get", objs[0]["id"])
            self.assertEqual(got.stdout, "", name)
            self.assertEqual(len(self.hub.cli("intel", "get", objs[-1]["id"]).stdout.splitlines()), 1)

    def test_not_in_parts(self):
        """A lone object is read whole; a list of objects followed by a type other than bundle
        is refused (the parts before it are named)."""
        p = self.hub.cli("intel", "import", self.file("one.json", json.dumps(indicator(1))))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 objects read, 1 stored", p.stdout)
        text = json.dumps({"objects": [indicator(i) for i in range(2, 6)], "type": "indicator"})
        p = self.hub.cli("intel", "import", self.file("odd.json", text))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("a document with a list of objects and a type must be a bundle", p.stderr)
        self.assertIn("the 4 objects before it were read", p.stderr)
        p = self.hub.cli("intel", "import", self.file("arr.json", "[1, 2]"))
        self.assertIn("expected a bundle, an envelope or an object", p.stderr)


if __name__ == "__main__":
    unittest.main()
