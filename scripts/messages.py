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
    ("", "fs_err_vset", 3),
    ("", "fs_msg_format", 4),
    ("", "fs_msg_vformat", 4),
    ("", "v_error", 1),
    ("", "v_warn", 1),
    ("", "vault_problems_add", 1),
    ("src/auth/validate.c", "bad", 2),
    ("src/http/mediatype.c", "bad", 2),
    ("src/core/query.c", "bad", 3),
    ("src/vault/snapshot.c", "bad", 2),
    ("src/vault/cdf.c", "report", 3),
    ("src/vault/format.c", "corrupt", 2),
    ("src/vault/reader.c", "desc_error", 2),
    ("src/vault/writer.c", "io_error", 3),
    ("src/detect/ioc_compound.c", "unsupported", 1),
    ("src/detect/framing.c", "fail", 3),
    ("src/detect/parse_json.c", "fail", 2),
    ("src/detect/parse_cef.c", "parse_fail", 2),
    ("src/detect/sigma_cond.c", "fail", 1),
    ("src/detect/sigma_rule.c", "WHY", 0),
    ("src/detect/sigma_modifiers.c", "WHY", 0),
    ("src/detect/sigma_yaml.c", "fail", 2),
    ("src/detect/scan_input.c", "io_fail", 1),
    ("src/incident/clock.c", "fail_at", 3),
    ("src/stix/pattern_parse.c", "fail_at", 3),
    ("src/stix/pattern_parse.c", "expected", 1),
    ("src/stix/pattern_lex.c", "lex_error", 2),
    ("src/stix/stix_rules.c", "at_prop", 2),
    ("src/stix/stix_doc.c", "doc_finding", 3),
    ("src/stix/json_read.c", "stix_json_fail", 2),
    ("", "stix_json_fail", 2),
    ("src/core/time.c", "bad_time", 2),
    ("src/core/jsonx.c", "wrong_type", 1),
    ("", "policy_check", 3),
    ("src/audit/audit.c", "report", 1),
]

# Tables of words that messages take as arguments: (file, array name); every string literal of the
# array's initializer is a message word ("role %s may not %s %s" takes a verb of policy.c).
TABLES = [
    ("src/auth/policy.c", "verbs"),
    ("src/incident/input.c", "incident_status_names"),
    ("src/incident/work.c", "task_status_names"),
    ("src/incident/match.c", "exclusion_reasons"),
]

# Functions that return message words: (file, function name); every string literal of a `return`
# statement in the function's body is a message word (cdf.c's check_value says what is wrong with
# a value, shown as "%s: ..." by report(); verify.c's who and type_name name a blob's user and kind).
RETURNS = [
    ("src/vault/cdf.c", "check_value"),
    ("src/vault/verify.c", "who"),
    ("src/vault/verify.c", "type_name"),
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


def c_files(root):
    """(path, path relative to root) of every .c and .h under src/, in a stable order."""
    src = os.path.join(root, "src")
    for dirpath, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                path = os.path.join(dirpath, f)
                yield path, os.path.relpath(path, root)


def passes_message(args, idx, param):
    """Whether a helper call's arguments hand `param` on as the message: at the message's place,
    or as the only argument of a "%s" message there."""
    def only(arg, kind, text):
        return [t[:2] for t in arg] == [(kind, text)]
    if idx < len(args) and only(args[idx], "id", param):
        return True
    return idx + 1 < len(args) and only(args[idx], "str", '"%s"') and only(args[idx + 1], "id", param)


# (file, line, function) of a function that takes a format, formats it with vsnprintf and hands
# the text to a message helper: its messages would have no translation (the text is not a format
# of the catalogue). It should pass its format on with fs_err_vset or fs_msg_vformat.
VSNPRINTF = set()


def discover_helpers(root, helpers):
    """The helpers that make messages without being listed in HELPERS: a function-like macro that
    hands its __VA_ARGS__ (or a parameter) to one as the message (parse_syslog.c's FAIL), and a
    function that hands one of its `const char *` parameters to one as the message (a `fail(...,
    const char *msg)` or a `bad(..., const char *fmt, ...)`), found again and again until nothing
    new turns up. Static functions and macros of a .c file count in that file only."""
    files = []
    for path, rel in c_files(root):
        with open(path, encoding="utf-8") as fh:
            files.append((rel, list(tokens(fh.read()))))
    known = set(helpers)
    while True:
        new = []
        for rel, toks in files:
            local = {name: idx for suffix, name, idx in known if not suffix or rel == suffix}
            for i, (kind, text, _) in enumerate(toks):
                if kind != "id" or i + 1 >= len(toks) or toks[i + 1][1] != "(":
                    continue
                is_macro = i >= 2 and toks[i - 1][1] == "define" and toks[i - 2][1] == "#"
                if not is_macro and (i == 0 or toks[i - 1][0] != "id" and toks[i - 1][1] != "*"):
                    continue
                listed = text in local and not is_macro
                params, j = split_args(toks, i + 1)
                names = []
                for prm in params:
                    ids = [t for k, t, _ in prm if k == "id"]
                    if [t[1] for t in prm] == [".", ".", "."] or [t[:2] for t in prm] == [("id", "__VA_ARGS__")]:
                        names.append("__VA_ARGS__")
                    elif is_macro and len(prm) == 1:
                        names.append(ids[0] if ids else "")
                    elif ids and "char" in ids and any(t[1] == "*" for t in prm):
                        names.append(ids[-1])
                    else:
                        names.append("")
                if is_macro:
                    end = j
                    while end < len(toks) and toks[end][1] != "#":
                        end += 1  # the body: up to the next directive (enough for one-line macros)
                    body = toks[j:end]
                elif j < len(toks) and toks[j][1] == "{":
                    depth, end = 0, j
                    while end < len(toks):
                        depth += {"{": 1, "}": -1}.get(toks[end][1], 0) if toks[end][0] == "punct" else 0
                        end += 1
                        if depth == 0:
                            break
                    body = toks[j:end]
                else:
                    continue
                fmt_params = [n for n in names if n and n != "__VA_ARGS__"]
                if not is_macro and "__VA_ARGS__" in names and any(
                        body[b][1] == "vsnprintf" and b + 1 < len(body) and body[b + 1][1] == "("
                        and any(t[1] in fmt_params for t in split_args(body, b + 1)[0][2])
                        for b in range(len(body))) and any(
                        body[b][1] in local and b + 1 < len(body) and body[b + 1][1] == "("
                        for b in range(len(body))):
                    VSNPRINTF.add((rel, body[0][2], text))
                static = is_macro or rel.endswith(".c") and "static" in [
                    t[1] for t in toks[max(0, i - 6):i]]
                for b, (k2, t2, _) in enumerate(body):
                    if listed or k2 != "id" or t2 not in local or b + 1 >= len(body) or body[b + 1][1] != "(":
                        continue
                    args, _ = split_args(body, b + 1)
                    for pi, pname in enumerate(names):
                        if not pname:
                            continue
                        if pname == "__VA_ARGS__" and is_macro:
                            ok = local[t2] < len(args) and [t[:2] for t in args[local[t2]]] == [("id", "__VA_ARGS__")]
                        else:
                            ok = passes_message(args, local[t2], pname)
                        entry = (rel if static else "", text, pi)
                        if ok and entry not in known and (rel, text, pi) not in known:
                            new.append(entry)
        if not new:
            return sorted(known)
        known.update(new)


# Functions that return a library's words (English only): a message must not be only that ("%s"),
# it takes them inside a sentence of ours ("cannot open: %s").
LIBRARY_TEXT = {"strerror", "sqlite3_errmsg", "sqlite3_errstr", "curl_easy_strerror",
                "gnutls_strerror", "PQerrorMessage", "PQresultErrorMessage"}
BARE_LIBRARY = []  # (file, line, function) of a message that is a library's words alone


def extract(root):
    """[(path, line, body)] for every message literal in src/."""
    found = []
    src = os.path.join(root, "src")
    all_helpers = discover_helpers(root, HELPERS)
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            helpers = {name: idx for suffix, name, idx in all_helpers if not suffix or rel == suffix}
            with open(path, encoding="utf-8") as fh:
                toks = list(tokens(fh.read()))
            tables = {name for suffix, name in TABLES if rel == suffix}
            returns = {name for suffix, name in RETURNS if rel == suffix}
            for i, (kind, text, line) in enumerate(toks):
                if kind == "id" and text in returns and toks[i + 1][1] == "(" and i > 0 and \
                        (toks[i - 1][0] == "id" or toks[i - 1][1] == "*") and \
                        toks[i - 1][1] != "return":
                    _, j = split_args(toks, i + 1)
                    if j >= len(toks) or toks[j][1] != "{":
                        continue  # a declaration
                    depth, in_return = 0, False
                    while j < len(toks):
                        k2, t2, l2 = toks[j]
                        if k2 == "punct" and t2 == "{":
                            depth += 1
                        elif k2 == "punct" and t2 == "}":
                            depth -= 1
                            if depth == 0:
                                break
                        elif k2 == "id" and t2 == "return":
                            in_return = True
                        elif k2 == "punct" and t2 == ";":
                            in_return = False
                        elif k2 == "str" and in_return and re.search(r"[A-Za-z]", t2):
                            found.append((rel, l2, literal_body(t2)))
                        j += 1
                    continue
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
                if i > 0 and toks[i - 1][0] == "id" and toks[i - 1][1] not in ("return", "else", "do"):
                    continue  # a declaration or definition: "int fs_err_set(...)"
                if i > 0 and toks[i - 1][1] == "*":
                    continue
                args, _ = split_args(toks, i + 1)
                idx = helpers[text]
                if idx >= len(args):
                    continue
                lits = literals_of(args[idx])
                if lits and [b for b, _ in lits] == ["%s"] and idx + 1 < len(args) and \
                        args[idx + 1] and args[idx + 1][0][1] in LIBRARY_TEXT:
                    BARE_LIBRARY.append((rel, line, args[idx + 1][0][1]))
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


# What the CLI prints itself: printf-like calls in src/cli (function name, index of the first
# argument that is text to print). Every string literal among those arguments (outside nested
# calls) that has words in it must be bilingual: inside FS_TR(lang, "en", "zh"), or a branch of a
# conditional whose other branch has Chinese (`en ? "..." : "..."`). Words are runs of three
# letters or more, once conversions, escapes, JSON member names (\"name\"), options (--tcp, -h)
# and capitals (TCP, UDP, ID) are taken out, and a usage line's syntax ("finshield org <list|show>");
# the few below are not words of a language either.
CLI_PRINTS = {"printf": 0, "fprintf": 1, "puts": 0, "fputs": 0, "cli_usage_error": 2, "fail_msg": 3,
              "warn": 2}
CLI_NOT_PROSE = {"null", "true", "false", "finshield", "vault", "mib", "kib", "gib"}


def prose(body):
    """The English words of a literal's body that a person reads, or [] when there are none."""
    text = SPEC.sub(" ", body)
    text = re.sub(r'\\"[^"\\]*\\"', " ", text)  # a JSON member name or value: \"...\"
    text = re.sub(r"\\[ntr0\\]|\\x[0-9a-fA-F]+|\\[0-7]{1,3}", " ", text)
    text = re.sub(r"(?<![A-Za-z0-9])--?[A-Za-z][A-Za-z0-9-]*", " ", text)  # --tcp, -h
    # A usage line's syntax: "finshield org <list|show>": the command's words and the choices.
    text = re.sub(r"\bfinshield(?:\s+[a-z][a-z-]*)*\s*<[^<>]*>", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text)
            if w.lower() not in CLI_NOT_PROSE and not w.isupper()]


def cli_prints(root):
    """[(path, line, literal)] of English-only text the CLI prints itself."""
    out = []
    cli = os.path.join(root, "src", "cli")
    for f in sorted(os.listdir(cli)):
        if not f.endswith(".c"):
            continue
        rel = os.path.join("src", "cli", f)
        with open(os.path.join(root, rel), encoding="utf-8") as fh:
            toks = list(tokens(fh.read()))
        for i, (kind, text, line) in enumerate(toks):
            if kind != "id" or text not in CLI_PRINTS or i + 1 >= len(toks) or toks[i + 1][1] != "(":
                continue
            if i > 0 and (toks[i - 1][0] == "id" and toks[i - 1][1] not in ("return", "else", "do")):
                continue
            args, _ = split_args(toks, i + 1)
            for arg in args[CLI_PRINTS[text]:]:
                if arg and arg[0] == ("id", "FS_TR", arg[0][2]):
                    continue
                lits, depth, bilingual = [], 0, False
                for k2, t2, l2 in arg:
                    if k2 == "punct" and t2 in "([{":
                        depth += 1
                    elif k2 == "punct" and t2 in ")]}":
                        depth -= 1
                    elif k2 == "str" and not depth:
                        lits.append((l2, literal_body(t2)))
                        bilingual |= has_cjk(literal_body(t2))
                if bilingual and any(t == "?" for _, t, _ in arg):
                    continue
                for l2, body in lits:
                    if prose(body) and not has_cjk(body):
                        out.append((rel, l2, body))
    return out


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
    for rel, line, fn in BARE_LIBRARY:
        out.append("%s:%d: the message is %s()'s words alone (English only): put them inside a "
                   "sentence of ours (\"cannot open: %%s\")" % (rel, line, fn))
    for rel, line, fn in sorted(VSNPRINTF):
        out.append("%s:%d: %s() formats its message with vsnprintf, so it has no translation: "
                   "pass the format on with fs_err_vset (or fs_msg_vformat)" % (rel, line, fn))
    for rel, line, body in cli_prints(root):
        out.append('%s:%d: the CLI prints English only: "%s"; print both languages with '
                   'FS_TR(ctx->lang, "English", "中文")' % (rel, line, body))
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
