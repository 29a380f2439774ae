// The Event Hubs intake: namespace (local auth off), the hub IngestEvents reads and its consumer group.

@description('Namespace name.')
param name string

@description('Region.')
param location string

@description('Tags on every resource.')
param tags object

@description('The hub the app reads (TokenTally__EventHubName).')
param hubName string

@description('The consumer group IngestEvents reads with.')
param consumerGroupName string

@description('Partitions of the hub: the most instances that read it at once.')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Days the hub keeps events (the intake can catch up this far).')
@minValue(1)
@maxValue(7)
param retentionDays int

@description('Name of the app\'s user-assigned identity (in this resource group), the principal of the role assignments.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: retentionDays
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
}

// Azure Event Hubs Data Receiver, on the hub only: the trigger reads it, the health report reads its partitions' positions.
resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, identity.id, 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde')
  scope: hub
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde')
  }
}

output name string = namespace.name
output hubName string = hub.name
output consumerGroupName string = consumerGroup.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
