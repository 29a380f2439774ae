#!/usr/bin/env bash
# Deploys TokenTally to Azure with the Azure CLI, for those without azd: creates the resource group, provisions
# infra-bicep/main.bicep (parameters from infra-bicep/main.bicepparam), builds the deployment package with
# scripts/package.sh, deploys it to the Function App and prints the deployment's outputs.
#
#   scripts/deploy.sh --resource-group <rg> --location <region> [--env <name>] [--name-prefix <prefix>]
#                     [--admin-key-sha256 <hex>] [--skip-package]
#                     [--entra-client-id <app id> [--entra-tenant-claim <claim> | --entra-default-tenant <tenant>]]
#   scripts/deploy.sh --resource-group <rg> --teardown [--yes]
#
# Needs: az (logged in: az login), dotnet, python3. Nothing secret is passed: the admin key is given as its SHA-256, and
# the app registration's client secret goes into the Key Vault afterwards (README, Sign-in and roles).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

resource_group="" location="" env_name="${AZURE_ENV_NAME:-tokentally}" name_prefix="tt"
admin_key_sha256="${TOKENTALLY_ADMIN_KEY_SHA256:-}" teardown=false yes=false skip_package=false
entra_client_id="${TOKENTALLY_ENTRA_CLIENT_ID:-}" entra_tenant_claim="${TOKENTALLY_ENTRA_TENANT_CLAIM:-}"
entra_default_tenant="${TOKENTALLY_ENTRA_DEFAULT_TENANT:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --resource-group|-g) resource_group="${2:-}"; shift 2 ;;
    --location|-l) location="${2:-}"; shift 2 ;;
    --env) env_name="${2:-}"; shift 2 ;;
    --name-prefix) name_prefix="${2:-}"; shift 2 ;;
    --admin-key-sha256) admin_key_sha256="${2:-}"; shift 2 ;;
    --entra-client-id) entra_client_id="${2:-}"; shift 2 ;;
    --entra-tenant-claim) entra_tenant_claim="${2:-}"; shift 2 ;;
    --entra-default-tenant) entra_default_tenant="${2:-}"; shift 2 ;;
    --skip-package) skip_package=true; shift ;;
    --teardown) teardown=true; shift ;;
    --yes|-y) yes=true; shift ;;
    -h|--help) usage ;;
    *) echo "deploy.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$resource_group" ] || { echo "deploy.sh: --resource-group is required." >&2; usage; }

require() {
  command -v "$1" >/dev/null 2>&1 || { echo "deploy.sh: '$1' is required but not on PATH ($2)." >&2; exit 1; }
}
require az "https://learn.microsoft.com/cli/azure/install-azure-cli"
if ! az account show --query id -o tsv >/dev/null 2>&1; then
  echo "deploy.sh: the Azure CLI is not logged in; run 'az login' (and 'az account set -s <subscription>')." >&2
  exit 1
fi

if [ "$teardown" = true ]; then
  if [ "$yes" != true ]; then
    read -r -p "Delete resource group '$resource_group' and everything in it? [y/N] " answer
    [ "$answer" = y ] || [ "$answer" = Y ] || { echo "Nothing deleted."; exit 0; }
  fi
  az group delete --name "$resource_group" --yes
  echo "Deleted resource group $resource_group. Its Key Vault stays soft-deleted (purge protection) for 7 days."
  exit 0
fi

[ -n "$location" ] || { echo "deploy.sh: --location is required (e.g. westeurope)." >&2; usage; }
if [ -n "$admin_key_sha256" ] && ! [[ "$admin_key_sha256" =~ ^[0-9a-f]{64}$ ]]; then
  echo "deploy.sh: --admin-key-sha256 must be 64 lower-case hex digits (the SHA-256 of a tt_admin_... key, never the key)." >&2
  exit 2
fi
if [ -n "$entra_client_id" ] && ! [[ "$entra_client_id" =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]]; then
  echo "deploy.sh: --entra-client-id must be the app registration's application (client) id, a GUID." >&2
  exit 2
fi
if [ -n "$entra_tenant_claim" ] && [ -n "$entra_default_tenant" ]; then
  echo "deploy.sh: --entra-tenant-claim and --entra-default-tenant exclude each other: a claim names each person's tenant, or one tenant serves everyone." >&2
  exit 2
fi
require dotnet "https://dot.net"
require python3 "it zips the package"

zip="${TOKENTALLY_ARTIFACTS:-artifacts}/tokentally-functions.zip"
if [ "$skip_package" != true ]; then
  scripts/package.sh
fi
[ -f "$zip" ] || { echo "deploy.sh: $zip is missing; run scripts/package.sh." >&2; exit 1; }

echo "Provisioning resource group $resource_group in $location (environment $env_name)…"
az group create --name "$resource_group" --location "$location" --tags application=tokentally "azd-env-name=$env_name" --output none
outputs=$(az deployment group create --resource-group "$resource_group" --name "tokentally-$env_name" \
  --template-file infra-bicep/main.bicep --parameters infra-bicep/main.bicepparam \
  --parameters environmentName="$env_name" location="$location" namePrefix="$name_prefix" adminKeySha256="$admin_key_sha256" \
  --parameters entraClientId="$entra_client_id" entraTenantClaim="$entra_tenant_claim" entraDefaultTenant="$entra_default_tenant" \
  --query properties.outputs --output json)
output() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]]["value"])' "$outputs" "$1"; }
app=$(output AZURE_FUNCTION_APP_NAME)

echo "Deploying $zip to $app…"
az functionapp deployment source config-zip --resource-group "$resource_group" --name "$app" --src "$zip" --output none

echo
echo "TokenTally is deployed:"
python3 -c 'import json,sys; [print("  %s: %s" % (k, v["value"])) for k, v in json.loads(sys.argv[1]).items()]' "$outputs"
echo "Health: curl $(output FUNCTION_APP_URL)/api/health"
if [ -n "$entra_client_id" ]; then
  # The vault is new, so the client secret can only be put there now; App Service authentication reads it from the vault.
  vault=$(output KEY_VAULT_URI); vault=${vault#https://}; vault=${vault%%.*}
  echo "Sign-in: put the app registration's client secret into the vault, then restart the app (README, Sign-in and roles):"
  echo "  az ad app credential reset --id $entra_client_id --append --display-name tokentally-app-service --query password -o tsv \\"
  echo "    | tr -d '\\n' | az keyvault secret set --vault-name $vault --name entra-client-secret --file /dev/stdin --output none"
  echo "  az functionapp restart --resource-group $resource_group --name $app"
fi
