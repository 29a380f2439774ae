// Log Analytics and Application Insights; the rollup export's custom table with its data collection endpoint and rule
// (Logs Ingestion API); the workbook over both.

@description('Prefix of the resource names.')
param namePrefix string

@description('Suffix that makes the names unique.')
param nameToken string

@description('Region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Days Log Analytics keeps data, the custom table included.')
@minValue(30)
@maxValue(730)
param retentionDays int

@description('Name of the app\'s user-assigned identity (in this resource group), the principal of the role assignments.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

@description('The custom table the rollups are exported to (ends in _CL).')
param rollupTableName string

@description('The stream the export posts to (Custom-...).')
param rollupStreamName string

// The columns of one exported rollup row: RollupExportRecord in shared/TokenTally.Application/Export, checked by a test.
var rollupColumns = [
  { name: 'TimeGenerated', type: 'datetime' }
  { name: 'Hour', type: 'datetime' }
  { name: 'RunId', type: 'string' }
  { name: 'Tenant', type: 'string' }
  { name: 'Cube', type: 'string' }
  { name: 'RowKey', type: 'string' }
  { name: 'Project', type: 'string' }
  { name: 'Service', type: 'string' }
  { name: 'Release', type: 'string' }
  { name: 'Environment', type: 'string' }
  { name: 'Provider', type: 'string' }
  { name: 'Model', type: 'string' }
  { name: 'Operation', type: 'string' }
  { name: 'Department', type: 'string' }
  { name: 'User', type: 'string' }
  { name: 'Experiment', type: 'string' }
  { name: 'Variant', type: 'string' }
  { name: 'Status', type: 'string' }
  { name: 'Calls', type: 'long' }
  { name: 'Errors', type: 'long' }
  { name: 'InputTokens', type: 'long' }
  { name: 'CachedInputTokens', type: 'long' }
  { name: 'CacheWriteTokens', type: 'long' }
  { name: 'OutputTokens', type: 'long' }
  { name: 'ReasoningTokens', type: 'long' }
  { name: 'CostUsd', type: 'real' }
  { name: 'UnpricedCalls', type: 'long' }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-log-${nameToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-appi-${nameToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource rollupTable 'Microsoft.OperationalInsights/workspaces/tables@2023-09-01' = {
  parent: workspace
  name: rollupTableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionDays
    schema: {
      name: rollupTableName
      columns: rollupColumns
    }
  }
}

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: '${namePrefix}-dce-${nameToken}'
  location: location
  tags: tags
  properties: {
    networkAcls: { publicNetworkAccess: 'Enabled' }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: '${namePrefix}-dcr-${nameToken}'
  location: location
  tags: tags
  // The output stream names the table, which must exist first; nothing in the rule's properties refers to it.
  dependsOn: [ rollupTable ]
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: {
      '${rollupStreamName}': { columns: rollupColumns }
    }
    destinations: {
      logAnalytics: [ { name: 'workspace', workspaceResourceId: workspace.id } ]
    }
    dataFlows: [
      {
        streams: [ rollupStreamName ]
        destinations: [ 'workspace' ]
        transformKql: 'source'
        outputStream: 'Custom-${rollupTableName}'
      }
    ]
  }
}

// Monitoring Metrics Publisher, on the rule only: the export's POSTs to the Logs Ingestion API.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(rule.id, identity.id, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: rule
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
  }
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, namePrefix, 'tokentally-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'TokenTally: LLM cost and pipeline health'
    category: 'workbook'
    sourceId: workspace.id
    version: 'Notebook/1.0'
    // The queries run against the workspace (the custom table and workspace-based Application Insights' App* tables).
    serializedData: replace(loadTextContent('../workbook.json'), '__WORKSPACE_ID__', workspace.id)
  }
}

output workspaceName string = workspace.name
output workspaceId string = workspace.id
output applicationInsightsName string = applicationInsights.name
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint
output ruleImmutableId string = rule.properties.immutableId
output ruleName string = rule.name
output rollupTableName string = rollupTable.name
output workbookId string = workbook.id
