// TokenTally in one resource group: the Function App (Flex Consumption, .NET isolated), its storage, the Event Hubs
// intake, Cosmos DB, Log Analytics and Application Insights, the rollup export's table and rule, the workbook, Key Vault,
// and the user-assigned identity every one of them is reached with. No keys anywhere: identity only.
targetScope = 'resourceGroup'

@description('Name of the environment (azd sets it); part of the names\' unique token and a tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Region of every resource.')
param location string = resourceGroup().location

@description('Short prefix of every resource name (lower-case letters and digits).')
@minLength(2)
@maxLength(6)
param namePrefix string = 'tt'

@description('The hub the app reads (TokenTally__EventHubName).')
param eventHubName string = 'llm-calls'

@description('Partitions of the hub.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Days the hub keeps events.')
@minValue(1)
@maxValue(7)
param eventHubRetentionDays int = 1

@description('Cosmos DB serverless (true) or provisioned throughput (false).')
param cosmosServerless bool = true

@description('Letters and digits before each table name (TokenTally:Storage:TablePrefix).')
@maxLength(40)
param tablePrefix string = ''

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Lower-case hex SHA-256 of the admin key (tt_admin_...): the hash only, never the key. Empty: no admin key.')
param adminKeySha256 string = ''

@description('Application (client) id of the Entra app registration with the app roles TokenTally.Admin, Editor and Viewer (README: Sign-in and roles). Empty: no App Service authentication, API keys only.')
param entraClientId string = ''

@description('The claim of a signed-in person whose value is their TokenTally tenant (TokenTally:Auth:Entra:TenantClaim); exclusive with entraDefaultTenant.')
param entraTenantClaim string = ''

@description('The one TokenTally tenant every signed-in person acts for (TokenTally:Auth:Entra:DefaultTenant); exclusive with entraTenantClaim.')
param entraDefaultTenant string = ''

@description('Most instances the Function App scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance (MB).')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

var nameToken = uniqueString(subscription().id, resourceGroup().id, environmentName)
var tags = { application: 'tokentally', 'azd-env-name': environmentName }

// Names the code expects: DocumentContainerNames, TableDocumentStore.ExpiryTable, BlobContainerNames, CosmosDocumentStore
// (partition key /pk; TTL on, no default expiry), IngestEventsFunction.ConsumerGroup. Tests check them against the code.
var cosmosContainers = [
  { name: 'calls', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'traces', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'rollups', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'config', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'runs', partitionKeyPath: '/pk', defaultTtl: -1 }
]
var tableNames = [ 'calls', 'traces', 'rollups', 'config', 'runs', 'expiry' ]
var blobContainers = [ 'archive', 'dead-letters' ]
var cosmosDatabaseName = 'tokentally'
var consumerGroupName = 'tokentally'
var rollupTableName = 'TokenTallyRollups_CL'
var rollupStreamName = 'Custom-TokenTallyRollups'
var identityName = '${namePrefix}-id-${nameToken}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module hostStorage 'modules/host-storage.bicep' = {
  dependsOn: [ identity ]
  name: 'host-storage'
  params: {
    name: toLower('${namePrefix}host${nameToken}')
    location: location
    tags: tags
    deploymentContainerName: 'deployments'
    identityName: identityName
  }
}

module ledgerStorage 'modules/ledger-storage.bicep' = {
  dependsOn: [ identity ]
  name: 'ledger-storage'
  params: {
    name: toLower('${namePrefix}data${nameToken}')
    location: location
    tags: tags
    tablePrefix: tablePrefix
    tableNames: tableNames
    containerNames: blobContainers
    identityName: identityName
  }
}

module eventHubs 'modules/event-hubs.bicep' = {
  dependsOn: [ identity ]
  name: 'event-hubs'
  params: {
    name: '${namePrefix}-evhns-${nameToken}'
    location: location
    tags: tags
    hubName: eventHubName
    consumerGroupName: consumerGroupName
    partitionCount: eventHubPartitionCount
    retentionDays: eventHubRetentionDays
    identityName: identityName
  }
}

module cosmos 'modules/cosmos.bicep' = {
  dependsOn: [ identity ]
  name: 'cosmos'
  params: {
    name: '${namePrefix}-cosmos-${nameToken}'
    location: location
    tags: tags
    serverless: cosmosServerless
    databaseName: cosmosDatabaseName
    containers: cosmosContainers
    identityName: identityName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  dependsOn: [ identity ]
  name: 'monitoring'
  params: {
    namePrefix: namePrefix
    nameToken: nameToken
    location: location
    tags: tags
    retentionDays: logRetentionDays
    identityName: identityName
    rollupTableName: rollupTableName
    rollupStreamName: rollupStreamName
  }
}

module keyVault 'modules/key-vault.bicep' = {
  dependsOn: [ identity ]
  name: 'key-vault'
  params: {
    name: '${namePrefix}-kv-${take(nameToken, 13)}'
    location: location
    tags: tags
    identityName: identityName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    namePrefix: namePrefix
    nameToken: nameToken
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: hostStorage.outputs.deploymentContainerUrl
    dotnetVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    entraClientId: entraClientId
    keyVaultName: keyVault.outputs.name
    appSettings: {
      // DefaultAzureCredential (Cosmos DB, Storage, Key Vault, the export) signs in as the user-assigned identity.
      AZURE_CLIENT_ID: identity.outputs.clientId
      AzureWebJobsStorage__accountName: hostStorage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
      TokenTally__EventHubName: eventHubs.outputs.hubName
      EventHubConnection__fullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
      EventHubConnection__credential: 'managedidentity'
      EventHubConnection__clientId: identity.outputs.clientId
      TokenTally__Storage__BlobServiceUri: ledgerStorage.outputs.blobEndpoint
      TokenTally__Storage__TableServiceUri: ledgerStorage.outputs.tableEndpoint
      TokenTally__Storage__TablePrefix: tablePrefix
      TokenTally__Cosmos__Endpoint: cosmos.outputs.endpoint
      TokenTally__Cosmos__Database: cosmos.outputs.databaseName
      TokenTally__Admin__KeySha256: adminKeySha256
      TokenTally__Auth__Entra__Enabled: empty(entraClientId) ? 'false' : 'true'
      TokenTally__Auth__Entra__TenantClaim: entraTenantClaim
      TokenTally__Auth__Entra__DefaultTenant: entraDefaultTenant
      TokenTally__Alerts__Secrets__KeyVaultUri: keyVault.outputs.uri
      TokenTally__Export__LogsIngestion__Endpoint: monitoring.outputs.logsIngestionEndpoint
      TokenTally__Export__LogsIngestion__RuleId: monitoring.outputs.ruleImmutableId
      TokenTally__Export__LogsIngestion__StreamName: rollupStreamName
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output API_BASE_URL string = '${functionApp.outputs.url}/api/v1'
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output HOST_STORAGE_ACCOUNT string = hostStorage.outputs.name
output LEDGER_STORAGE_ACCOUNT string = ledgerStorage.outputs.name
output EVENT_HUBS_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output EVENT_HUB_NAME string = eventHubs.outputs.hubName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output KEY_VAULT_URI string = keyVault.outputs.uri
output LOG_ANALYTICS_WORKSPACE string = monitoring.outputs.workspaceName
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOGS_INGESTION_ENDPOINT string = monitoring.outputs.logsIngestionEndpoint
output DATA_COLLECTION_RULE string = monitoring.outputs.ruleName
output ROLLUP_TABLE string = monitoring.outputs.rollupTableName
output WORKBOOK_ID string = monitoring.outputs.workbookId
