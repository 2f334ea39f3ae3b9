#!/usr/bin/env python3
"""Import cycles between the files of src/: prints each cycle and exits 1 if there is one.

A file uses another when it names `crate::a::b`, `super::x` or `super::*` of it outside comments
and unit tests. A module naming its own child modules (`mod x;`, `x::f()`) is the module tree,
not an import, and is not counted. Tarjan's strongly connected components.
"""
import os
import re
import sys

ROOT = "src"


def module_of(path):
    parts = path[len(ROOT) + 1:-3].split("/")
    if parts[-1] == "mod":
        parts = parts[:-1]
    return () if parts in (["lib"], ["main"]) else tuple(parts)


def main():
    files = {}
    for directory, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    files[path] = f.read()
    modules = {module_of(p): p for p in files}

    def resolve(path):
        for k in range(len(path), 0, -1):
            if tuple(path[:k]) in modules:
                return modules[tuple(path[:k])]
        return None

    uses = {p: set() for p in files}
    for path, text in files.items():
        text = re.sub(r"(?m)^\s*//.*$", "", text)
        text = re.sub(r"(?s)#\[cfg\(test\)\]\s*mod tests \{.*", "", text)
        here = module_of(path)
        for m in re.finditer(r"crate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)(?:::\{([^}]*)\})?", text):
            base = m.group(1).split("::")
            targets = [base]
            if m.group(2):
                targets = [base + [x.strip().split("::")[0]] for x in m.group(2).split(",") if x.strip()]
            for t in targets:
                q = resolve(t)
                if q and q != path:
                    uses[path].add(q)
        for m in re.finditer(r"\bsuper::(?:([a-z_][a-z0-9_]*)|\*)", text):
            q = resolve(list(here[:-1]) + ([m.group(1)] if m.group(1) else []))
            if q and q != path:
                uses[path].add(q)

    sys.setrecursionlimit(10_000)
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in uses[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(files):
        if v not in index:
            visit(v)
    for cycle in cycles:
        print(f"import cycle of {len(cycle)} files: {' '.join(cycle)}", file=sys.stderr)
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
