"""scripts/fuzz-long.sh (`make fuzz`) on a build folder laid out like a FINSHIELD_FUZZ build:
it finds every target under tests/fuzz/<module>/, names each crashing input, says when a target
could not run, and fails loudly when there is no target or the build is not a fuzz build. The
targets here are small stand-ins that answer like libFuzzer does."""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("FINSHIELD_SOURCE_DIR", os.getcwd())
SCRIPT = os.path.join(ROOT, "scripts", "fuzz-long.sh")

# A stand-in for a libFuzzer target: records its arguments; "crash" writes an input where
# -artifact_prefix says and reports it as libFuzzer does; "broken" exits without an input.
FAKE = """#!/bin/sh
echo "$@" > "$(dirname "$0")/$(basename "$0").args"
prefix=
for a in "$@"; do
  case "$a" in -artifact_prefix=*) prefix=${a#-artifact_prefix=} ;; esac
done
case "$(basename "$0")" in
  *crash*)
    printf 'boom' > "${prefix}crash-0123abcd"
    echo "==42==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1"
    echo "artifact_prefix='$prefix'; Test unit written to ${prefix}crash-0123abcd"
    exit 1 ;;
  *broken*)
    echo "INFO: cannot open something"
    exit 3 ;;
esac
echo "stat::number_of_executed_units: 1234"
exit 0
"""


def make_build(targets, fuzz=True):
    build = tempfile.mkdtemp(prefix="finshield-fuzzbuild-")
    with open(os.path.join(build, "CMakeCache.txt"), "w") as f:
        f.write("FINSHIELD_FUZZ:BOOL=%s\n" % ("ON" if fuzz else "OFF"))
    for module, name in targets:
        d = os.path.join(build, "tests", "fuzz", module)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "fuzz_" + name)
        with open(p, "w") as f:
            f.write(FAKE)
        os.chmod(p, os.stat(p).st_mode | stat.S_IXUSR)
        # what CMake leaves next to a target is not a target
        os.makedirs(os.path.join(d, "CMakeFiles", "fuzz_%s.dir" % name), exist_ok=True)
    return build


def fuzz(build, seconds="1"):
    return subprocess.run(["sh", SCRIPT, build, seconds], capture_output=True, text=True,
                          timeout=120)


class FuzzScript(unittest.TestCase):
    def build(self, targets, fuzz=True):
        b = make_build(targets, fuzz)
        self.addCleanup(shutil.rmtree, b)
        return b

    def test_every_target_in_module_folders(self):
        b = self.build([("core", "config"), ("detect", "detect_iocs"), ("vault", "vault_cdf")])
        p = fuzz(b)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for name in ("config", "detect_iocs", "vault_cdf"):
            self.assertIn("fuzz: %s for 1s" % name, p.stdout)
            self.assertIn("fuzz: %s ok, 1234 runs" % name, p.stdout)
        self.assertIn("fuzz: 3 targets, no crash", p.stdout)
        self.assertNotIn("*", p.stdout)
        # each runs for the seconds given, grows its own corpus, starts from the project's seeds
        with open(os.path.join(b, "tests", "fuzz", "core", "fuzz_config.args")) as f:
            args = f.read().split()
        self.assertIn("-max_total_time=1", args)
        self.assertIn(os.path.join(b, "fuzz-long", "config", "corpus"), args)
        self.assertIn(os.path.join(ROOT, "tests", "fuzz", "corpus", "config"), args)
        self.assertIn("-artifact_prefix=" + os.path.join(b, "fuzz-long", "config", "crashes") + "/",
                      args)

    def test_crash_named_with_its_input(self):
        b = self.build([("core", "config"), ("intel", "intel_crash_here"), ("auth", "broken_one")])
        p = fuzz(b)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        crash = os.path.join(b, "fuzz-long", "intel_crash_here", "crashes", "crash-0123abcd")
        self.assertTrue(os.path.exists(crash))
        self.assertIn("fuzz: intel_crash_here FOUND A CRASH: " + crash, p.stdout)
        self.assertIn("heap-buffer-overflow", p.stdout)
        self.assertIn("fuzz: broken_one FAILED TO RUN (exit 3, no crashing input)", p.stdout)
        self.assertIn("cannot open something", p.stdout)
        self.assertIn("fuzz: config ok", p.stdout)  # the others still ran
        self.assertIn("fuzz: 3 targets, 1 crashed", p.stdout)

    def test_no_target_fails_loudly(self):
        p = fuzz(self.build([]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no fuzz target", p.stderr)
        self.assertNotIn("FOUND A CRASH", p.stdout)

    def test_not_a_fuzz_build(self):
        p = fuzz(self.build([("core", "config")], fuzz=False))
        self.assertEqual(p.returncode, 1)
        self.assertIn("FINSHIELD_FUZZ=ON", p.stderr)


if __name__ == "__main__":
    unittest.main()
