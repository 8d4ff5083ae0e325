#!/usr/bin/env python3
"""The house rules of shared/DESIGN.md that a machine can check (lint.layers; docs/internals/layout.md).

1. The include graph: every `#include "m/..."` in src/<module>/ is an edge module -> m. An edge
   must go down the layering below (LAYERS, DOMAIN_USES): no module includes one above it or
   beside it (unless DOMAIN_USES lets it), so no two modules include each other.
2. The link graph: the fs_<m> libraries a module's CMakeLists.txt links follow the same rule
   (a module cannot hide an edge by linking what it includes through another).
3. One owner per table: a table is named in SQL (FROM, JOIN, INTO, UPDATE, TABLE, INDEX ... ON)
   only in the module that owns it (OWNERS, or the module whose name begins the table's);
   others call the owner's functions. A foreign key (REFERENCES) is not a use.
4. One owner per constant: the TLP levels' names ("TLP:AMBER") and their marking-definition ids
   are written only in the TLP module (TLP_MODULE); others call stix/tlp.h (stix_tlp_name,
   stix_tlp_marking_id, ...). The ids are those the module's own string literals hold; a string
   literal (not a comment) anywhere else in src/ that holds one of them, or a TLP name, fails.

Fails (exit 1) naming file:line and what to do; prints "ok: ..." otherwise.
Usage: scripts/house-check.py [--root DIR]
"""
import argparse
import os
import re
import sys

# The layers, lowest first. A module may include (and link) any module of a lower layer; within
# the domain layer, only what DOMAIN_USES lists. A new folder under src/ must be placed here.
DOMAIN = "domain"
LAYERS = [
    ["core"],   # buffers, errors, time, JSON, config, log, the actor's shape: nothing of ours
    ["store"],  # the storage interface and its backends
    ["audit"],  # the hash chain (auth writes its records through it)
    ["auth"],   # organisations, users, tokens, the one policy
    DOMAIN,     # the domain modules, DOMAIN_USES below
    ["hub"],    # the assembled hub: wires the domain modules' hooks
    ["http"],   # the HTTP server and its handlers
    ["cli"],    # one file a command
]

# The domain modules and the other domain modules each may use (read through their functions;
# side effects on another module go through hooks wired in hub/). Must stay acyclic.
DOMAIN_USES = {
    "stix": [],                                  # the pure STIX 2.1 library: core only
    "vault": [],
    "intel": ["stix"],
    "detect": ["stix"],                          # pure: core and stix only
    "taxii": ["stix", "intel"],
    "incident": ["stix", "intel"],
    "soc": ["stix", "intel", "detect"],          # drafts and webhooks: hooks (hub/soc.c)
    "sample": ["stix", "intel", "incident", "soc", "resilience"],
    "resilience": [],                            # registers and drill evidence
    "supervision": ["resilience", "incident"],   # facts, requirements, scores, reports
}

# Modules that are pure libraries: they may include these modules and no others, whatever the
# layers would allow (detect and its fuzz targets link no store, auth or audit).
PURE = {
    "stix": ["core"],
    "detect": ["core", "stix"],
}

# Tables owned by a module whose name does not begin with the module's ("intel_object" is
# intel's, "soc_alert" soc's).
OWNERS = {
    "schema_version": "store",
    "org": "auth",
    "app_user": "auth",
    "api_token": "auth",
    "login_failure": "auth",
    "incident": "incident",
    "notify_outbox": "incident",
    "notify_attempt": "incident",
    "resil_record": "resilience",
}

# The files that alone write TLP names and marking-definition ids (rule 4).
TLP_MODULE = ["src/stix/tlp.c", "src/stix/tlp.h", "src/core/tlp.h"]
TLP_NAME = re.compile(r"\bTLP:(?:CLEAR|WHITE|GREEN|AMBER|RED)\b")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/[^"]+"', re.M)
MODULE_CALL = re.compile(r"finshield_module\s*\(\s*([a-z0-9_]+)(.*?)\)", re.S)
TOKEN = re.compile(r"""(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<str>"(?:\\.|[^"\\\n])*")|(?P<chr>'(?:\\.|[^'\\\n])*')""",
                   re.S)
SQL_USE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[A-Za-z0-9_]+\s+ON)\s+([a-z_][a-z0-9_]*)\b")
SQL_CREATE = re.compile(r"\bCREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)\b")


def layer_of(module):
    for i, layer in enumerate(LAYERS):
        if (layer == DOMAIN and module in DOMAIN_USES) or (layer != DOMAIN and module in layer):
            return i
    return None


def may_use(a, b):
    """Whether module a may include or link module b, and if not, why."""
    if a == b:
        return True, ""
    if a in PURE:
        return (b in PURE[a]), f"{a} is a pure library: it uses {', '.join(PURE[a])} only"
    la, lb = layer_of(a), layer_of(b)
    if lb < la and not (LAYERS[la] == DOMAIN and LAYERS[lb] == DOMAIN):
        return True, ""
    if LAYERS[la] == DOMAIN and LAYERS[lb] == DOMAIN:
        uses = DOMAIN_USES[a]
        return (b in uses), (f"{a} may use the domain modules {', '.join(uses) or 'none'}: reach "
                             f"{b} through a hook wired in hub/, or list it in DOMAIN_USES if it "
                             f"only reads through {b}'s functions (no cycle)")
    return False, f"{b} is above {a} (core < store < audit < auth < domain < hub < http < cli)"


def check_data():
    """The layering itself: DOMAIN_USES names domain modules and has no cycle."""
    problems = []
    for a, uses in DOMAIN_USES.items():
        problems += [f"DOMAIN_USES: {a} uses {b}, which is not a domain module" for b in uses
                     if b not in DOMAIN_USES]
    state = {}

    def visit(m, path):
        if state.get(m) == 1:
            problems.append("DOMAIN_USES has a cycle: " + " -> ".join(path + [m]))
            return
        if state.get(m) == 2:
            return
        state[m] = 1
        for b in DOMAIN_USES.get(m, []):
            visit(b, path + [m])
        state[m] = 2

    for m in DOMAIN_USES:
        visit(m, [])
    return problems


def sources(root):
    """(module, path relative to root) of every C source and header under src/<module>/."""
    src = os.path.join(root, "src")
    for module in sorted(os.listdir(src)):
        d = os.path.join(src, module)
        if not os.path.isdir(d):
            continue
        for dirpath, _, files in os.walk(d):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield module, os.path.relpath(os.path.join(dirpath, f), root)


def strings(text):
    """The string literals of C text with the line each starts on, comments left out."""
    for m in TOKEN.finditer(text):
        if m.group("str"):
            yield text.count("\n", 0, m.start()) + 1, m.group("str")[1:-1]


def sql_of(text):
    """The SQL of a file: its string literals joined (adjacent ones make one statement), and for
    each offset of the joined text the line its literal starts on."""
    parts, lines, pos = [], [], 0
    for line, s in strings(text):
        parts.append(s + " ")
        lines.append((pos, line))
        pos += len(s) + 1
    joined = "".join(parts)

    def line_at(offset):
        found = 1
        for start, line in lines:
            if start > offset:
                break
            found = line
        return found

    return joined, line_at


def owner_of(table, modules):
    if table in OWNERS:
        return OWNERS[table]
    best = None
    for m in modules:
        if table.startswith(m + "_") and (best is None or len(m) > len(best)):
            best = m
    return best


def check(root):
    problems = check_data()
    modules = sorted(d for d in os.listdir(os.path.join(root, "src"))
                     if os.path.isdir(os.path.join(root, "src", d)))
    known = [m for m in modules if layer_of(m) is not None]
    for m in modules:
        if layer_of(m) is None:
            problems.append(f"src/{m}/ is not in the layering: place it in LAYERS (or DOMAIN_USES) of "
                            f"scripts/house-check.py and in docs/internals/layout.md")
    texts = {}
    for module, rel in sources(root):
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            texts[rel] = (module, f.read())
    edges = set()
    # 1. includes
    for rel, (module, text) in texts.items():
        if module not in known:
            continue
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            if target == module or not os.path.isdir(os.path.join(root, "src", target)):
                continue
            line = text.count("\n", 0, m.start()) + 1
            inc = text[m.start():m.end()].split('"')[1]
            if target not in known:
                continue  # reported above
            edges.add((module, target))
            ok, why = may_use(module, target)
            if not ok:
                problems.append(f"{rel}:{line}: {module} includes {inc}: {why}")
    # 2. links
    for module in known:
        cm = os.path.join(root, "src", module, "CMakeLists.txt")
        if not os.path.exists(cm):
            continue
        with open(cm) as f:
            text = f.read()
        for call in MODULE_CALL.finditer(text):
            libs = call.group(2).split("LIBS", 1)[1] if "LIBS" in call.group(2) else ""
            for lib in re.findall(r"\bfs_([a-z0-9_]+)\b", libs):
                if lib in known and lib != module:
                    ok, why = may_use(module, lib)
                    if not ok:
                        problems.append(f"src/{module}/CMakeLists.txt: {module} links fs_{lib}: {why}")
    # 3. tables
    tables = {}
    for rel, (module, text) in texts.items():
        joined, line_at = sql_of(text)
        for m in SQL_CREATE.finditer(joined):
            t, owner = m.group(1), owner_of(m.group(1), known)
            tables.setdefault(t, owner)
            if owner != module:
                problems.append(f"{rel}:{line_at(m.start())}: table {t} is created in {module} but "
                                f"its owner is {owner or 'unknown'}: name it {module}_... or list it in "
                                f"OWNERS of scripts/house-check.py")
    for rel, (module, text) in texts.items():
        joined, line_at = sql_of(text)
        for m in SQL_USE.finditer(joined):
            t = m.group(1)
            owner = tables.get(t)
            if owner is None or owner == module:
                continue
            problems.append(f"{rel}:{line_at(m.start(1))}: {module} names {t} ({owner}'s table) in "
                            f"SQL: call {owner}'s functions (add one to {owner} if it has none)")
    # 4. TLP names and ids
    tlp_ids = set()
    for rel in TLP_MODULE:
        if rel in texts:
            for _, lit in strings(texts[rel][1]):
                if "marking-definition--" in lit:
                    tlp_ids.update(UUID.findall(lit))
    for rel, (module, text) in texts.items():
        if rel in TLP_MODULE:
            continue
        for line, lit in strings(text):
            found = TLP_NAME.search(lit)
            if found:
                problems.append(f"{rel}:{line}: the TLP name {found.group(0)} is written outside the TLP "
                                f"module: use stix_tlp_name() (stix/tlp.h)")
            for u in UUID.findall(lit):
                if u in tlp_ids:
                    problems.append(f"{rel}:{line}: the TLP marking definition {u} is written outside "
                                    f"the TLP module: use stix_tlp_marking_id() (stix/tlp.h)")
    return problems, edges, tables


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    problems, edges, tables = check(os.path.abspath(args.root))
    if problems:
        for p in problems:
            print(p)
        print(f"house-check: {len(problems)} problem(s); the layering is in scripts/house-check.py "
              f"and docs/internals/layout.md")
        return 1
    print(f"ok: {len(edges)} include edges between modules follow the layering; "
          f"{len(tables)} tables, each named in SQL by its owner"
          f"; TLP names and ids only in the TLP module")
    return 0


if __name__ == "__main__":
    sys.exit(main())
