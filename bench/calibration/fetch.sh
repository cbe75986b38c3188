#!/usr/bin/env bash
# Clone every repository of manifest.tsv at its pinned commit into TARGET/<owner>__<name>.
#   bash bench/calibration/fetch.sh TARGET [MANIFEST]
set -u
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: fetch.sh TARGET [MANIFEST]}"
manifest="${2:-$here/manifest.tsv}"
mkdir -p "$target"
fail=0
while IFS=$'\t' read -r repo commit _source; do
  case "$repo" in ''|'#'*) continue ;; esac
  dst="$target/${repo%%/*}__${repo#*/}"
  if [ ! -d "$dst/.git" ]; then
    git clone -q --filter=blob:none --no-checkout "https://github.com/$repo.git" "$dst" || { fail=1; continue; }
  fi
  git -C "$dst" -c advice.detachedHead=false checkout -q "$commit" || { echo "CHECKOUTFAIL $repo" >&2; fail=1; continue; }
  echo "OK $repo @ ${commit:0:12}"
done < "$manifest"
exit $fail
