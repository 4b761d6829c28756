#!/usr/bin/env bash
# Refreshes the vendored NHS.UK frontend in assets/static/nhsuk from the
# pinned npm package. Run from the repository root by `make frontend`, after
# `npm ci --prefix assets`.
#
# Only the compiled, minified CSS and JS, the images the CSS and the page
# head refer to, the licence and a VERSION file are kept: no SCSS, no
# templates, no source maps.
#
# Two deliberate changes are made to the upstream CSS, both checked below:
#   - url(/assets/...) becomes url(assets/...), so images resolve beside the
#     stylesheet wherever the app mounts its static files.
#   - The @font-face rules are removed. They load Frutiger from
#     https://assets.nhs.uk, which the app's CSP (default-src 'self') blocks
#     and which is licensed for NHS services only. Text falls back to the
#     stack the CSS already names: "Frutiger W01", Arial, sans-serif.
set -euo pipefail

pkg=assets/node_modules/nhsuk-frontend
out=assets/static/nhsuk

if [[ ! -f $pkg/package.json ]]; then
  echo "vendor-frontend: $pkg is missing; run 'npm ci --prefix assets' (make npm) first" >&2
  exit 1
fi

version=$(node -p "require('./$pkg/package.json').version")
license=$(node -p "require('./$pkg/package.json').license")
dist=$pkg/dist/nhsuk

rm -rf "$out"
mkdir -p "$out/assets/images"

# CSS: point images at the copy beside the stylesheet, drop the web fonts and
# the source map comment.
sed -E \
  -e 's#url\(/assets/#url(assets/#g' \
  -e 's#@font-face\{[^}]*\}##g' \
  -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$dist/nhsuk-frontend.min.css" >"$out/nhsuk.min.css"

# JS: an ES module exporting initAll and the component classes.
sed -e 's#//\# sourceMappingURL=.*$##' "$dist/nhsuk-frontend.min.js" >"$out/nhsuk.min.js"

# Images: those the CSS refers to, plus the icons and manifest a page head
# links to (see the package's template.njk).
mapfile -t css_images < <(grep -o 'url(assets/images/[^)]*)' "$out/nhsuk.min.css" |
  sed -e 's#^url(assets/images/##' -e 's#)$##' | sort -u)
head_images=(
  favicon.ico
  favicon.svg
  nhsuk-icon-mask.svg
  nhsuk-icon-180.png
  nhsuk-icon-192.png
  nhsuk-icon-512.png
)
for image in "${css_images[@]}" "${head_images[@]}"; do
  cp "$dist/assets/images/$image" "$out/assets/images/$image"
done
cp "$dist/assets/manifest.json" "$out/assets/manifest.json"

# Every url() left in the CSS must now resolve to a vendored file.
status=0
while read -r ref; do
  if [[ $ref == *:* || $ref == /* ]]; then
    echo "vendor-frontend: $out/nhsuk.min.css still refers outside the vendored files: $ref" >&2
    status=1
  elif [[ ! -f $out/$ref ]]; then
    echo "vendor-frontend: $out/nhsuk.min.css refers to $ref, which was not copied" >&2
    status=1
  fi
done < <(grep -o 'url([^)]*)' "$out/nhsuk.min.css" | sed -e 's#^url(##' -e 's#)$##' -e 's#^["'\'']##' -e 's#["'\'']$##' | sort -u)
if grep -q '@font-face' "$out/nhsuk.min.css"; then
  echo "vendor-frontend: @font-face rules survived; the sed pattern no longer matches upstream" >&2
  status=1
fi
if [[ $status -ne 0 ]]; then
  exit "$status"
fi

# Licence: the npm package ships no LICENSE file, so fall back to the MIT
# licence of github.com/nhsuk/nhsuk-frontend when package.json says MIT.
licence_file=
for candidate in LICENSE LICENSE.md LICENSE.txt LICENCE LICENCE.md LICENCE.txt; do
  if [[ -f $pkg/$candidate ]]; then
    licence_file=$pkg/$candidate
    break
  fi
done
if [[ -n $licence_file ]]; then
  cp "$licence_file" "$out/LICENSE.txt"
elif [[ $license == MIT ]]; then
  cat >"$out/LICENSE.txt" <<'EOF'
MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
else
  echo "vendor-frontend: nhsuk-frontend $version has licence '$license' and no licence file; check it before vendoring" >&2
  exit 1
fi

echo "$version" >"$out/VERSION"

css_gz=$(gzip -9c "$out/nhsuk.min.css" | wc -c)
js_gz=$(gzip -9c "$out/nhsuk.min.js" | wc -c)
echo "vendored nhsuk-frontend $version into $out (gzipped: CSS $css_gz bytes, JS $js_gz bytes)"
