using TokenTally.Testing;

// One Cosmos DB test server and one Azurite process for the whole assembly; every test uses its own tenant and database.
[assembly: AssemblyFixture(typeof(CosmosTestServerFixture))]
[assembly: AssemblyFixture(typeof(AzuriteFixture))]
