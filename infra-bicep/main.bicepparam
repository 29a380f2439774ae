using './main.bicep'

// azd sets AZURE_ENV_NAME; scripts/deploy.sh passes --env. No secret goes here: the admin key is given as its SHA-256.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'tokentally')
param namePrefix = 'tt'
param eventHubName = 'llm-calls'
param eventHubPartitionCount = 4
param cosmosServerless = true
param adminKeySha256 = readEnvironmentVariable('TOKENTALLY_ADMIN_KEY_SHA256', '')
