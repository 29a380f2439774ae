#!/usr/bin/env bash
# Builds the Azure Functions deployment package: host.json, one folder per function.json, and the
# server published self-contained for linux-x64 into app/ (host.json's defaultExecutablePath).
# Output: artifacts/tokentally-functions.zip
set -euo pipefail
cd "$(dirname "$0")/.."
staging=artifacts/package
rm -rf "$staging" artifacts/tokentally-functions.zip
mkdir -p "$staging"

dotnet publish functions/TokenTally.Functions -c Release -r linux-x64 --self-contained -nologo -v quiet -o "$staging/app"
cp host.json "$staging/"
for function in functions/*/function.json; do
  name=$(basename "$(dirname "$function")")
  mkdir -p "$staging/$name"
  cp "$function" "$staging/$name/"
done

(cd "$staging" && python3 -c 'import os, zipfile
with zipfile.ZipFile("../tokentally-functions.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk("."):
        for f in files:
            path = os.path.join(root, f)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, "."))
            with open(path, "rb") as data:
                z.writestr(info, data.read(), zipfile.ZIP_DEFLATED)')
echo "Wrote artifacts/tokentally-functions.zip ($(du -h artifacts/tokentally-functions.zip | cut -f1))"
