#!/usr/bin/env python3
"""The message catalogue's check: every message a person reads comes in English and zh-TW.

Extracts, from src/, every format string passed to fs_err_set and to the other helpers that make
messages (the table HELPERS below: parser failures, validation findings, vault problems, bad() and
corrupt() helpers), and compares them with the catalogue src/core/messages.def, one entry a line:

    M("English format", "zh-TW format")

sorted by the English text's bytes (as strcmp orders them). Fails naming file:line of

  - each message without a catalogue entry (and prints the line to add),
  - each entry whose conversion specifiers (%s, %zu, %.*s, ...) differ between the two texts,
  - each entry that no source uses any more (stale), each entry out of order or twice,
  - each entry whose zh-TW text is empty or has no Chinese in it.

Usage: scripts/messages.py [--root DIR]          check (exit 1 on a problem)
       scripts/messages.py --missing [--root DIR]  print only the lines to add, sorted
       scripts/messages.py --sort [--root DIR]     rewrite the catalogue sorted (entries unchanged)
"""
import argparse
import os
import re
import sys

CATALOGUE = "src/core/messages.def"

# (file or "" for every file, function name, index of the message argument). A call whose argument
# there is a string literal (or several joined, or `c ? "a" : "b"`) adds that literal; a call that
# passes something else (a variable) adds nothing: the helper's own call sites give the literals.
# String literals among the arguments after it (`s ? s : "(not a string)"`) are words of the
# message too, shown translated where a plain %s takes them (fs_msg_vformat), so they are added
# as well (those without a letter, such as ": ", are not).
HELPERS = [
    ("", "fs_err_set", 3),
    ("", "v_error", 1),
    ("", "v_warn", 1),
    ("", "vault_problems_add", 1),
    ("src/auth/validate.c", "bad", 2),
    ("src/http/mediatype.c", "bad", 2),
    ("src/core/query.c", "bad", 3),
    ("src/vault/snapshot.c", "bad", 2),
    ("src/vault/format.c", "corrupt", 2),
    ("src/vault/reader.c", "desc_error", 2),
    ("src/vault/writer.c", "io_error", 3),
    ("src/detect/ioc_compound.c", "unsupported", 1),
    ("src/detect/framing.c", "fail", 3),
    ("src/detect/parse_json.c", "fail", 2),
    ("src/detect/parse_cef.c", "parse_fail", 2),
    ("src/detect/sigma_cond.c", "fail", 1),
    ("src/detect/sigma_yaml.c", "fail", 2),
    ("src/detect/scan_input.c", "io_fail", 1),
    ("src/incident/clock.c", "fail_at", 3),
    ("src/stix/pattern_parse.c", "fail_at", 3),
    ("src/stix/pattern_parse.c", "expected", 1),
    ("src/stix/pattern_lex.c", "lex_error", 2),
    ("src/stix/stix_rules.c", "at_prop", 2),
    ("src/stix/json_read.c", "stix_json_fail", 2),
    ("", "stix_json_fail", 2),
    ("src/core/time.c", "bad_time", 2),
    ("src/core/jsonx.c", "wrong_type", 1),
    ("", "policy_check", 3),
]

# Tables of words that messages take as arguments: (file, array name); every string literal of the
# array's initializer is a message word ("role %s may not %s %s" takes a verb of policy.c).
TABLES = [
    ("src/auth/policy.c", "verbs"),
]

SPEC = re.compile(r"%(?:%|[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn])")
TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<str>(?:u8|L|u|U)?"(?:\\.|[^"\\\n])*")"""
    r"""|(?P<chr>'(?:\\.|[^'\\\n])*')|(?P<id>[A-Za-z_]\w*)|(?P<num>\d[\w.]*)|(?P<punct>.)""",
    re.S)


def tokens(text):
    """(kind, text, line) for every token but whitespace and comments."""
    line = 1
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            yield kind, m.group(), line
        line += m.group().count("\n")


def literal_body(tok):
    """The characters between the quotes, escapes as written."""
    return tok[tok.index('"') + 1:-1]


def decode(body):
    """The bytes a C compiler makes of a literal's body (for ordering as strcmp does)."""
    out = bytearray()
    raw = body.encode("utf-8")
    i = 0
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord("0"): 0, ord("\\"): 92, ord('"'): 34,
              ord("'"): 39, ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("v"): 11, ord("?"): 63}
    while i < len(raw):
        c = raw[i]
        if c != 92:
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n == ord("x"):
            j = i + 2
            while j < len(raw) and chr(raw[j]) in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(raw[i + 2:j], 16) & 0xFF)
            i = j
        elif ord("0") <= n <= ord("7"):
            j = i + 1
            while j < len(raw) and j < i + 4 and ord("0") <= raw[j] <= ord("7"):
                j += 1
            out.append(int(raw[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out.append(simple.get(n, n))
            i += 2
    return bytes(out)


def split_args(toks, start):
    """Arguments of the call whose '(' is toks[start]: lists of tokens, and the index after ')'."""
    depth, args, cur = 0, [], []
    i = start
    while i < len(toks):
        kind, text, _ = toks[i]
        if text in "([{" and kind == "punct":
            depth += 1
            if depth > 1:
                cur.append(toks[i])
        elif text in ")]}" and kind == "punct":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, i + 1
            cur.append(toks[i])
        elif text == "," and kind == "punct" and depth == 1:
            args.append(cur)
            cur = []
        else:
            cur.append(toks[i])
        i += 1
    return args, i


def literals_of(arg):
    """The string literals an argument may evaluate to: runs of adjacent literals at the top level
    of a plain literal or of a conditional `c ? "a" : "b"`. None when it is anything else."""
    runs, cur, seen_q = [], None, False
    for kind, text, line in arg:
        if kind == "str":
            if cur is None:
                cur = ["", line]
                runs.append(cur)
            cur[0] += literal_body(text)
        else:
            cur = None
            if text == "?":
                seen_q = True
    if not runs:
        return None
    if len(runs) > 1 and not seen_q:
        return None
    if len(runs) == 1 and not (arg[0][0] == "str" or seen_q):
        return None
    return [(body, line) for body, line in runs]


def extract(root):
    """[(path, line, body)] for every message literal in src/."""
    found = []
    src = os.path.join(root, "src")
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            helpers = {name: idx for suffix, name, idx in HELPERS if not suffix or rel == suffix}
            with open(path, encoding="utf-8") as fh:
                toks = list(tokens(fh.read()))
            tables = {name for suffix, name in TABLES if rel == suffix}
            for i, (kind, text, line) in enumerate(toks):
                if kind == "id" and text in tables and toks[i + 1][1] == "[":
                    j = i + 1
                    while j < len(toks) and toks[j][1] not in ("{", ";"):
                        j += 1
                    depth = 0
                    while j < len(toks) and toks[j][1] != ";":
                        depth += {"{": 1, "}": -1}.get(toks[j][1], 0) if toks[j][0] == "punct" else 0
                        if toks[j][0] == "str":
                            found.append((rel, toks[j][2], literal_body(toks[j][1])))
                        if depth == 0 and toks[j][1] == "}":
                            break
                        j += 1
                    continue
                if kind != "id" or text not in helpers or i + 1 >= len(toks) or toks[i + 1][1] != "(":
                    continue
                if i > 0 and toks[i - 1][0] == "id" and toks[i - 1][1] not in ("return",):
                    continue  # a declaration or definition: "int fs_err_set(...)"
                if i > 0 and toks[i - 1][1] == "*":
                    continue
                args, _ = split_args(toks, i + 1)
                idx = helpers[text]
                if idx >= len(args):
                    continue
                lits = literals_of(args[idx])
                for body, lline in lits or []:
                    found.append((rel, lline, body))
                for arg in args[idx + 1:]:
                    depth = 0  # literals inside a call (strcmp(x, "serves")) are not words
                    for kind, tok, lline in arg:
                        if kind == "punct" and tok in "([{":
                            depth += 1
                        elif kind == "punct" and tok in ")]}":
                            depth -= 1
                        elif kind == "str" and not depth and re.search(r"[A-Za-z]", tok):
                            found.append((rel, lline, literal_body(tok)))
    return found


ENTRY = re.compile(r'^M\("((?:\\.|[^"\\])*)", "((?:\\.|[^"\\])*)"\)$')


def read_catalogue(root):
    """[(line, en, zh)] and [(line, problem)] of the catalogue file."""
    entries, problems = [], []
    path = os.path.join(root, CATALOGUE)
    with open(path, encoding="utf-8") as fh:
        for n, text in enumerate(fh, 1):
            text = text.rstrip("\n")
            if not text or text.startswith("//") or text.startswith("/*") or text.startswith(" *"):
                continue
            m = ENTRY.match(text)
            if not m:
                problems.append((n, 'not an entry: write M("English", "中文") on one line'))
                continue
            entries.append((n, m.group(1), m.group(2)))
    return entries, problems


def specs(body):
    return [s for s in SPEC.findall(body) if s != "%%"]


def needs_chinese(en):
    """A text with a lower-case word in it, other than a lone identifier ("type", "id")."""
    text = SPEC.sub("", en)
    if re.fullmatch(r"[A-Za-z0-9_./:\[\]-]+", text):
        return False
    return re.search(r"[a-z]{3}", text) is not None


def has_cjk(s):
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in s)


def entry_line(en, zh="<zh-TW translation>"):
    return 'M("%s", "%s")' % (en, zh)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.environ.get("FINSHIELD_SOURCE_DIR") or
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--missing", action="store_true", help="print only the lines to add")
    ap.add_argument("--sort", action="store_true", help="rewrite the catalogue sorted")
    opt = ap.parse_args()
    root = os.path.abspath(opt.root)
    cat = os.path.join(CATALOGUE)

    uses = {}
    for rel, line, body in extract(root):
        uses.setdefault(body, []).append((rel, line))
    entries, problems = read_catalogue(root)

    if opt.sort:
        path = os.path.join(root, CATALOGUE)
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        head = [l for l in lines if l and not ENTRY.match(l)]
        body = sorted({entry_line(en, zh) for _, en, zh in entries},
                      key=lambda l: decode(ENTRY.match(l).group(1)))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(head + body) + "\n")
        return 0

    by_en = {}
    out = []
    for n, what in problems:
        out.append("%s:%d: %s" % (cat, n, what))
    prev = None
    for n, en, zh in entries:
        key = decode(en)
        if en in by_en:
            out.append("%s:%d: the same English text as line %d: keep one" % (cat, n, by_en[en][0]))
            continue
        by_en[en] = (n, zh)
        if prev is not None and key < prev[1]:
            out.append("%s:%d: out of order: entries are sorted by their English text's bytes "
                       "(run scripts/messages.py --sort)" % (cat, n))
        prev = (n, key)
        if specs(en) != specs(zh):
            where = ", ".join("%s:%d" % u for u in uses.get(en, [])[:3])
            out.append("%s:%d: conversions differ: English %s, zh-TW %s%s" %
                       (cat, n, " ".join(specs(en)) or "none", " ".join(specs(zh)) or "none",
                        " (used at %s)" % where if where else ""))
        if not zh.strip():
            out.append("%s:%d: the zh-TW text is empty" % (cat, n))
        elif needs_chinese(en) and not has_cjk(zh):
            out.append("%s:%d: the zh-TW text has no Chinese in it: %s" % (cat, n, zh))
        if en not in uses:
            out.append("%s:%d: stale: no source passes this message any more: remove the line" %
                       (cat, n))

    missing = sorted((b for b in uses if b not in by_en), key=decode)
    if opt.missing:
        for b in missing:
            print(entry_line(b))
        return 0
    for b in missing:
        rel, line = uses[b][0]
        more = " (and %d more places)" % (len(uses[b]) - 1) if len(uses[b]) > 1 else ""
        out.append("%s:%d: no catalogue entry for this message%s; add to %s, in order:\n    %s" %
                   (rel, line, more, CATALOGUE, entry_line(b)))
    for line in out:
        print(line)
    if out:
        print("%d problem(s); the catalogue has %d entries for %d messages used in src/" %
              (len(out), len(entries), len(uses)))
        return 1
    print("ok: %d messages, every one in English and zh-TW" % len(uses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
