using './main.bicep'

// azd sets AZURE_ENV_NAME; scripts/deploy.sh passes --env. No secret goes here: the admin key is given as its SHA-256.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'tokentally')
param namePrefix = 'tt'
param eventHubName = 'llm-calls'
param eventHubPartitionCount = 4
param cosmosServerless = true
param adminKeySha256 = readEnvironmentVariable('TOKENTALLY_ADMIN_KEY_SHA256', '')
// Sign-in: the app registration's client id (scripts/deploy.sh --entra-client-id) and how a person's tenant is found.
param entraClientId = readEnvironmentVariable('TOKENTALLY_ENTRA_CLIENT_ID', '')
param entraTenantClaim = readEnvironmentVariable('TOKENTALLY_ENTRA_TENANT_CLAIM', '')
param entraDefaultTenant = readEnvironmentVariable('TOKENTALLY_ENTRA_DEFAULT_TENANT', '')
