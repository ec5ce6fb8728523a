#!/usr/bin/env bash
# check-docs.sh OUT_DIR -- generate the API reference from memview.h's
# comments with Doxygen (docs/Doxyfile) into OUT_DIR (html/ and xml/), and
# check it: no Doxygen warning at all (an undocumented type, field or macro
# is one), and every function and enumerator the header declares is
# documented.
set -euo pipefail

out=${1:?usage: check-docs.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/warnings.log
status=0
{
    cat docs/Doxyfile
    echo "OUTPUT_DIRECTORY = $out"
    echo "WARN_LOGFILE = $log"
} | doxygen - >"$out/doxygen.log" 2>&1 || status=$?

# Doxyfile's WARN_AS_ERROR = FAIL_ON_WARNINGS: any warning (an undocumented
# name included) fails the run; all of them are listed.
failed=0
if [ -s "$log" ]; then
    echo "doxygen: $(grep -c "" "$log") warning lines" \
         "(WARN_AS_ERROR), in include/memview.h:"
    sed -e 's/^.*memview\.h:\([0-9]*\): error: /    line \1: /' \
        -e 's/ (variable) of /, /' "$log"
    failed=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    cat "$out/doxygen.log"
    exit 1
fi

# Every function and every enumerator of the header documented (brief or
# detailed text): Doxygen does not warn about enumerators.
python3 - "$out/xml" <<'PY' || failed=1
import glob, sys
import xml.etree.ElementTree as ET

def documented(node):
    return "".join("".join(node.find(tag).itertext())
                   for tag in ("briefdescription", "detaileddescription")
                   ).strip()

missing, functions, enumerators = [], 0, 0
for path in glob.glob(sys.argv[1] + "/*_8h.xml"):
    for m in ET.parse(path).iter("memberdef"):
        if m.get("kind") == "function":
            functions += 1
            if not documented(m):
                missing.append(m.find("name").text + "()")
        elif m.get("kind") == "enum":
            for e in m.iter("enumvalue"):
                enumerators += 1
                if not documented(e):
                    missing.append(e.find("name").text)
if missing:
    print("without documentation in memview.h: " + " ".join(missing))
    sys.exit(1)
print("docs: %d functions and %d enumerators, each documented"
      % (functions, enumerators))
PY

[ "$failed" -eq 0 ] || exit 1
echo "docs: no Doxygen warning; API reference in $out/html/index.html"
