using TokenTally.Testing;

namespace TokenTally.Local.Tests;

[CollectionDefinition(ProductMeterCollection.Name, DisableParallelization = true)]
public sealed class ProductMeterCollectionDefinition;
