#!/usr/bin/env bash
# Fetch the test data that cannot be generated: the official SARIF 2.1.0 JSON Schema, from the
# npm registry (package @microsoft/jest-sarif, MIT). Idempotent; writes under .cache/ only.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.cache/sarif-schema-2.1.0.json
[ -s "$target" ] && exit 0
mkdir -p .cache/npm
tarball=$(cd .cache/npm && npm pack @microsoft/jest-sarif@1.0.0-beta.0 --silent | tail -n 1)
tar -xzf ".cache/npm/$tarball" -C .cache/npm package/lib/schemas/sarif-2.1.0-rtm.5.json
cp .cache/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json "$target"
echo "fetched $target"
