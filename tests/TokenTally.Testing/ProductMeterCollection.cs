namespace TokenTally.Testing;

/// <summary>
/// A meter provider listens to every meter of the product's name in the process, whichever app created it: a test that
/// counts the product's metrics runs alone, so that no other test's app adds to them. Each test assembly declares the
/// collection (<c>[CollectionDefinition(ProductMeterCollection.Name, DisableParallelization = true)]</c>).
/// </summary>
public static class ProductMeterCollection
{
    public const string Name = "Counts the product's metrics";
}
