// The Function App on the Flex Consumption plan: .NET isolated worker, deployed from a blob container, running as the
// user-assigned identity, with the app settings main.bicep computes.

@description('Prefix of the resource names.')
param namePrefix string

@description('Suffix that makes the names unique.')
param nameToken string

@description('Region.')
param location string

@description('Tags on every resource; azd finds the app by its azd-service-name tag.')
param tags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('The .NET version of the isolated worker (the app\'s TargetFramework).')
param dotnetVersion string

@description('Most instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance (MB).')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int

@description('App settings, name to value.')
param appSettings object

@description('Application (client) id of the Entra app registration people sign in with; empty: no App Service authentication.')
param entraClientId string

@description('The Key Vault holding the app registration\'s client secret (entra-client-secret), read as the identity.')
param keyVaultName string

// App Service authentication reads the client secret from this app setting (the platform's convention), which refers to
// the vault: the platform resolves it as keyVaultReferenceIdentity. The secret goes into the vault after provisioning.
var entraSecretSetting = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
var entraSecretReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=entra-client-secret)'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan-${nameToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: '${namePrefix}-func-${nameToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'dotnet-isolated', version: dotnetVersion }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

// The settings as a resource of their own: alert messages link to the app's own address, known once the site exists.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, {
    TokenTally__Alerts__Channels__DashboardUrl: 'https://${site.properties.defaultHostName}/'
  }, empty(entraClientId) ? {} : { '${entraSecretSetting}': entraSecretReference })
}

// Sign-in (Entra ID) in front of the app. Unauthenticated requests pass, so apps with API keys and the health probe still
// get through; the app itself refuses what needs a role, and believes the principal header only because this module sets
// it (WEBSITE_AUTH_ENABLED). No token store: the app never calls another API as the signed-in person, and Flex
// Consumption has no shared file system to keep one in.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(entraClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: entraClientId
          clientSecretSettingName: entraSecretSetting
        }
        validation: {
          allowedAudiences: [ entraClientId, 'api://${entraClientId}' ]
        }
      }
    }
    login: {
      tokenStore: { enabled: false }
    }
  }
  dependsOn: [ settings ]
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
