using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

// One Cosmos DB test server, one Azurite process and one publish of the Functions app for the whole assembly; every test
// uses its own Cosmos database, tenant and event hub name.
[assembly: AssemblyFixture(typeof(CosmosTestServerFixture))]
[assembly: AssemblyFixture(typeof(AzuriteFixture))]
[assembly: AssemblyFixture(typeof(PublishedApp))]
