#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check_floorplan.py can fail: it is run on copies of this tree's ARCHITECTURE.md and C files,
each with one arrow the table does not allow (the modules/engine circle an include at a time, a
stage reaching one it may not name, a circle written into the table itself, a source in a folder
the table does not know), and must refuse each one, naming the file, line and rule; the copy as
it is must pass, so the refusals come from the injected arrows.

Usage: check_floorplan_fails.py [SOURCE_DIR]
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_floorplan.py")


def copy_tree(src, dst):
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")
                       and not os.path.exists(os.path.join(dirpath, d, "CMakeCache.txt"))]
        rel = os.path.relpath(dirpath, src)
        for fn in filenames:
            if fn.endswith((".c", ".h")) or (rel == "." and fn == "ARCHITECTURE.md"):
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                shutil.copy(os.path.join(dirpath, fn), os.path.join(dst, rel, fn))


def run(root):
    p = subprocess.run([sys.executable, CHECKER, root], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def append(root, rel, text):
    with open(os.path.join(root, rel), "a", encoding="utf-8") as f:
        f.write(text)


def main():
    src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".."))
    failures = 0

    def case(name, mutate, expect):
        nonlocal failures
        with tempfile.TemporaryDirectory(prefix="floorplan.") as root:
            copy_tree(src, root)
            mutate(root)
            rc, out = run(root)
        missing = [e for e in expect if e not in out]
        ok = (rc == 0) if not expect else (rc == 1 and not missing)
        print(f"{'ok' if ok else 'FAIL'}: {name} (exit {rc})")
        if not ok:
            failures += 1
            print("  expected: " + (" / ".join(missing) if expect else "a pass"))
            print("  " + out.replace("\n", "\n  "))

    case("the tree as it is passes", lambda r: None, [])
    case("a module includes the engine's face (the old circle)",
         lambda r: append(r, "capture/modules/registry.c", '#include "engine.h"\n'),
         ['capture/modules/registry.c:', '#include "engine.h" (capture/engine.h)',
          "capture/modules/ must never know"])
    case("a module includes the engine's internals",
         lambda r: append(r, "capture/modules/module.h", '#include "engine/engine_int.h"\n'),
         ['capture/modules/module.h:', "(capture/engine/engine_int.h)",
          "capture/modules/ must never know"])
    case("keys include output (not in its 'may include')",
         lambda r: append(r, "capture/keys/keylog.c", '#include "output/writer.h"\n'),
         ['capture/keys/keylog.c:', "(capture/output/writer.h)",
          "capture/keys/ may include only"])
    case("the plugin includes the engine",
         lambda r: append(r, "dissector/conn.c", '#include "../capture/engine.h"\n'),
         ['dissector/conn.c:', "(capture/engine.h)", "dissector/ may include only"])
    case("an include in angle brackets crosses the plan too",
         lambda r: append(r, "capture/targets/netif.c", "#include <probes/tc_packets.h>\n"),
         ["capture/targets/netif.c:", "#include <probes/tc_packets.h> (capture/probes/tc_packets.h)",
          "capture/targets/ may include only"])
    case("an include found nowhere",
         lambda r: append(r, "capture/probes/privileges.c", '#include "nowhere.h"\n'),
         ['capture/probes/privileges.c:', '"nowhere.h" found nowhere'])

    def new_folder(r):
        os.makedirs(os.path.join(r, "capture", "catalogue"))
        append(r, "capture/catalogue/catalogue.c", "int x;\n")

    case("a source in a folder the table does not know", new_folder,
         ["capture/catalogue/catalogue.c: in no folder of ARCHITECTURE.md's table"])

    def table_circle(r):
        path = os.path.join(r, "ARCHITECTURE.md")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        row = "| `capture/modules/` |"
        at = text.index(row)
        cut = text.index("| `capture/targets/`, `capture/layouts/`", at)
        text = text[:cut] + "| `capture/engine/`, " + text[cut + 2:]
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    case("a circle written into the table", table_circle,
         ["arrows form a circle", "capture/engine/ -> capture/modules/ -> capture/engine/"])

    if failures:
        print(f"{failures} case(s) where the floor plan check did not do its job")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
