#!/usr/bin/env python3
"""doxygen-filter.py FILE -- memview.h as Doxygen should read it.

The header's comments are plain C comments written for people reading the
header. This filter, Doxygen's INPUT_FILTER, turns them into documentation
without changing the header:

- the opening comment becomes the main page, and the file is documented
  (so that its functions, types and macros are);
- each section banner (a comment between two rules of dashes) becomes a
  named member group ("Owners of memory"), with its text;
- a comment that stands before a declaration documents it, and one that
  ends a line of code (a struct field, an enum value, a #define) documents
  that line, every name of it ("double re, im; /* ... */"), and says
  "(private)" for a name ending in '_';
- a declaration that directly follows a documented one, with no blank
  line or comment between (mv_view_export and mv_view_unexport), shares
  its comment: it gets a "See <first>()" reference to it;
- comments inside function bodies stay plain comments, and so does a note
  inside a struct over members that have comments of their own
  ("read-only", "private").

Line numbers are kept (every output line comes from one input line), so
Doxygen's warnings point at the header's own lines.
"""
import re
import sys

RULE = re.compile(r"^\s*/?\*?\s*-{20,}\s*(\*/)?\s*$")
DECL = re.compile(r"^(MV_API |static inline )[^(]*?\b(\w+)\s*\(")
# A member or enumerator whose name ends in '_': private ("dims_[9];").
PRIVATE = re.compile(r"\b[A-Za-z]\w*_\s*(\[[^\]]*\]\s*)?(;|=)")
# A member declaration of several names: indent, type, "a, b, c".
MEMBERS = re.compile(r"^(\s*)([A-Za-z_][\w ]*?[\w*]\s+\**)(\w+(?:\s*,\s*\w+)+)\s*;\s*$")


def filter_lines(lines):
    out = []
    i = 0
    first = True
    group_open = False
    depth = 0  # brace depth inside a function body (0: not in one)
    documented = None  # the function the last comment documents
    in_decl = False  # inside a declaration (until its ';' or body's '}')
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()

        # Function bodies (inline functions): passed through untouched.
        if depth > 0:
            depth += line.count("{") - line.count("}")
            out.append(line)
            i += 1
            if depth == 0:
                in_decl = False
            continue
        d = DECL.match(line)
        if d:
            if out and out[-1].rstrip().endswith("*/") and \
                    not out[-1].lstrip().startswith("/** See "):
                documented = d.group(2)  # the comment just above is its doc
            elif documented is not None and not in_decl and out and out[-1].strip() and \
                    documented != d.group(2):
                # Follows the previous declaration directly: shares its doc.
                line = "/** See %s(), declared just before. */ %s" % (
                    documented, line)
            in_decl = True
        if in_decl:
            if re.search(r"\)\s*\{\s*$", line):
                depth = line.count("{") - line.count("}")
                out.append(line)
                i += 1
                continue
            if stripped.endswith(";"):
                in_decl = False
        elif not stripped:
            documented = None

        if stripped.startswith("/*") and not stripped.startswith("/**"):
            # Collect the whole comment.
            j = i
            while "*/" not in lines[j]:
                j += 1
            block = lines[i : j + 1]
            documented = None
            if first:
                first = False
                out.append(line.replace(
                    "/*", "/** \\file */ /** \\mainpage", 1))
                out.extend(block[1:])
            elif RULE.match(block[0]) and len(block) >= 3:
                # A section banner: "/* ----", " * Title", ..., " * ---- */".
                title = re.sub(r"^\s*\*\s?", "", block[1]).rstrip()
                if group_open:
                    out.append("/** @} */ /** \\name %s" % title)
                else:
                    out.append("/** \\name %s" % title)
                group_open = True
                out.append(" *")
                for body in block[2:-1]:
                    out.append(body)
                out.append(" * @{ */")
            elif line[:1].isspace() and j + 1 < n and \
                    re.match(r"^\s*\S.*?/\*", lines[j + 1]):
                # Inside a struct, a note over members that have comments
                # of their own ("read-only", "private") stays a plain
                # comment: it would otherwise be glued to the next one's.
                out.extend(block)
            else:
                out.append(line.replace("/*", "/**", 1))
                out.extend(block[1:])
            i = j + 1
            continue

        # A comment that ends a line of code documents that line; on a
        # line declaring several members ("int64_t min_i, max_i; /* x */")
        # each of them, as Doxygen would document only the last.
        m = re.match(r"^(\s*\S.*?)/\*(?!\*)(.*)$", line)
        code = m.group(1).lstrip() if m else ""
        if m and (not code.startswith("#") or code.startswith("#define ")):
            several = MEMBERS.match(m.group(1))
            text = m.group(2)
            if several and "*/" in text:
                kind = several.group(2)
                names = [n.strip() for n in several.group(3).split(",")]
                doc = "/**<%s" % text[:text.index("*/") + 2]
                line = several.group(1) + " ".join(
                    "%s%s; %s" % (kind, name, doc) for name in names[:-1])
                out.append("%s %s%s; /**<%s" % (line, kind, names[-1], text))
            else:
                if PRIVATE.search(m.group(1)):
                    text = " (private)" + text
                out.append("%s/**<%s" % (m.group(1), text))
            i += 1
            continue
        if first and stripped:
            first = False
        if group_open and stripped.startswith("#endif /* MEMVIEW_H"):
            out.append("/** @} */ " + line)
            group_open = False
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    sys.stdout.write("\n".join(filter_lines(lines)))


if __name__ == "__main__":
    main()
