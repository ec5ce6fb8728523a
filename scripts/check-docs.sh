#!/usr/bin/env bash
# check-docs.sh OUT_DIR -- generate the API reference from memview.h's
# comments with Doxygen (docs/Doxyfile) into OUT_DIR (html/ and xml/), and
# check it: no Doxygen warning but "is not documented" (those are listed),
# and every function the header declares is documented.
set -euo pipefail

out=${1:?usage: check-docs.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/warnings.log
{
    cat docs/Doxyfile
    echo "OUTPUT_DIRECTORY = $out"
    echo "WARN_LOGFILE = $log"
} | doxygen - >"$out/doxygen.log" 2>&1 || {
    cat "$out/doxygen.log"
    exit 1
}

failed=0
errors=$(grep -v 'is not documented\.$' "$log" || true)
if [ -n "$errors" ]; then
    echo "doxygen warnings:"
    echo "$errors"
    failed=1
fi

# Every function of the header, documented (brief or detailed text).
python3 - "$out/xml" <<'PY' || failed=1
import glob, sys
import xml.etree.ElementTree as ET

missing, count = [], 0
for path in glob.glob(sys.argv[1] + "/*_8h.xml"):
    for m in ET.parse(path).iter("memberdef"):
        if m.get("kind") != "function":
            continue
        count += 1
        text = "".join(
            "".join(m.find(tag).itertext())
            for tag in ("briefdescription", "detaileddescription"))
        if not text.strip():
            missing.append(m.find("name").text)
if missing:
    print("functions without documentation in memview.h: " + " ".join(missing))
    sys.exit(1)
print("docs: %d functions, each documented" % count)
PY

undocumented=$(grep -c 'is not documented\.$' "$log" || true)
if [ "$undocumented" -gt 0 ]; then
    echo "docs: $undocumented types or fields without a comment of their own:"
    sed -n 's/^.*warning: \(.*\) is not documented\.$/    \1/p' "$log" |
        sed 's/ (variable) of /, /'
fi
[ "$failed" -eq 0 ] || exit 1
echo "docs: API reference in $out/html/index.html"
