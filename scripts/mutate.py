#!/usr/bin/env python3
"""mutate.py -- mutation testing of memview's C core (src/*.c).

Makes random mutants of the code lines of src/*.c (never comments, strings
or preprocessor lines), and for each one rebuilds the library and the C
tests in a copy of the tree and runs the C unit tests (ctest -L unit) with
a timeout. A mutant is

  killed         a test failed (or timed out, or crashed);
  survived       every test passed: either a test is missing, or the
                 mutant is equivalent to the original;
  equivalent     it survived and docs/mutation.md lists it, with the
                 reason it cannot change behaviour;
  not compiled   the build failed (-Werror included);
  not built      the library's object is byte for byte the original's:
                 the line is not part of this build (another CPU's SIMD
                 loop under #if), so no test here can see it.

Kinds of mutant:
  relational   <  <=  >  >=  ==  != replaced by a neighbour
  arithmetic   binary + - * / % and += -= ++ -- swapped
  logical      && and || swapped
  negation     the condition of an if or while negated
  constant     an integer literal 0 -> 1, 1 -> 0, n -> n + 1
  deletion     a statement line removed

The work is done in build/mutate/tree (a copy of the files git knows, as
they are in the working tree), so an interrupted run leaves nothing of the
checkout mutated. The copy is built with AddressSanitizer and UBSan (as
`make asan`), so a mutant that leaks, or reads out of bounds and happens
to get the right answer, is killed too; --plain builds without them.

usage: mutate.py [--n N] [--seed SEED] [--files GLOB] [--timeout S]
                 [--fail-on-survivor] [--list]
"""
import argparse
import fnmatch
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
EQUIV_DOC = os.path.join(ROOT, "docs", "mutation.md")

# C punctuators, longest first, and the other tokens.
TOKEN = re.compile(
    r"""(?P<num>(?<![.\w])(?:0[xX][0-9a-fA-F]+|[0-9]+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]?)(?![.\w]))
      |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>>>=|<<=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=
            |&=|\^=|\|=|\.\.\.|[-+*/%<>=!&|^~?:;,.(){}\[\]])""",
    re.X,
)

RELATIONAL = {"<": ["<="], "<=": ["<"], ">": [">="], ">=": [">"],
              "==": ["!="], "!=": ["=="]}
ARITHMETIC = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"],
              "+=": ["-="], "-=": ["+="], "++": ["--"], "--": ["++"]}
LOGICAL = {"&&": ["||"], "||": ["&&"]}
DECLARATION = re.compile(r"^\s*(?:(?:static|const|extern)\s+)*[A-Za-z_]\w*"
                         r"(?:\s+const)?\s+\**\s*(?:const\s+)?[A-Za-z_]")
BINARY_ONLY = {"+", "-", "*", "/", "%", "<", ">"}


def blank_comments_and_strings(text):
    """The text with comments, string and character literals replaced by
    spaces (newlines kept), so that columns and lines still match."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def matching_paren(code, start):
    depth = 0
    for k in range(start, len(code)):
        if code[k] == "(":
            depth += 1
        elif code[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def line_mutants(path, lineno, line, code):
    """Every mutant of one line: (kind, new line)."""
    stripped = code.strip()
    if not stripped or stripped.startswith("#"):
        return []
    # A macro's do { ... } while (0): the loop runs once whatever it is.
    if re.match(r"^\}?\s*while \(0\)", stripped):
        return []
    toks = [(m.lastgroup, m.group(), m.start(), m.end())
            for m in TOKEN.finditer(code)]
    muts = []

    def replace(start, end, new):
        return line[:start] + new + line[end:]

    for i, (kind, tok, s, e) in enumerate(toks):
        if kind == "op":
            for table, name in ((RELATIONAL, "relational"),
                                (ARITHMETIC, "arithmetic"),
                                (LOGICAL, "logical")):
                if tok not in table:
                    continue
                # clang-format puts spaces around binary operators only:
                # "a - b" is binary, "-x" and "char *p" are not.
                if tok in BINARY_ONLY and not (
                        s > 0 and code[s - 1] == " " and e < len(code)
                        and code[e] == " "):
                    continue
                for new in table[tok]:
                    muts.append((name, replace(s, e, new)))
        elif kind == "num":
            # The size in an array's declaration: a larger array, or a
            # smaller one the initialiser no longer fits, says nothing.
            if (0 < i < len(toks) - 2 and toks[i - 1][1] == "["
                    and toks[i + 1][1] == "]" and DECLARATION.match(code)):
                continue
            digits = re.match(r"0[xX][0-9a-fA-F]+|[0-9]+", tok).group()
            suffix = tok[len(digits):]
            value = int(digits, 0)
            if value == 0:
                news = ["1"]
            elif value == 1:
                news = ["0"]
            else:
                news = [str(value + 1)]
            for new in news:
                muts.append(("constant", replace(s, e, new + suffix)))
        elif kind == "id" and tok in ("if", "while") and i + 1 < len(toks) \
                and toks[i + 1][1] == "(":
            open_at = toks[i + 1][2]
            close_at = matching_paren(code, open_at)
            if close_at > 0:
                inner = line[open_at + 1:close_at]
                muts.append(("negation", line[:open_at] + "(!(" + inner
                             + "))" + line[close_at + 1:]))
    # A whole statement on one line: an assignment, a call or a jump.
    if stripped.endswith(";") and not stripped.startswith(
            ("return", "}", "case", "default")) and (
            re.match(r"^[A-Za-z_][\w.\->\[\]* ]*(=|\+=|-=|\|=|&=|\+\+|--)[^=]",
                     stripped)
            or re.match(r"^[A-Za-z_]\w*\(.*\);$", stripped)
            or stripped in ("break;", "continue;")):
        if not re.match(r"^(const |static |unsigned |signed |struct |enum )?"
                        r"[A-Za-z_]\w*( \*+| )+[A-Za-z_]\w*(\[.*\])? =",
                        stripped):
            indent = line[:len(line) - len(line.lstrip())]
            muts.append(("deletion", indent + ";\n"
                         if line.endswith("\n") else indent + ";"))
    return muts


def all_mutants(files):
    out = []
    for rel in files:
        text = open(os.path.join(ROOT, rel)).read()
        code_text = blank_comments_and_strings(text)
        lines = text.splitlines(keepends=True)
        codes = code_text.splitlines(keepends=True)
        for idx, (line, code) in enumerate(zip(lines, codes)):
            for kind, new in line_mutants(rel, idx + 1, line, code):
                if new != line:
                    out.append((rel, idx + 1, kind, line, new))
    return out


def equivalents():
    """(file, original, mutant) triples that docs/mutation.md lists as
    equivalent: rows `- src/x.c: `orig` -> `mutant`: reason`."""
    eq = set()
    if not os.path.exists(EQUIV_DOC):
        return eq
    row = re.compile(r"^- `?(src/[\w.]+)`?: `(.+)` -> `(.+)`: .+$")
    for line in open(EQUIV_DOC):
        m = row.match(line.strip())
        if m:
            eq.add((m.group(1), m.group(2).strip(), m.group(3).strip()))
    return eq


def object_digest(build, rel):
    """The digest of the library's object compiled from rel, or None."""
    obj = os.path.join(build, "CMakeFiles", "memview_objects.dir", rel + ".o")
    if not os.path.exists(obj):
        return None
    with open(obj, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(cmd, cwd, timeout=None, log=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "timeout"
    if log is not None:
        with open(log, "ab") as f:
            f.write(p.stdout)
    return p.returncode


def copy_tree(dest):
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
        stdout=subprocess.PIPE, check=True).stdout.decode().split("\0")
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    for rel in files:
        if not rel or rel.startswith("build/"):
            continue
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=30, help="mutants to try")
    ap.add_argument("--seed", type=int, default=1, help="random seed")
    ap.add_argument("--files", default="src/*.c",
                    help="glob of the files to mutate (default src/*.c)")
    ap.add_argument("--timeout", type=float, default=0,
                    help="seconds for the tests of one mutant "
                         "(default: 3 x the unmutated run + 30)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "mutate"))
    ap.add_argument("--fail-on-survivor", action="store_true",
                    help="exit 1 when a mutant not listed as equivalent "
                         "survives")
    ap.add_argument("--plain", action="store_true",
                    help="test mutants in a plain build (default: under "
                         "AddressSanitizer and UBSan, which also catch "
                         "leaks and stray pointers that give right answers)")
    ap.add_argument("--list", action="store_true",
                    help="print the sampled mutants and stop")
    args = ap.parse_args()

    files = sorted(f for f in (os.path.relpath(os.path.join(d, n), ROOT)
                               for d, _, ns in os.walk(os.path.join(ROOT, "src"))
                               for n in ns)
                   if f.endswith(".c") and fnmatch.fnmatch(f, args.files))
    # The platform layer of another system is not compiled here.
    layer = "src/os_win32.c" if sys.platform == "win32" else "src/os_posix.c"
    files = [f for f in files
             if not os.path.basename(f).startswith("os_") or f == layer]
    if not files:
        sys.exit("mutate: no file matches %r" % args.files)
    pool = all_mutants(files)
    rng = random.Random(args.seed)
    sample = rng.sample(pool, min(args.n, len(pool)))
    sample.sort(key=lambda m: (m[0], m[1]))
    print("mutate: %d mutants of %d possible in %d files (seed %d)"
          % (len(sample), len(pool), len(files), args.seed))
    if args.list:
        for rel, ln, kind, old, new in sample:
            print("%s:%d %s: %s -> %s" % (rel, ln, kind, old.strip(),
                                          new.strip()))
        return 0

    tree = os.path.join(args.work, "tree")
    build = os.path.join(args.work, "plain" if args.plain else "asan")
    log = os.path.join(args.work, "mutate.log")
    os.makedirs(args.work, exist_ok=True)
    copy_tree(tree)
    open(log, "w").close()
    if not os.path.exists(os.path.join(build, "build.ninja")):
        rc = run(["cmake", "-S", tree, "-B", build, "-G", "Ninja",
                  "--no-warn-unused-cli", "-DMEMVIEW_TESTS=ON",
                  "-DMEMVIEW_PYTHON=OFF", "-DMEMVIEW_BENCH=OFF",
                  "-DMEMVIEW_VALGRIND=OFF", "-DCMAKE_BUILD_TYPE=",
                  "-DMEMVIEW_SANITIZE=" + ("OFF" if args.plain else "ON"),
                  "-DMEMVIEW_OUTPUT_DIR=" + os.path.join(args.work, "out")],
                 ROOT, log=log)
        if rc != 0:
            sys.exit("mutate: cmake failed (%s)" % log)
    jobs = str(os.cpu_count() or 2)
    ctest = ["ctest", "--test-dir", build, "-L", "unit", "-j" + jobs,
             "--stop-on-failure", "--no-tests=error"]
    if run(["cmake", "--build", build], ROOT, log=log) != 0:
        sys.exit("mutate: the unmutated tree does not build (%s)" % log)
    t0 = time.monotonic()
    if run(ctest, ROOT, log=log) != 0:
        sys.exit("mutate: the unmutated tree fails its tests (%s)" % log)
    base = time.monotonic() - t0
    timeout = args.timeout or 3 * base + 30
    print("mutate: unmutated tests pass in %.1f s; timeout %.0f s a mutant"
          % (base, timeout))

    eq = equivalents()
    counts = {"killed": 0, "survived": 0, "equivalent": 0,
              "not compiled": 0, "not built": 0}
    digests = {rel: object_digest(build, rel) for rel in files}
    survivors = []
    for k, (rel, ln, kind, old, new) in enumerate(sample, 1):
        path = os.path.join(tree, rel)
        original = open(path).read()
        lines = original.splitlines(keepends=True)
        assert lines[ln - 1] == old
        lines[ln - 1] = new
        with open(path, "w") as f:
            f.write("".join(lines))
        try:
            if run(["cmake", "--build", build], ROOT, timeout=600) != 0:
                outcome = "not compiled"
            elif object_digest(build, rel) == digests[rel]:
                outcome = "not built"
            elif run(ctest + ["--timeout", str(int(timeout))], ROOT,
                     timeout=timeout + 60) != 0:
                outcome = "killed"
            elif (rel, old.strip(), new.strip()) in eq:
                outcome = "equivalent"
            else:
                outcome = "survived"
                survivors.append((rel, ln, kind, old, new))
        finally:
            with open(path, "w") as f:
                f.write(original)
        counts[outcome] += 1
        print("[%d/%d] %-12s %s:%d %s: %s -> %s"
              % (k, len(sample), outcome, rel, ln, kind, old.strip(),
                 new.strip()), flush=True)
    # Leave the copy's build matching the unmutated sources.
    run(["cmake", "--build", build], ROOT)

    compiled = len(sample) - counts["not compiled"] - counts["not built"]
    scored = compiled - counts["equivalent"]
    score = 100.0 * counts["killed"] / scored if scored else 100.0
    print("-- survivors (file:line kind: original -> mutant)")
    for rel, ln, kind, old, new in survivors:
        print("%s:%d %s: %s -> %s" % (rel, ln, kind, old.strip(), new.strip()))
    if not survivors:
        print("(none)")
    print("mutate: %d killed, %d survived, %d equivalent, %d not compiled, "
          "%d not built; score %.1f%% of %d compiled non-equivalent mutants"
          % (counts["killed"], counts["survived"], counts["equivalent"],
             counts["not compiled"], counts["not built"], score, scored))
    if args.fail_on_survivor and survivors:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
