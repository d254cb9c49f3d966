#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The floor plan, enforced: every #include "..." of the project's C sources and headers against
the table of ARCHITECTURE.md's "Folders" section, the one place the rules are written.

How the table reads (columns 1, 3 and 4; the rest is prose):
  - column 1 names the stage's folder in backticks; "`capture/` (root)" is that folder's own files
    only (its subfolders are stages of their own). A file belongs to the longest folder naming it;
    a source in no stage's folder is an error (a new folder goes into the table first).
  - "may include" and "must never know": every backticked path that starts with a top folder of
    the tree (`capture/targets/`, `capture/engine.h`, `bpf/*.skel.h`) is a rule, other words are
    prose. A folder that is a stage means that stage's files; another folder, the files under it; a
    file or a pattern (fnmatch), those files. The most specific rule matching an include wins, so
    "must never know `capture/engine.h`" carves a file out of "may include `capture/`".
    "anything" at the start of "may include" leaves the stage unchecked.
  - A stage may always include its own files.
  - The stages' "may include" arrows must not form a circle.

Includes resolve as the build resolves them: the includer's folder, then capture/, include/ and
bpf/ (the include directories CMakeLists.txt gives); a name found in two of those is an error. An
#include <...> is checked too when those folders have it (else it is a system header). A
BPF skeleton (NAME.skel.h, generated) is bpf/NAME.skel.h; vmlinux.h is bpf/vmlinux/vmlinux.h.

Usage: check_floorplan.py [SOURCE_DIR]   (exit 0: every include allowed; 1: violations, listed)
"""
import fnmatch
import os
import re
import sys

INCLUDE_ROOTS = ("capture", "include", "bpf")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)')
TOKEN_RE = re.compile(r"`([^`]+)`")


class Floorplan:
    def __init__(self, root):
        self.root = root
        self.top = {d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))}
        self.stages = {}  # folder -> dict(root_only, may, never, anything, line)
        self.errors = []
        self._read_table()

    # ---- the table -----------------------------------------------------------------------------
    def _rule_tokens(self, cell):
        out = []
        for t in TOKEN_RE.findall(cell):
            head = t.split("/", 1)[0]
            if "/" in t and head in self.top and " " not in t:
                out.append(t)
        return out

    def _read_table(self):
        path = os.path.join(self.root, "ARCHITECTURE.md")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        try:
            start = lines.index("## Folders")
        except ValueError:
            sys.exit(f"{path}: no '## Folders' section: the floor plan is its table")
        rows, cur, cur_line = [], None, 0
        for n, line in enumerate(lines[start + 1 :], start + 2):
            if line.startswith("## "):
                break
            if cur is None:
                if not line.startswith("|"):
                    continue
                cur, cur_line = line, n
            else:
                cur += " " + line
            if cur.rstrip().endswith("|"):
                rows.append((cur_line, cur))
                cur = None
        for n, row in rows:
            cells = split_row(row)
            if len(cells) < 4 or set(cells[0]) <= set("-: "):
                continue
            folders = TOKEN_RE.findall(cells[0])
            if not folders or cells[0].strip() == "folder":
                continue
            folder = folders[0]
            if not folder.endswith("/"):
                folder += "/"
            self.stages[folder] = {
                "root_only": "(root)" in cells[0],
                "may": self._rule_tokens(cells[2]),
                "never": self._rule_tokens(cells[3]),
                "anything": cells[2].strip().lower().startswith("anything"),
                "may_text": " ".join(cells[2].split()),
                "never_text": " ".join(cells[3].split()),
                "line": n,
            }
        if not self.stages:
            sys.exit(f"{path}: the '## Folders' table has no rows")

    def stage_of(self, rel):
        best = None
        for folder, s in self.stages.items():
            if not rel.startswith(folder):
                continue
            if s["root_only"] and "/" in rel[len(folder) :]:
                continue
            if best is None or len(folder) > len(best):
                best = folder
        return best

    def _match(self, token, target):
        """How specific TOKEN's match of TARGET is (0: no match)."""
        if token.endswith("/"):
            tstage = self.stage_of(target)
            if token in self.stages or any(c in token for c in "*?["):
                return len(token) if tstage and fnmatch.fnmatchcase(tstage, token) else 0
            return len(token) if target.startswith(token) else 0
        return len(token) + 1000 if fnmatch.fnmatchcase(target, token) else 0

    def verdict(self, stage, target):
        """None if STAGE may include TARGET, else the rule it breaks."""
        s = self.stages[stage]
        if s["anything"] or self.stage_of(target) == stage:
            return None
        may = max((self._match(t, target) for t in s["may"]), default=0)
        never = max((self._match(t, target) for t in s["never"]), default=0)
        if may and may > never:
            return None
        if never:
            return f"{stage} must never know: {s['never_text']}"
        return f"{stage} may include only: {s['may_text']}"

    def check_circles(self):
        edges = {}
        for folder, s in self.stages.items():
            out = set()
            for t in s["may"]:
                if any(c in t for c in "*?["):
                    continue
                target = self.stage_of(t) if not t.endswith("/") or t not in self.stages else t
                if target and target != folder:
                    out.add(target)
            edges[folder] = out
        seen, path = {}, []

        def visit(v):
            seen[v] = 1
            path.append(v)
            for w in sorted(edges.get(v, ())):
                if seen.get(w) == 1:
                    circle = path[path.index(w) :] + [w]
                    self.errors.append("ARCHITECTURE.md: the stages' 'may include' arrows "
                                       "form a circle: " + " -> ".join(circle))
                elif not seen.get(w):
                    visit(w)
            path.pop()
            seen[v] = 2

        for v in sorted(edges):
            if not seen.get(v):
                visit(v)

    # ---- the sources ---------------------------------------------------------------------------
    def resolve(self, rel_dir, name):
        local = os.path.normpath(os.path.join(rel_dir, name))
        if os.path.isfile(os.path.join(self.root, local)):
            return local, None
        found, why = self.resolve_project(name)
        if found or why:
            return found, why
        base = os.path.basename(name)
        if base.endswith(".skel.h"):
            return "bpf/" + base, None
        if base == "vmlinux.h":
            return "bpf/vmlinux/vmlinux.h", None
        return None, "found nowhere in the tree (nor a generated BPF skeleton)"

    def resolve_project(self, name):
        """NAME in the project's include folders: (path, None), (None, why) or (None, None)."""
        found = [os.path.normpath(os.path.join(r, name)) for r in INCLUDE_ROOTS]
        found = [p for p in found if os.path.isfile(os.path.join(self.root, p))]
        if len(found) > 1:
            return None, "names " + " and ".join(found) + ": ambiguous"
        return (found[0], None) if found else (None, None)

    def check_sources(self):
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(
                d for d in dirnames
                if not d.startswith(".")
                and not os.path.exists(os.path.join(dirpath, d, "CMakeCache.txt")))
            rel_dir = os.path.relpath(dirpath, self.root)
            rel_dir = "" if rel_dir == "." else rel_dir
            for fn in sorted(filenames):
                if not fn.endswith((".c", ".h")):
                    continue
                rel = os.path.join(rel_dir, fn)
                stage = self.stage_of(rel)
                if stage is None:
                    self.errors.append(f"{rel}: in no folder of ARCHITECTURE.md's table "
                                       "(a new folder goes into the table first)")
                    continue
                if self.stages[stage]["anything"]:
                    continue
                self._check_file(rel, rel_dir, stage)

    def _check_file(self, rel, rel_dir, stage):
        with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                if m.group(1):
                    name, shown = m.group(1), f'"{m.group(1)}"'
                    target, why = self.resolve(rel_dir, name)
                else:  # <...>: a system header, unless the project's include folders have it
                    name, shown = m.group(2), f"<{m.group(2)}>"
                    target, why = self.resolve_project(name)
                    if target is None and why is None:
                        continue
                if target is None:
                    self.errors.append(f"{rel}:{n}: #include {shown} {why}")
                    continue
                broken = self.verdict(stage, target)
                if broken:
                    self.errors.append(f"{rel}:{n}: #include {shown} ({target}): {broken} "
                                       f"(ARCHITECTURE.md:{self.stages[stage]['line']})")


def split_row(row):
    """The cells of a table row, a '|' inside backticks kept."""
    cells, cur, code = [], "", False
    for ch in row.strip().strip("|"):
        if ch == "`":
            code = not code
        if ch == "|" and not code:
            cells.append(cur)
            cur = ""
        else:
            cur += ch
    cells.append(cur)
    return [c.strip() for c in cells]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    plan = Floorplan(root)
    plan.check_circles()
    plan.check_sources()
    for e in plan.errors:
        print(e)
    if plan.errors:
        print(f"floor plan: {len(plan.errors)} violation(s) of ARCHITECTURE.md's Folders table")
        return 1
    print(f"floor plan: every include follows ARCHITECTURE.md's Folders table "
          f"({len(plan.stages)} stages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
