// The app's user-assigned managed identity: every data-plane call of the app and the host authenticates as it.

@description('Name of the identity.')
param name string

@description('Region.')
param location string

@description('Tags on every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
