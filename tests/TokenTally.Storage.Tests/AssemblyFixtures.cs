using TokenTally.Testing;

// One Cosmos DB test server and one Azurite process for the whole assembly; every test uses its own keys, names and queues.
[assembly: AssemblyFixture(typeof(CosmosTestServerFixture))]
[assembly: AssemblyFixture(typeof(AzuriteFixture))]
