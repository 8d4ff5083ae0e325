"""Every command and sub-command, walked from the top-level help: its --help lists exactly the
options it accepts, and an option it cannot go without is a usage error when missing (exit 2,
"missing --username NAME", in English and in zh-TW), never a JSON path from the API's parser.
(#18 items 10 and 11)"""
import os
import re
import unittest
from concurrent.futures import ThreadPoolExecutor

from hubtest import ENV, run

# No leak check for runs that only parse options (it makes each run slower, and nothing is opened).
QUICK = dict(ENV, ASAN_OPTIONS="detect_leaks=0")
for var in ("FINSHIELD_VAULT_REPO", "FINSHIELD_VAULT_PASSWORD_FILE", "FINSHIELD_TAXII_TOKEN"):
    QUICK.pop(var, None)
ZH = dict(QUICK, FINSHIELD_LANG="zh-TW")

OPTION = re.compile(r"^  (?:-(\w), )?--([a-z][\w-]*)(?: (\S+))?(?:\s{2,}(\S.*))?$")
ENTRY = re.compile(r"^  ([a-z][\w-]*)\s{2,}\S")

# The options each command cannot go without, as its --help marks them "(required)". A command
# whose API body needs a field has the option required here, so the CLI names the option rather
# than the JSON field.
REQUIRED = {
    "attack tag": {"technique"},
    "audit check-head": {"key"},
    "feed add": {"kind"},
    "incident level": {"level"},
    "incident report": {"title", "discovered", "category"},
    "incident status": {"status"},
    "incident note": {"text"},
    "migrate": {"from", "to"},
    "incident team add": {"org", "code", "name-zh", "name-en", "kind"},
    "incident team member": {"team", "user"},
    "org add": {"code", "name-zh", "name-en", "industry", "tier"},
    "publication create": {"file"},
    "publication import": {"file"},
    "publication subscribe": {"channel", "target"},
    "publication update": {"file"},
    "report stats": {"by"},
    "report supervision": {"period"},
    "soc source add": {"org"},
    "taxii pull": {"collection"},
    "taxii push": {"collection", "for"},
    "token create": {"user"},
    "user add": {"org", "username", "role"},
    "vault deposit": {"business-date"},
    "vault partner-keygen": {"out"},
    "vault replicate": {"to"},
    "vault restore": {"target"},
    "vault export": {"target"},
    "vault serve": {"tokens"},
    "vault token": {"tokens", "name"},
    "warninglist set": {"action"},
}


def parallel(fn, items):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(fn, items))


_leaves = {}


def walk():
    """{"user add": [(short, long, placeholder, help), ...]} for every command that takes options,
    found from `finshield --help` down through each command's list of sub-commands (walked once)."""
    if _leaves:
        return _leaves
    top = run("--help", env=QUICK)
    assert top.returncode == 0, top.stderr
    section = top.stdout.split("Commands:", 1)[1].split("\n\n", 1)[0]
    todo = [[m.group(1)] for m in map(ENTRY.match, section.splitlines()) if m]
    assert len(todo) >= 14, todo
    leaves = {}
    while todo:
        helps = parallel(lambda path: run(*path, "--help", env=QUICK), todo)
        nxt = []
        for path, p in zip(todo, helps):
            name = " ".join(path)
            assert p.returncode == 0, (name, p.stderr)
            if "\nOptions:\n" in p.stdout:
                lines = p.stdout.split("\nOptions:\n", 1)[1].splitlines()
                opts = []
                for i, line in enumerate(lines):
                    m = OPTION.match(line)
                    if m:  # a long option's help stands on the next line
                        help = m.group(4) or (lines[i + 1].strip() if i + 1 < len(lines) else "")
                        opts.append(m.groups()[:3] + (help,))
                leaves[name] = opts
            else:
                subs = [m.group(1) for m in map(ENTRY.match, p.stdout.splitlines()) if m]
                assert subs, (name, p.stdout)
                nxt += [path + [s] for s in subs]
        todo = nxt
    _leaves.update(leaves)
    return _leaves


def with_value(short, long, arg, as_short=False):
    """The arguments that give one option (a value where it takes one)."""
    if as_short:
        return ["-" + short] + (["1"] if arg else [])
    return ["--" + long + ("=1" if arg else "")]


class Options(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.leaves = walk()

    def test_walk_reaches_every_command(self):
        for name in ("init", "serve", "demo", "scan", "sigma check", "user add", "user show",
                     "token revoke", "intel get", "audit verify", "incident team add",
                     "soc source add", "vault init", "vault serve", "taxii push"):
            self.assertTrue(name in self.leaves, name)
        self.assertFalse("audit list" in self.leaves)
        top = run("--help", env=QUICK).stdout
        self.assertNotIn("portal", top)

    def test_listed_options_are_accepted(self):
        # One run a command: every option it lists, each with a value where it takes one, then
        # --help. Parsing goes through them all before the help, so exit 0 means none is refused.
        def check(item):
            name, opts = item
            args = []
            for short, long, arg, _ in opts:
                if long != "help":
                    args += with_value(short, long, arg)
            shorts = []
            for short, long, arg, _ in opts:
                if short and long != "help":
                    shorts += with_value(short, long, arg, as_short=True)
            return name, run(*name.split(), *args, "--help", env=QUICK), \
                run(*name.split(), *shorts, "--help", env=QUICK)
        for name, p, ps in parallel(check, sorted(self.leaves.items())):
            self.assertEqual(p.returncode, 0, f"{name}: {p.stderr}")
            self.assertEqual(ps.returncode, 0, f"{name} (short options): {ps.stderr}")

    def test_accepted_options_are_listed(self):
        # --completion-helper (as git's --git-completion-helper) asks the parser's own lookups,
        # entry by entry of the command's whole option table, which options it accepts.
        def check(item):
            name, opts = item
            return item, run(*name.split(), "--completion-helper", env=QUICK)
        for (name, opts), p in parallel(check, sorted(self.leaves.items())):
            self.assertEqual(p.returncode, 0, f"{name}: {p.stderr}")
            accepted = set(p.stdout.split())
            listed = {"--" + o[1] for o in opts if o[1] != "help"}
            listed |= {"-" + o[0] for o in opts if o[0] and o[1] != "help"}
            self.assertEqual(accepted - listed, set(), f"{name} accepts options it does not list")
            self.assertEqual(listed - accepted, set(), f"{name} lists options it does not accept")

    def test_sub_commands_do_not_take_each_others_options(self):
        # The three of #18 item 11, tried as a user would.
        for args in (("user", "show", "u1", "--password-file", "x"), ("intel", "get", "x", "--tlp", "red"),
                     ("token", "revoke", "x", "--days", "3")):
            p = run(*args, "--data", "/nonexistent", env=QUICK)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(f'unknown option "{args[3]}"', p.stderr, args)
            self.assertNotIn(args[3], run(*args[:2], "--help", env=QUICK).stdout, args)

    def test_help_says_which_options_are_required(self):
        marked = {name: {o[1] for o in opts if o[3].endswith("(required)")}
                  for name, opts in self.leaves.items()}
        self.maxDiff = None
        self.assertEqual({k: v for k, v in marked.items() if v}, REQUIRED)


class RequiredOptions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.leaves = walk()

    def test_each_missing_required_option_is_a_usage_error(self):
        # With every other required option given, the one left out is named, before anything is
        # opened: exit 2 and "missing --NAME ARG" (zh-TW "缺少 --NAME ARG").
        cases = []
        for name, opts in sorted(self.leaves.items()):
            req = [o for o in opts if o[3].endswith("(required)")]
            for short, long, arg, _ in req:
                others = []
                for o in req:
                    if o[1] != long:
                        others += with_value(*o[:3])
                cases.append((name, long, arg, others))
        self.assertGreaterEqual(len(cases), sum(len(v) for v in REQUIRED.values()))

        def check(case):
            name, long, arg, others = case
            return case, run(*name.split(), *others, env=QUICK), run(*name.split(), *others, env=ZH)
        for (name, long, arg, _), p, pz in parallel(check, cases):
            missing = f"--{long} {arg}" if arg else f"--{long}"
            self.assertEqual(p.returncode, 2, f"{name} without --{long}: {p.stderr}")
            self.assertIn(f"missing {missing}\n", p.stderr, name)
            self.assertNotIn("$.", p.stderr, name)
            self.assertEqual(pz.returncode, 2, name)
            self.assertIn(f"缺少 {missing}\n", pz.stderr, name)

    def test_no_json_path_for_a_missing_option(self):
        # The commands that once answered with the API parser's words.
        for args, missing in [(("user", "add", "--org", "hub", "--role", "hub-admin"), "--username NAME"),
                              (("org", "add", "--code", "b1", "--name-zh", "銀行", "--name-en", "B",
                                "--industry", "bank"), "--tier TIER"),
                              (("incident", "report", "--title", "t", "--category", "ddos"),
                               "--discovered TIME"),
                              (("token", "create"), "--user USER"),
                              (("incident", "level", "INC-1"), "--level N"),
                              (("soc", "source", "add", "--org", "b1"), "--cidr RANGE or --cert FILE.pem"),
                              (("vault", "snapshots"), "--repo DIR"),
                              (("vault", "init", "--repo", "/nonexistent"), "--password-file FILE")]:
            p = run(*args, "--data", "/nonexistent", env=QUICK) if args[0] != "vault" else \
                run(*args, env=QUICK)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn("missing " + missing, p.stderr, args)
            self.assertNotIn("$.", p.stderr, args)


if __name__ == "__main__":
    unittest.main()
