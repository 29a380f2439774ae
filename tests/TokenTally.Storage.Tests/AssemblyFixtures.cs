using TokenTally.Testing;

// One Cosmos DB test server for the whole assembly; every test uses its own partition keys.
[assembly: AssemblyFixture(typeof(CosmosTestServerFixture))]
