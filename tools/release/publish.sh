#!/usr/bin/env bash
# The release: a Native AOT `zhsenti` for linux-x64 with the default model beside it, in artifacts/zhsenti-linux-x64/.
# Usage: tools/release/publish.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-artifacts/zhsenti-linux-x64}"

rm -rf "$out"
# -r linux-x64 ships linux-x64's ONNX Runtime only (the package carries win/osx/arm builds too).
dotnet publish src/ZhSentiment/ZhSentiment.csproj -c Release -r linux-x64 -o "$out" -nologo -v quiet
# Debug symbols (zhsenti.dbg is twice the binary) stay out of the release.
rm -f "$out"/*.dbg "$out"/*.pdb

# The project ships models/default beside the executable (ZhSentiment.csproj); the service falls back to it.
[ -f "$out/models/default/config.json" ] || { echo "error: $out/models/default is missing" >&2; exit 1; }
# And the aspect presets of /v1/analyze beside it (aspects/*.tsv).
[ -f "$out/aspects/ecommerce.tsv" ] || { echo "error: $out/aspects is missing" >&2; exit 1; }
du -sh "$out"
