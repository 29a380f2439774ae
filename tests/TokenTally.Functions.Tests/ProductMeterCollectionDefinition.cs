using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

[CollectionDefinition(ProductMeterCollection.Name, DisableParallelization = true)]
public sealed class ProductMeterCollectionDefinition;
