#!/usr/bin/env bash
# Builds the Function App's deployment package: the isolated worker published framework-dependent for linux-x64, with
# host.json, functions.metadata, worker.config.json and the host's extensions in .azurefunctions/ -- including the Event
# Hubs extension that runs IngestEvents, which only this deployment build adds (-p:TokenTallyDeploymentBuild=true).
# Output: artifacts/tokentally-functions.zip, from the publish folder artifacts/package/tokentally-functions
# (TOKENTALLY_ARTIFACTS names another folder than artifacts/).
set -euo pipefail
cd "$(dirname "$0")/.."
extension=Microsoft.Azure.WebJobs.Extensions.EventHubs
artifacts="${TOKENTALLY_ARTIFACTS:-artifacts}"
mkdir -p "$artifacts"
artifacts="$(cd "$artifacts" && pwd)"
staging="$artifacts/package"
publish="$staging/tokentally-functions"
log="$staging/publish.log"
zip="$artifacts/tokentally-functions.zip"
rm -rf "$staging" "$zip"
mkdir -p "$staging"

status=0
dotnet publish functions/TokenTally.Functions -c Release -r linux-x64 --self-contained false \
  -p:TokenTallyDeploymentBuild=true -nologo -v quiet -o "$publish" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  if grep -q "NU1101.*$extension" "$log"; then
    {
      echo "package.sh: cannot build the deployment package: the package feed lacks $extension,"
      echo "the Functions host's Event Hubs extension that runs the IngestEvents trigger (NU1101: package not found)."
      echo "Build the package where the NuGet feed serves $extension; its version is the"
      echo "TokenTallyEventHubsExtensionVersion property in functions/TokenTally.Functions/TokenTally.Functions.csproj."
      grep -m 1 "NU1101.*$extension" "$log" | sed 's/^ */  /'
    } >&2
    exit 2
  fi
  echo "package.sh: dotnet publish failed (exit $status); its output without NU1603 warnings:" >&2
  grep -v "warning NU1603" "$log" >&2 || true
  exit "$status"
fi

if ! grep -q '"EventHubs"' "$publish/extensions.json"; then
  echo "package.sh: $publish/extensions.json lists no EventHubs extension; the host would not run IngestEvents." >&2
  exit 1
fi

(cd "$publish" && python3 - "$zip" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk("."):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(root, f)
            z.write(path, os.path.relpath(path, "."))
PY
)
echo "Wrote $zip ($(du -h "$zip" | cut -f1))"
