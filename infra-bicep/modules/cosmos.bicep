// Cosmos DB (NoSQL API) for the document containers placed there: serverless by default, local auth off, every
// container partitioned on /pk with TTL on and no default expiry (items carry their own ttl), as CosmosDocumentStore
// creates them.

@description('Account name.')
param name string

@description('Region.')
param location string

@description('Tags on every resource.')
param tags object

@description('Serverless (pay per request) or provisioned throughput.')
param serverless bool

@description('Database name (TokenTally:Cosmos:Database).')
param databaseName string

@description('Containers, each { name, partitionKeyPath, defaultTtl }.')
param containers array

@description('Name of the app\'s user-assigned identity (in this resource group), the principal of the role assignments.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    capabilities: serverless ? [ { name: 'EnableServerless' } ] : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for container in containers: {
  parent: database
  name: container.name
  properties: {
    resource: {
      id: container.name
      partitionKey: { paths: [ container.partitionKeyPath ], kind: 'Hash', version: 2 }
      defaultTtl: container.defaultTtl
      // The store queries within a partition on rk ranges and reads by id: the default consistent index over every path.
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/*' } ]
        excludedPaths: [ { path: '/"_etag"/?' } ]
      }
    }
  }
}]

// Cosmos DB Built-in Data Contributor (data plane: read, write, query items), on the database only.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(database.id, identity.id, '00000000-0000-0000-0000-000000000002')
  properties: {
    principalId: identity.properties.principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: database.id
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
